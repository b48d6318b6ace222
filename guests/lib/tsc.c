#include "guests/lib/tsc.h"
#include "guests/lib/div64.h"
#include "guests/lib/pit.h"
#include "guests/lib/x86.h"

#define CAL_MS	      50
#define CAL_LATCH     (PIT_HZ / (1000 / CAL_MS))
#define CAL_MIN_LOOPS 100 /* fewer polls: OUT2 was not really counting down */
#define CAL_ATTEMPTS  5
/* OUT2 rose somewhere inside the last poll: that poll bounds the error. Linux rejects a run
 * whose slowest poll exceeds 10x its fastest, but in a VM a descheduled vCPU mid-run is
 * harmless (both clocks keep going); only a slow final poll matters. */
#define CAL_MAX_END_ERROR_DIV 200 /* the last two polls take <= 0.5% of the run */

static u32 khz;

/* One run of CAL_MS; 0 if it cannot be trusted. */
static u32 calibrate_once(void)
{
	u8 ctl = inb(PORT_SYSCTLB);

	outb(PORT_SYSCTLB, (u8)((ctl & ~SYSCTLB_SPEAKER) | SYSCTLB_GATE2));
	outb(PIT_CMD, PIT_SEL_CH2 | PIT_LOHI | PIT_MODE0);
	outb(PIT_CH2, CAL_LATCH & 0xff);
	outb(PIT_CH2, CAL_LATCH >> 8);

	u64 start = rdtsc_ordered(), prev = start, now = start;
	u32 loops = 0;
	while (!(inb(PORT_SYSCTLB) & SYSCTLB_OUT2)) {
		prev = now;
		now = rdtsc_ordered();
		loops++;
	}
	u64 total = now - start;
	u64 last_poll = rdtsc_ordered() - prev;
	if (loops < CAL_MIN_LOOPS || last_poll * CAL_MAX_END_ERROR_DIV > total)
		return 0;
	return (u32)udiv64(total, CAL_MS, NULL);
}

u32 tsc_calibrate_khz(void)
{
	for (u32 i = 0; !khz && i < CAL_ATTEMPTS; i++)
		khz = calibrate_once();
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
