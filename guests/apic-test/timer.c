/* The local APIC timer in xAPIC mode: one-shot (once, on time), the current count and the
 * divider, periodic, a masked LVT, TSC-deadline (IA32_TSC_DEADLINE reads 0 once it fired)
 * and mode changes as devices/lapic.h documents them: to or from TSC-deadline disarms,
 * periodic -> one-shot lets the running count finish once. Times are TSC ticks; the
 * bounds are +-20% (a hypervisor adds exits, not periods). */
#include "guests/apic-test/tests.h"
#include "guests/lib/apic.h"
#include "guests/lib/div64.h"
#include "guests/lib/report.h"
#include "guests/lib/tsc.h"
#include "guests/lib/x86.h"

#define ONESHOT_MS  10
#define PERIOD_MS   2
#define PERIODIC_MS 21 /* about ten periods */

static u32 ticks_per_ms;

/* Interrupts on until `n` interrupts came or `ms` passed; returns the count. */
static u32 wait_interrupts(u32 n, u32 ms)
{
	u64 end = rdtsc() + tsc_from_ms(ms);
	sti();
	while (intr_count < n && rdtsc() < end)
		cpu_relax();
	cli();
	return intr_count;
}

/* Returns the TSC just before the initial count is written: the timer starts there. */
static u64 arm(u32 lvt, u32 dcr, u32 count)
{
	intr_log_reset();
	apic_write(APIC_TIMER_DCR, dcr);
	apic_write(APIC_LVT_TIMER, lvt);
	u64 start = rdtsc();
	apic_write(APIC_TIMER_ICR, count);
	return start;
}

static void check_oneshot(void)
{
	u32 count = ONESHOT_MS * ticks_per_ms;
	u64 want = tsc_for_ticks(count);
	intr_log_reset();
	apic_write(APIC_TIMER_DCR, APIC_DCR_DIV1);
	apic_write(APIC_LVT_TIMER, APIC_TIMER_ONESHOT | TIMER_VECTOR);
	u64 t0 = rdtsc();
	apic_write(APIC_TIMER_ICR, count);
	u32 ccr0 = apic_read(APIC_TIMER_CCR);
	u64 t1 = rdtsc();
	tsc_spin_ms(2);
	u32 ccr1 = apic_read(APIC_TIMER_CCR);
	u64 t2 = rdtsc();
	wait_interrupts(1, 3 * ONESHOT_MS);
	u64 took = intr_count ? intr_log[0].tsc - t0 : 0;
	wait_interrupts(2, 2 * ONESHOT_MS);
	u32 ccr_end = apic_read(APIC_TIMER_CCR);

	report(intr_count == 1, "timer: one-shot of %u ms fires exactly once (%u interrupts)",
	       ONESHOT_MS, intr_count);
	report(within_20_percent(took, want), "timer: one-shot after %llu TSC ticks (want %llu)",
	       took, want);
	report(ccr0 <= count && ccr1 < ccr0 && ccr_end == 0,
	       "timer: current count falls from the initial count to 0 (%u, %u, %u)", ccr0, ccr1,
	       ccr_end);
	u64 counted = tsc_for_ticks(ccr0 - ccr1);
	report(within_20_percent(counted, t2 - t1),
	       "timer: the count falls at the timer clock (%u ticks in %llu TSC ticks)",
	       ccr0 - ccr1, t2 - t1);
}

static void check_divide(void)
{
	u32 count = ONESHOT_MS * ticks_per_ms / 4;
	u64 t0 = arm(APIC_TIMER_ONESHOT | TIMER_VECTOR, APIC_DCR_DIV4, count);
	u32 ccr0 = apic_read(APIC_TIMER_CCR);
	tsc_spin_ms(4);
	u32 ccr1 = apic_read(APIC_TIMER_CCR);
	wait_interrupts(1, 3 * ONESHOT_MS);
	u64 took = intr_count ? intr_log[0].tsc - t0 : 0;
	u64 want = tsc_for_ticks(count) * 4;
	report(intr_count == 1 && within_20_percent(took, want),
	       "timer: divide by 4: a quarter of the count takes as long (%llu TSC ticks, want "
	       "%llu)",
	       took, want);
	u32 want_fall = 4 * ticks_per_ms / 4;
	report(within_20_percent(ccr0 - ccr1, want_fall),
	       "timer: divide by 4: the count falls 4x slower (%u in 4 ms, want %u)", ccr0 - ccr1,
	       want_fall);
	apic_write(APIC_TIMER_DCR, APIC_DCR_DIV1);
}

static void check_periodic(void)
{
	u32 count = PERIOD_MS * ticks_per_ms;
	arm(APIC_TIMER_PERIODIC | TIMER_VECTOR, APIC_DCR_DIV1, count);
	wait_interrupts(LOG_MAX, PERIODIC_MS);
	u32 n = intr_count;
	apic_write(APIC_TIMER_ICR, 0); /* stops the timer */
	u64 span = n > 1 ? intr_log[n - 1].tsc - intr_log[0].tsc : 0;
	u64 avg = n > 1 ? udiv64(span, n - 1, NULL) : 0;
	report(n >= 8 && n <= 12, "timer: periodic %u ms: %u interrupts in %u ms (want ~10)",
	       PERIOD_MS, n, PERIODIC_MS);
	report(within_20_percent(avg, tsc_for_ticks(count)),
	       "timer: periodic interval %llu TSC ticks (want %llu)", avg, tsc_for_ticks(count));
	intr_log_reset();
	wait_interrupts(1, 3 * PERIOD_MS);
	report(intr_count == 0, "timer: initial count 0 stops the periodic timer (%u interrupts)",
	       intr_count);
}

static void check_masked(void)
{
	arm(APIC_LVT_MASKED | APIC_TIMER_ONESHOT | TIMER_VECTOR, APIC_DCR_DIV1, ticks_per_ms);
	wait_interrupts(1, 5);
	u32 ccr = apic_read(APIC_TIMER_CCR);
	report(intr_count == 0 && ccr == 0,
	       "timer: masked LVT: the count runs out (%u), no interrupt (%u)", ccr, intr_count);
}

static void check_tsc_deadline(void)
{
	u64 want = tsc_from_ms(ONESHOT_MS);
	arm(APIC_TIMER_TSC_DEADLINE | TIMER_VECTOR, APIC_DCR_DIV1, 0);
	u64 deadline = rdtsc() + want;
	wrmsr(MSR_IA32_TSC_DEADLINE, deadline);
	u64 armed = rdmsr(MSR_IA32_TSC_DEADLINE);
	wait_interrupts(1, 3 * ONESHOT_MS);
	u64 at = intr_count ? intr_log[0].tsc : 0;
	wait_interrupts(2, ONESHOT_MS);
	u64 after = rdmsr(MSR_IA32_TSC_DEADLINE);
	report(armed == deadline, "tsc-deadline: IA32_TSC_DEADLINE reads the deadline while armed");
	report(intr_count == 1 && at >= deadline && at - deadline < want / 5,
	       "tsc-deadline: fires once, %lld TSC ticks after the deadline (%u interrupts)",
	       (s64)(at - deadline), intr_count);
	report(after == 0, "tsc-deadline: IA32_TSC_DEADLINE reads 0 after it fired (0x%llx)",
	       after);

	intr_log_reset();
	wrmsr(MSR_IA32_TSC_DEADLINE, rdtsc() + tsc_from_ms(2));
	wrmsr(MSR_IA32_TSC_DEADLINE, 0);
	wait_interrupts(1, 5);
	report(intr_count == 0, "tsc-deadline: writing 0 disarms (%u interrupts)", intr_count);

	intr_log_reset();
	wrmsr(MSR_IA32_TSC_DEADLINE, rdtsc() - 1);
	wait_interrupts(1, 1);
	report(intr_count == 1, "tsc-deadline: a deadline in the past fires at once (%u)",
	       intr_count);

	apic_write(APIC_TIMER_ICR, ticks_per_ms);
	u32 icr = apic_read(APIC_TIMER_ICR);
	wait_interrupts(2, 3);
	report(icr == 0 && intr_count == 1,
	       "tsc-deadline: initial-count writes are ignored (reads %u, %u interrupts)", icr,
	       intr_count);
}

static void check_mode_changes(void)
{
	arm(APIC_TIMER_ONESHOT | TIMER_VECTOR, APIC_DCR_DIV1, 2 * ticks_per_ms);
	apic_write(APIC_LVT_TIMER, APIC_TIMER_TSC_DEADLINE | TIMER_VECTOR);
	u32 icr = apic_read(APIC_TIMER_ICR);
	wait_interrupts(1, 5);
	report(intr_count == 0 && icr == 0,
	       "timer mode: one-shot -> TSC-deadline disarms (ICR %u, %u interrupts)", icr,
	       intr_count);

	wrmsr(MSR_IA32_TSC_DEADLINE, rdtsc() + tsc_from_ms(2));
	apic_write(APIC_LVT_TIMER, APIC_TIMER_ONESHOT | TIMER_VECTOR);
	u64 deadline = rdmsr(MSR_IA32_TSC_DEADLINE);
	wait_interrupts(1, 5);
	report(intr_count == 0 && deadline == 0,
	       "timer mode: TSC-deadline -> one-shot disarms (deadline 0x%llx, %u interrupts)",
	       deadline, intr_count);

	wrmsr(MSR_IA32_TSC_DEADLINE, rdtsc() + tsc_from_ms(1));
	deadline = rdmsr(MSR_IA32_TSC_DEADLINE);
	wait_interrupts(1, 3);
	report(intr_count == 0 && deadline == 0,
	       "timer mode: IA32_TSC_DEADLINE is ignored in one-shot mode (0x%llx, %u)", deadline,
	       intr_count);

	arm(APIC_TIMER_PERIODIC | TIMER_VECTOR, APIC_DCR_DIV1, 3 * ticks_per_ms);
	wait_interrupts(1, 10);
	apic_write(APIC_LVT_TIMER, APIC_TIMER_ONESHOT | TIMER_VECTOR);
	wait_interrupts(LOG_MAX, 15);
	u32 ccr = apic_read(APIC_TIMER_CCR);
	report(intr_count == 2 && ccr == 0,
	       "timer mode: periodic -> one-shot: the running count ends once more, then stops "
	       "(%u interrupts, count %u)",
	       intr_count, ccr);
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | TIMER_VECTOR);
	apic_write(APIC_TIMER_ICR, 0);
}

void test_timer(void)
{
	ticks_per_ms = udiv64(apic_timer_hz(), 1000, NULL);
	check_oneshot();
	check_divide();
	check_periodic();
	check_masked();
	check_tsc_deadline();
	check_mode_changes();
}
