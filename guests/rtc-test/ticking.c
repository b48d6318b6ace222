/* The update cycle: UIP rises once a second, and the seconds step by one per TSC second.
 * Reads happen mid-second (0.5 s after an update) so a slightly fast or slow clock cannot
 * push a step across the read. */
#include "guests/lib/cmos.h"
#include "guests/lib/report.h"
#include "guests/lib/tsc.h"
#include "guests/lib/x86.h"
#include "guests/rtc-test/clock.h"
#include "guests/rtc-test/tests.h"

#define UIP_WATCH_MS 1100 /* one update cycle plus margin */
#define UIP_FALL_MS  10	  /* UIP lasts 244 us + 1984 us at most */

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

	bool rose = wait_uip(true, UIP_WATCH_MS);
	bool fell = rose && wait_uip(false, UIP_FALL_MS);
	report(rose && fell, "rtc: UIP seen set, then clear, within %u ms", UIP_WATCH_MS);

	tsc_spin_ms(500);
	bool ok = clock_read(&before, regb);
	tsc_spin_ms(1000);
	ok &= clock_read(&after, regb);
	u32 step = clock_seconds_between(&before, &after);
	report(ok && step == 1,
	       "rtc: seconds advance by 1 in one TSC second (%02u:%02u -> %02u:%02u)", before.min,
	       before.sec, after.min, after.sec);
}
