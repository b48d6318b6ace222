#include "devices/acpi_pm.h"

/* floor(num * 2^64 / den), remainder in *rem, for num < den: binary long division. The
 * kernel has no libgcc, so no 128-bit division. */
static uint64_t div_frac64(uint64_t num, uint64_t den, uint64_t *rem)
{
	uint64_t q = 0, r = num;
	for (int i = 0; i < 64; i++) {
		bool carry = r >> 63; /* 2r overflows 64 bits: it exceeds any den */
		r <<= 1;
		q <<= 1;
		if (carry || r >= den) {
			r -= den;
			q |= 1;
		}
	}
	*rem = r;
	return q;
}

void acpi_pm_init(struct acpi_pm *pm, uint16_t base, uint64_t tsc_hz, const struct acpi_pm_ops *ops,
		  void *ctx)
{
	uint64_t rem;
	pm->ops = ops;
	pm->ctx = ctx;
	pm->base = base;
	pm->wake_status = false;
	pm->ticks_whole = ACPI_PM_TIMER_HZ / tsc_hz;
	pm->ticks_frac = div_frac64(ACPI_PM_TIMER_HZ % tsc_hz, tsc_hz, &rem);
	pm->ticks_frac += rem != 0;
	pm->tsc_origin = ops->now(ctx);
}

/* Rounding frac up makes the product exceed the exact count by less than
 * delta / 2^64 < 1 tick: the result is the exact floor or one more, and exact whenever the
 * exact count is a whole number. The 64x64-bit multiply needs no libgcc, unlike division. */
uint32_t acpi_pm_timer(const struct acpi_pm *pm)
{
	uint64_t delta = pm->ops->now(pm->ctx) - pm->tsc_origin;
	uint64_t frac_ticks = (uint64_t)(((unsigned __int128)delta * pm->ticks_frac) >> 64);
	return (uint32_t)(delta * pm->ticks_whole + frac_ticks);
}

static void sleep_control_write(struct acpi_pm *pm, uint8_t v)
{
	if (!(v & ACPI_PM_SLP_EN))
		return;
	if ((v & ACPI_PM_SLP_TYP_MASK) >> ACPI_PM_SLP_TYP_SHIFT == ACPI_PM_SLP_TYP_S5)
		pm->ops->power_off(pm->ctx);
	else
		pm->wake_status = true;
}

static void reg_write(struct acpi_pm *pm, unsigned offset, uint8_t v)
{
	switch (offset) {
	case ACPI_PM_SLEEP_CONTROL:
		sleep_control_write(pm, v);
		break;
	case ACPI_PM_SLEEP_STATUS:
		if (v & ACPI_PM_WAK_STS)
			pm->wake_status = false;
		break;
	case ACPI_PM_RESET:
		if (v == ACPI_PM_RESET_VALUE)
			pm->ops->reset(pm->ctx);
		break;
	default: /* the timer is read-only; other bytes decode nothing */
		break;
	}
}

static uint8_t reg_read(const struct acpi_pm *pm, unsigned offset, uint32_t timer)
{
	switch (offset) {
	case ACPI_PM_SLEEP_CONTROL:
		return 0;
	case ACPI_PM_SLEEP_STATUS:
		return pm->wake_status ? ACPI_PM_WAK_STS : 0;
	case ACPI_PM_TIMER:
	case ACPI_PM_TIMER + 1:
	case ACPI_PM_TIMER + 2:
	case ACPI_PM_TIMER + 3:
		return (uint8_t)(timer >> (8 * (offset - ACPI_PM_TIMER)));
	default:
		return 0xff;
	}
}

void acpi_pm_io(void *dev, struct io_access *a)
{
	struct acpi_pm *pm = dev;
	unsigned first = (uint16_t)(a->port - pm->base);
	if (a->write) {
		for (unsigned i = 0; i < a->size; i++)
			reg_write(pm, first + i, (uint8_t)(a->value >> (8 * i)));
		return;
	}
	uint32_t timer = acpi_pm_timer(pm);
	uint32_t value = 0;
	for (unsigned i = 0; i < a->size; i++)
		value |= (uint32_t)reg_read(pm, first + i, timer) << (8 * i);
	a->value = value;
}
