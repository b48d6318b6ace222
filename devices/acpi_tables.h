/* Per-VM ACPI tables for a hardware-reduced PC: RSDP (revision 2), XSDT, FADT (revision 6,
 * ACPI 6.3), MADT and DSDT, laid out in one buffer the caller copies to guest memory.
 * Nothing here knows about VMX; see /work/shared/notes/guest-platform.md §1 for why each
 * field has its value.
 *
 * - XSDT lists the FADT and the MADT; the DSDT is reached through the FADT (DSDT and
 *   X_DSDT). There is no RSDT (RSDP RsdtAddress = 0) and no FACS (HW-reduced).
 * - FADT: HW_REDUCED_ACPI, so no PM1/GPE blocks, SCI or SMI_CMD; SCI_INT is still 9, or
 *   Linux would take the IRQ0->GSI2 override for the SCI. The PM timer, sleep control/status
 *   and reset registers are the ports of devices/acpi_pm.h at pm_base. Fixed power and sleep
 *   buttons are declared absent (HW-reduced ACPI has no fixed-feature buttons). CENTURY
 *   names the RTC's century byte.
 * - MADT: PCAT_COMPAT; one enabled Local APIC per CPU with ACPI UID = APIC ID = index, the
 *   boot CPU (0) first; the I/O APIC (ID 0, GSI base 0); IRQ0 -> GSI 2, edge, active high;
 *   LINT1 of every CPU is NMI.
 * - DSDT: \_SB.PCI0 (PNP0A03: bus 0, config ports 0xcf8-0xcff, I/O windows either side of
 *   them, one 32-bit MMIO window), COM1, PS2_ (i8042 keyboard) and RTC_ as siblings of
 *   PCI0 under \_SB, and \_S5. The legacy devices sit under \_SB, not PCI0: bus 0 has no
 *   ISA/LPC bridge for them to hang off, and Linux's PNPACPI enumerates them either way. */
#pragma once
#include <stddef.h>
#include <stdint.h>

#define ACPI_MAX_CPUS	       8	  /* a VM's vCPU limit (VM_MAX_CPUS) */
#define ACPI_TABLES_MAX_SIZE   1024	  /* what acpi_build uses at most, for ACPI_MAX_CPUS */
#define ACPI_SCI_IRQ	       9	  /* FADT SCI_INT, unused when HW-reduced (see above) */
#define ACPI_HYPERVISOR_VENDOR "MHVMHVMH" /* FADT Hypervisor Vendor Identity, 8 chars */

struct acpi_config {
	unsigned ncpus;		 /* 1..ACPI_MAX_CPUS */
	uint32_t lapic_addr;	 /* LAPIC_DEFAULT_BASE (devices/lapic.h) */
	uint32_t ioapic_addr;	 /* IOAPIC_DEFAULT_BASE: ID 0, GSI base 0, 24 pins */
	uint16_t pm_base;	 /* I/O base of devices/acpi_pm.h, e.g. ACPI_PM_BASE */
	uint32_t pci_mmio_base;	 /* host bridge 32-bit MMIO window, */
	uint32_t pci_mmio_limit; /* inclusive: base <= limit */
	char oem_id[7];		 /* up to 6 characters, padded with spaces */
};

/* Writes the RSDP at buf[0], which the caller copies to guest-physical `rsdp_gpa` (16-byte
 * aligned for the BIOS-area scan), and the other tables after it, each at a 16-byte offset.
 * Returns the bytes used; nothing past them is written. Returns 0 if `size` is too small,
 * the config is invalid, or the tables would end above 4 GiB (the FADT's DSDT field is 32
 * bits). */
size_t acpi_build(const struct acpi_config *c, uint8_t *buf, size_t size, uint64_t rsdp_gpa);
