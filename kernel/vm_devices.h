/* The devices every VM gets: a local APIC per vCPU, an I/O APIC, a PC's legacy platform
 * (8259A pair, 8254 PIT with port 0x61, 16550A COM1, CMOS RTC, i8042), ACPI tables and PM
 * registers, QEMU's fw_cfg ports, the debug-exit port 0xf4 and the MMIO test device (see
 * kernel/guest_abi.h). Device models know nothing of VMX; this file wires them to a VM's
 * buses, its clock and its vCPUs.
 *
 * Interrupt wiring: each ISA line feeds both the 8259 pair and the I/O APIC (IRQ0 on pin 2,
 * the others on the pin of their number, as the MADT's override says); the 8259's INTR
 * reaches the BSP's LINT0; the I/O APIC, MSIs and IPIs travel on the APIC bus. */
#pragma once
#include "devices/acpi_pm.h"
#include "devices/apic_bus.h"
#include "devices/fw_cfg.h"
#include "devices/i8042.h"
#include "devices/ioapic.h"
#include "devices/lapic.h"
#include "devices/pci.h"
#include "devices/pic.h"
#include "devices/pit.h"
#include "devices/rtc.h"
#include "devices/uart16550.h"
#include <stdbool.h>
#include <stdint.h>

struct vm;

#define PLATFORM_MAX_CPUS APIC_BUS_MAX_CPUS

struct vm_platform {
	struct lapic lapic[PLATFORM_MAX_CPUS];
	uint64_t lapic_page_pa[PLATFORM_MAX_CPUS]; /* register pages (virtual-APIC pages) */
	uint64_t apic_access_pa;  /* the VM's APIC-access page (APIC virtualization), or 0 */
	bool apic_access_mapped;  /* mapped at LAPIC_DEFAULT_BASE in the VM's EPT */
	struct apic_bus apic_bus;
	struct ioapic ioapic;
	struct pic_pair pic;
	struct pit pit;
	struct uart16550 com1;
	struct rtc rtc;
	struct i8042 kbc;
	struct acpi_pm pm;        /* ACPI PM timer, sleep control (power-off) and reset */
	struct fw_cfg fw_cfg;
	struct pci_bus pci;       /* bus 0: the host bridge at 00:00.0 */
	struct irq_sink isa_sink; /* ISA lines: to the 8259 pair and the I/O APIC */
	struct irq_line irq0, irq1, irq4, irq8, irq12;
	uint64_t tsc_origin;     /* TSC when the VM's clocks started */
	uint64_t timer_deadline; /* TSC of the next device timer event, ~0 if none */
	bool timers_dirty;       /* a guest reprogrammed a timer: recompute the deadline */
};

/* Frames the VM's platform holds for its whole life (APIC pages); false if memory ran out. */
bool platform_alloc(struct vm *vm);
void platform_free(struct vm *vm);
/* Guest-physical window the DSDT's PCI host bridge declares for 32-bit BARs: above the
 * highest RAM a VM may have (3 GiB), below the MMIO test device and the APICs. */
#define PLATFORM_PCI_MMIO_BASE  0xc0000000u
#define PLATFORM_PCI_MMIO_LIMIT 0xfeafffffu
#define PLATFORM_PCI_IO_BASE    0xc000u /* I/O BARs: inside the DSDT's 0xd00-0xffff window */
#define PLATFORM_PCI_IO_LIMIT   0xffffu

/* Power-on state of every device and their bus registrations, and the ACPI tables in guest
 * RAM (also on VM restart: after the image is loaded, which they must not overlap). */
bool platform_devices_attach(struct vm *vm);
/* Brings the device clocks up to now (raising due timer interrupts) and recomputes the
 * next timer deadline. Called when a deadline passed or a timer was reprogrammed. */
void platform_update(struct vm *vm);
/* The guest's host-clock epoch: host RTC at boot, or the rtc= option for repeatable runs;
 * the LAPIC count clock and the guest MAXPHYADDR. */
void platform_clock_init(void);
/* The LAPIC timer's count clock is TSC >> this (CPUID 0x15 describes it to guests). */
unsigned platform_lapic_clock_shift(void);
