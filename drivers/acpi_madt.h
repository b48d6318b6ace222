/* The machine's CPUs and interrupt controllers, from its ACPI tables (ACPI 6.x §5.2.12,
 * "Multiple APIC Description Table"): the RSDP from the Multiboot2 tags, then the XSDT (or,
 * for an ACPI 1.0 RSDP, the RSDT), then the MADT. Every length, address and checksum is
 * checked before use: firmware tables are input. Pure parser over a physical-memory reader,
 * host-tested against devices/acpi_tables.c's own tables. */
#pragma once
#include "drivers/acpi_sdt.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MADT_MAX_CPUS 64


struct madt_info {
	uint32_t lapic_addr;               /* MADT Local Interrupt Controller Address */
	unsigned ncpus;                    /* enabled processors, in table order */
	uint32_t apic_id[MADT_MAX_CPUS];
	unsigned ignored_cpus;             /* enabled ones past MADT_MAX_CPUS */
	uint32_t ioapic_addr;              /* the first I/O APIC, 0 if none */
	bool pcat_compat;                  /* MADT flag: dual 8259s present */
};

/* `rsdp` is the RSDP copy (rsdp_len bytes) from the Multiboot2 tags. On failure returns false
 * with a one-line reason in err. */
bool madt_parse(const void *rsdp, size_t rsdp_len, phys_read_fn read, void *ctx,
		struct madt_info *out, char *err, size_t errlen);
