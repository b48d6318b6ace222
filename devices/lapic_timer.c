/* Local APIC timer: one-shot, periodic and TSC-deadline modes (SDM vol. 3A "APIC Timer").
 * Nothing counts by itself: the next expiry is a TSC value and the current count is
 * computed from `now`. The choices are listed in devices/lapic.h. */
#include "devices/lapic.h"
#include "devices/lapic_internal.h"

#define US_PER_S	     1000000u
#define APIC_DCR_DIVIDE_1    7 /* divide code 111b divides by 1; code n < 7 by 2 << n */
#define APIC_DIVIDE_ON_RESET 2 /* DCR = 0 */

/* DCR bits 3, 1, 0 form the divide code. */
static uint32_t divide_of(uint32_t dcr)
{
	uint32_t code = ((dcr >> 1) & 4) | (dcr & 3);
	return code == APIC_DCR_DIVIDE_1 ? 1 : 2u << code;
}

/* TSC ticks per decrement of the current count. */
static uint64_t count_tick(const struct lapic *l)
{
	return (uint64_t)l->timer_divide << l->clock_shift;
}

static bool running(const struct lapic *l)
{
	return l->timer_deadline != UINT64_MAX;
}

/* Length of a count from the initial count, stretched in periodic mode to the floor. */
static uint64_t count_period(const struct lapic *l)
{
	uint64_t period = lapic_reg(l, LAPIC_TIMER_ICR) * count_tick(l);
	uint64_t floor = l->tsc_hz * LAPIC_MIN_PERIOD_US / US_PER_S;
	if (l->timer_mode == APIC_LVT_TIMER_PERIODIC && period < floor)
		return floor;
	return period;
}

static void disarm(struct lapic *l)
{
	l->timer_period = 0;
	l->timer_deadline = UINT64_MAX;
	l->tsc_deadline = 0;
}

void lapic_timer_reset(struct lapic *l)
{
	disarm(l);
	l->timer_mode = APIC_LVT_TIMER_ONESHOT;
	l->timer_divide = APIC_DIVIDE_ON_RESET;
}

uint32_t lapic_timer_current_count(const struct lapic *l, uint64_t now)
{
	if (l->timer_mode == APIC_LVT_TIMER_TSCDL || !running(l))
		return 0;
	uint64_t remaining;
	if (now < l->timer_deadline)
		remaining = l->timer_deadline - now;
	else if (l->timer_mode == APIC_LVT_TIMER_PERIODIC)
		remaining = l->timer_period - (now - l->timer_deadline) % l->timer_period;
	else
		return 0;
	uint64_t tick = count_tick(l);
	uint64_t count = (remaining + tick - 1) / tick;
	uint32_t initial = lapic_reg(l, LAPIC_TIMER_ICR);
	return count < initial ? (uint32_t)count : initial;
}

uint64_t lapic_timer_wakeup(const struct lapic *l)
{
	bool masked = lapic_reg(l, LAPIC_LVT_TIMER) & APIC_LVT_MASKED;
	if (l->timer_mode != APIC_LVT_TIMER_TSCDL && masked)
		return UINT64_MAX;
	return l->timer_deadline;
}

void lapic_timer_write_icr(struct lapic *l, uint32_t count, uint64_t now)
{
	if (l->timer_mode == APIC_LVT_TIMER_TSCDL) {
		lapic_set_reg(l, LAPIC_TIMER_ICR, 0); /* ignored in TSC-deadline mode */
		return;
	}
	lapic_set_reg(l, LAPIC_TIMER_ICR, count);
	if (!count) {
		disarm(l);
		return;
	}
	l->timer_period = count_period(l);
	l->timer_deadline = now + l->timer_period;
}

void lapic_timer_write_dcr(struct lapic *l, uint32_t value, uint64_t now)
{
	lapic_set_reg(l, LAPIC_TIMER_DCR, value & APIC_DCR_WRITABLE);
	uint32_t divide = divide_of(value);
	if (divide == l->timer_divide)
		return;
	lapic_timer_update(l, now);
	uint32_t count = lapic_timer_current_count(l, now);
	l->timer_divide = divide;
	if (l->timer_mode == APIC_LVT_TIMER_TSCDL || !running(l))
		return;
	/* The current count goes on from where it is, at the new rate. */
	l->timer_period = count_period(l);
	l->timer_deadline = now + count * count_tick(l);
}

void lapic_timer_set_mode(struct lapic *l, uint32_t mode, uint64_t now)
{
	if (mode == l->timer_mode)
		return;
	if (mode == APIC_LVT_TIMER_TSCDL || l->timer_mode == APIC_LVT_TIMER_TSCDL) {
		disarm(l);
		lapic_set_reg(l, LAPIC_TIMER_ICR, 0);
		l->timer_mode = mode;
		return;
	}
	/* One-shot <-> periodic: an expiry already due belongs to the old mode. */
	lapic_timer_update(l, now);
	l->timer_mode = mode;
	if (running(l))
		l->timer_period = count_period(l);
}

uint64_t lapic_tsc_deadline_read(const struct lapic *l)
{
	return l->tsc_deadline; /* only ever set in TSC-deadline mode */
}

void lapic_tsc_deadline_write(struct lapic *l, uint64_t value, uint64_t now)
{
	if (l->timer_mode != APIC_LVT_TIMER_TSCDL)
		return;
	l->tsc_deadline = value;
	l->timer_deadline = value ? value : UINT64_MAX;
}

bool lapic_timer_update(struct lapic *l, uint64_t now)
{
	if (!running(l) || now < l->timer_deadline)
		return false;
	if (l->timer_mode == APIC_LVT_TIMER_PERIODIC) {
		uint64_t missed = (now - l->timer_deadline) / l->timer_period;
		l->timer_deadline += (missed + 1) * l->timer_period;
	} else {
		disarm(l);
	}
	return lapic_raise_lvt(l, LAPIC_LVT_TIMER);
}
