/* The update cycle: UIP rises once a second, each fall shows the next second, and the
 * seconds step by one per TSC second. Reads happen mid-second (0.5 s after an update) so a
 * slightly fast or slow clock cannot push a step across the read. */
#include "guests/lib/cmos.h"
#include "guests/lib/div64.h"
#include "guests/lib/report.h"
#include "guests/lib/tsc.h"
#include "guests/lib/x86.h"
#include "guests/rtc-test/clock.h"
#include "guests/rtc-test/tests.h"

#define UIP_WATCH_MS 1100 /* one update cycle plus margin */
#define UIP_FALL_MS  10	  /* UIP lasts 244 us + 1984 us at most */
#define UIP_CYCLES   2	  /* consecutive updates watched */
/* Two UIP rises are one second apart, give or take a poll (a UIP seen late). */
#define UIP_GAP_MIN_MS 900
#define UIP_GAP_MAX_MS 1100

/* Polls register A for up to ms milliseconds until UIP equals want. */
static bool wait_uip(bool want, u32 ms)
{
	u64 end = rdtsc() + tsc_from_ms(ms);

	do {
		if (!!(cmos_read(RTC_REG_A) & RTC_A_UIP) == want)
			return true;
	} while (rdtsc() < end);
	return false;
}

void test_rtc_ticking(void)
{
	u8 regb = cmos_read(RTC_REG_B);
	struct clock_time before, after;

	/* mhv shows UIP once for an update no read has seen yet, even after the update: a UIP
	 * owed for one before this test may come first. */
	bool ok = wait_uip(false, UIP_FALL_MS);
	struct clock_time at_fall[UIP_CYCLES];
	u64 rise_tsc[UIP_CYCLES];
	for (u32 i = 0; i < UIP_CYCLES; i++) {
		ok = ok && wait_uip(true, UIP_WATCH_MS);
		rise_tsc[i] = rdtsc();
		ok = ok && wait_uip(false, UIP_FALL_MS) && clock_read(&at_fall[i], regb);
	}
	report(ok, "rtc: UIP seen set, then clear, within %u ms, %u times", UIP_WATCH_MS,
	       UIP_CYCLES);
	u32 gap_ms = (u32)udiv64(rise_tsc[1] - rise_tsc[0], (u32)tsc_from_ms(1), 0);
	report(ok && gap_ms >= UIP_GAP_MIN_MS && gap_ms <= UIP_GAP_MAX_MS,
	       "rtc: UIP rises once a second (%u ms apart)", gap_ms);
	u32 step_at_fall = clock_seconds_between(&at_fall[0], &at_fall[1]);
	report(ok && step_at_fall == 1, "rtc: each UIP fall shows the next second (%02u -> %02u)",
	       at_fall[0].sec, at_fall[1].sec);

	tsc_spin_ms(500);
	ok = clock_read(&before, regb);
	tsc_spin_ms(1000);
	ok &= clock_read(&after, regb);
	u32 step = clock_seconds_between(&before, &after);
	report(ok && step == 1,
	       "rtc: seconds advance by 1 in one TSC second (%02u:%02u -> %02u:%02u)", before.min,
	       before.sec, after.min, after.sec);
}
