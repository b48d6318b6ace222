#include "guests/lib/tsc.h"
#include "guests/lib/div64.h"
#include "guests/lib/pit.h"
#include "guests/lib/x86.h"
#include "kernel/guest_abi.h"

#define CAL_MIN_LOOPS 100 /* fewer polls: OUT2 was not really counting down */
/* The count starts during the MSB write, and OUT2 rises between the last two polls; the
 * midpoints of those two windows estimate the run, off by at most half their total. Linux
 * rejects a run whose slowest poll exceeds 10x its fastest; in a VM a vCPU descheduled
 * mid-run is harmless (both clocks keep going), so only the two ends are checked. */
#define CAL_MAX_WINDOWS_DIV 50 /* windows within 2% of the run: error within 1% */

static u32 calibrated_khz;
static u32 khz; /* the rate tsc_from_ms() uses */

/* Run lengths in ms (the count must fit 16 bits), tried in turn until one can be trusted.
 * They differ so that a hypervisor's time slices cannot end every run while the vCPU is
 * descheduled. */
static const u8 run_ms[] = {50, 10, 50, 20, 5, 30, 50, 10};

/* One run of ms milliseconds; 0 if it cannot be trusted. */
static u32 calibrate_once(u32 ms)
{
	u16 latch = (u16)(PIT_HZ * ms / 1000);
	u8 ctl = inb(PORT_SYSCTLB);

	outb(PORT_SYSCTLB, (u8)((ctl & ~SYSCTLB_SPEAKER) | SYSCTLB_GATE2));
	outb(PIT_CMD, PIT_SEL_CH2 | PIT_LOHI | PIT_MODE0);
	outb(PIT_CH2, (u8)latch);
	u64 start_lo = rdtsc_ordered();
	outb(PIT_CH2, (u8)(latch >> 8));
	u64 start_hi = rdtsc_ordered();

	u64 prev = start_hi, now = start_hi;
	u32 loops = 0;
	while (!(inb(PORT_SYSCTLB) & SYSCTLB_OUT2)) {
		prev = now;
		now = rdtsc_ordered();
		loops++;
	}
	u64 end_lo = prev, end_hi = rdtsc_ordered();
	u64 windows = (start_hi - start_lo) + (end_hi - end_lo);
	u64 total = (end_lo + end_hi) / 2 - (start_lo + start_hi) / 2;
	if (loops < CAL_MIN_LOOPS || windows * CAL_MAX_WINDOWS_DIV > total)
		return 0;
	return (u32)udiv64(total, ms, NULL);
}

u32 tsc_calibrate_khz(void)
{
	static bool tried;

	if (!tried) {
		tried = true;
		for (u32 i = 0; !calibrated_khz && i < sizeof(run_ms); i++)
			calibrated_khz = calibrate_once(run_ms[i]);
		khz = calibrated_khz;
	}
	return calibrated_khz;
}

u32 tsc_hypervisor_khz(void)
{
	struct cpuid_regs base = cpuid(MHV_CPUID_LEAF_BASE);

	if (base.b != MHV_CPUID_SIG_EBX || base.c != MHV_CPUID_SIG_ECX ||
	    base.d != MHV_CPUID_SIG_EDX || base.a < MHV_CPUID_LEAF_TIMING)
		return 0;
	return cpuid(MHV_CPUID_LEAF_TIMING).a;
}

u32 tsc_khz_for_timeouts(void)
{
	if (!tsc_calibrate_khz())
		khz = tsc_hypervisor_khz();
	return khz;
}

u64 tsc_from_ms(u32 ms)
{
	return (u64)khz * ms;
}

void tsc_spin_ms(u32 ms)
{
	u64 end = rdtsc() + tsc_from_ms(ms);

	while (rdtsc() < end)
		__asm__ volatile("pause");
}
