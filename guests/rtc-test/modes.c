/* Register B's formats: flipping DM (BCD/binary) or 24/12-hour must give the same time in
 * the new format at once. The MC146818 itself leaves old bytes unconverted until software
 * rewrites the clock, but an emulated RTC derives every read from one time source, as
 * QEMU's and mhv's do. Each flipped read is bracketed by two reads in the original mode. */
#include "guests/lib/cmos.h"
#include "guests/lib/report.h"
#include "guests/rtc-test/clock.h"
#include "guests/rtc-test/tests.h"

static bool same_date(const struct clock_time *a, const struct clock_time *b)
{
	return a->year == b->year && a->month == b->month && a->mday == b->mday;
}

/* True if the time read with register B ^ flip lies between the two reads around it. */
static bool consistent_after_flip(u8 flip, struct clock_time *flipped, u8 *regb_flipped)
{
	u8 regb = cmos_read(RTC_REG_B);
	struct clock_time first, last;

	bool ok = clock_read(&first, regb);
	cmos_write(RTC_REG_B, regb ^ flip);
	*regb_flipped = cmos_read(RTC_REG_B);
	ok &= clock_read(flipped, regb ^ flip);
	cmos_write(RTC_REG_B, regb);
	ok &= clock_read(&last, regb);

	u32 span = clock_seconds_between(&first, &last);
	return ok && *regb_flipped == (regb ^ flip) && clock_plausible(flipped) && span <= 1 &&
	       clock_seconds_between(&first, flipped) <= span && same_date(&first, flipped) &&
	       same_date(flipped, &last);
}

void test_rtc_modes(void)
{
	struct clock_time t;
	u8 regb;

	bool ok = consistent_after_flip(RTC_B_BINARY, &t, &regb);
	report(ok, "rtc: switching %s mode gives the same time (B 0x%02x: %02u:%02u:%02u)",
	       regb & RTC_B_BINARY ? "to binary" : "to BCD", regb, t.hour, t.min, t.sec);

	ok = consistent_after_flip(RTC_B_24H, &t, &regb);
	report(ok, "rtc: switching to %s mode gives the same time (B 0x%02x: %02u:%02u:%02u)",
	       regb & RTC_B_24H ? "24-hour" : "12-hour", regb, t.hour, t.min, t.sec);
}
