/* The ACPI power-management registers of a hardware-reduced platform, in one 12-port I/O
 * block the FADT points at (see devices/acpi_tables.h):
 *
 *   base+0  SLEEP_CONTROL_REG (8-bit, ACPI 6.3 §4.8.3.7): SLP_TYPx bits 4:2, SLP_EN bit 5.
 *           Writing SLP_EN with SLP_TYPx = ACPI_PM_SLP_TYP_S5 (the \_S5 value in the DSDT)
 *           powers the VM off through ops->power_off. Reads 0.
 *   base+1  SLEEP_STATUS_REG (8-bit, §4.8.3.7): WAK_STS bit 7, write 1 to clear.
 *   base+4  RESET_REG (8-bit, §4.8.3.6): writing ACPI_PM_RESET_VALUE calls ops->reset.
 *   base+8  PM_TMR (32-bit, §4.8.3.3): free-running count at 3.579545 MHz, read-only.
 *
 * Choices:
 * - Only S5 exists (the DSDT has no other \_Sx). SLP_EN with any other SLP_TYPx cannot put
 *   the VM to sleep, so it wakes at once: WAK_STS is set, and a guest polling it after the
 *   request (Linux's acpi_hw_extended_sleep does) returns instead of spinning. Writes
 *   without SLP_EN do nothing.
 * - RESET_REG ignores values other than ACPI_PM_RESET_VALUE.
 * - The timer is TMR_VAL_EXT (all 32 bits count) and derived from the guest TSC, so it never
 *   drifts against it: count = (tsc - tsc at init) * 3579545 / tsc_hz, modulo 2^32. It
 *   starts at 0 at acpi_pm_init.
 * - Wider accesses are split into byte cycles at consecutive ports, one timer sample per
 *   access; bytes at base+2, +3, +5..+7 (and past the block) decode nothing: they read
 *   0xff and drop writes, as unclaimed ISA ports do. */
#pragma once
#include "devices/access.h"
#include <stdbool.h>
#include <stdint.h>

#define ACPI_PM_BASE	      0x600 /* default I/O base; the timer at 0x608 as in cloud-hypervisor */
#define ACPI_PM_PORTS	      12
#define ACPI_PM_SLEEP_CONTROL 0 /* port offsets in the block */
#define ACPI_PM_SLEEP_STATUS  1
#define ACPI_PM_RESET	      4
#define ACPI_PM_TIMER	      8
#define ACPI_PM_TIMER_LEN     4

#define ACPI_PM_SLP_TYP_SHIFT 2 /* SLEEP_CONTROL_REG SLP_TYPx, bits 4:2 */
#define ACPI_PM_SLP_TYP_MASK  0x1c
#define ACPI_PM_SLP_EN	      0x20     /* SLEEP_CONTROL_REG: enter the state in SLP_TYPx */
#define ACPI_PM_WAK_STS	      0x80     /* SLEEP_STATUS_REG: woke from sleep; write 1 to clear */
#define ACPI_PM_SLP_TYP_S5    5	       /* our SLP_TYPx for soft-off; \_S5 = {5, 0, 0, 0} */
#define ACPI_PM_RESET_VALUE   0x01     /* FADT RESET_VALUE */
#define ACPI_PM_TIMER_HZ      3579545u /* PM timer frequency, fixed by ACPI */

struct acpi_pm_ops {
	void (*power_off)(void *ctx); /* the guest entered S5 */
	void (*reset)(void *ctx);     /* the guest wrote RESET_VALUE to RESET_REG */
	uint64_t (*now)(void *ctx);   /* the guest's TSC */
};

struct acpi_pm {
	const struct acpi_pm_ops *ops;
	void *ctx;
	uint16_t base;
	bool wake_status;
	uint64_t tsc_origin;
	/* Timer ticks per TSC tick = whole + frac / 2^64, frac rounded up so that whole
	 * seconds of TSC give exact counts. */
	uint64_t ticks_whole;
	uint64_t ticks_frac;
};

/* `tsc_hz` (non-zero) is the rate of ops->now. The timer reads 0 at this moment. */
void acpi_pm_init(struct acpi_pm *pm, uint16_t base, uint64_t tsc_hz, const struct acpi_pm_ops *ops,
		  void *ctx);
/* io_handler_fn for ports base..base+ACPI_PM_PORTS-1. */
void acpi_pm_io(void *pm, struct io_access *a);
/* The PM timer's current value. */
uint32_t acpi_pm_timer(const struct acpi_pm *pm);
