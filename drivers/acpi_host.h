/* The host machine's ACPI tables beyond the MADT (drivers/acpi_madt.h): finding a table by
 * signature through the RSDP's XSDT (or RSDT), and what the hypervisor needs from them: the
 * PM timer and the HPET (to calibrate the TSC), the reset register and the S5 sleep type
 * (to reboot or power off at the end of a run). ACPI 6.5 sections 5.2.5-5.2.9 and 5.7.2;
 * IA-PC HPET specification 1.0a section 3.2.4. Every length and checksum is checked: firmware
 * tables are input. Pure parsers over a physical-memory reader, host-tested. */
#pragma once
#include "drivers/acpi_madt.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ACPI_SPACE_MEMORY 0 /* generic address structure: system memory */
#define ACPI_SPACE_IO	  1 /* generic address structure: system I/O ports */

/* A register named by an ACPI generic address structure. */
struct acpi_reg {
	uint8_t space; /* ACPI_SPACE_*; a zero address means "absent" */
	uint8_t bit_width;
	uint64_t addr;
};

struct acpi_platform {
	bool have_fadt;
	bool hw_reduced;	      /* FADT HW_REDUCED_ACPI: no PM1 blocks, sleep registers */
	struct acpi_reg pm_timer;     /* 3.579545 MHz; addr 0 if none */
	bool pm_timer_32bit;	      /* TMR_VAL_EXT: 32 bits, else 24 */
	bool reset_supported;	      /* RESET_REG_SUP */
	struct acpi_reg reset_reg;
	uint8_t reset_value;
	struct acpi_reg pm1a_cnt, pm1b_cnt; /* PM1 control (S5 through SLP_TYP | SLP_EN) */
	struct acpi_reg sleep_control;	    /* HW-reduced platforms instead */
	bool have_s5;			    /* \_S5 found in the DSDT */
	uint8_t s5_typ_a, s5_typ_b;
	uint64_t hpet_base; /* HPET register block (memory), 0 if none */
};

/* The physical address and length of the first table with signature `sig` whose checksum is
 * right; false if there is none or the root table is unusable. */
bool acpi_find_table(const void *rsdp, size_t rsdp_len, const char *sig, phys_read_fn read,
		     void *ctx, uint64_t *pa, uint32_t *len);
/* Fills `out` from the FADT, its DSDT and the HPET table; absent parts stay zero. False only
 * when there is no usable RSDP or root table. */
bool acpi_platform_parse(const void *rsdp, size_t rsdp_len, phys_read_fn read, void *ctx,
			 struct acpi_platform *out);
/* The SLP_TYPa and SLP_TYPb values of the \_S5 package in the AML at `aml` (n bytes). */
bool acpi_find_s5(const uint8_t *aml, size_t n, uint8_t *typ_a, uint8_t *typ_b);
