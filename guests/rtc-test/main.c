/* MC146818 RTC and CMOS: a plausible date in the mode register B selects, the update cycle
 * (UIP, one-second steps against the TSC), switching between BCD/binary and
 * 12/24-hour formats, register D, and the BIOS memory-size bytes. */
#include "guests/lib/cmos.h"
#include "guests/lib/printf.h"
#include "guests/lib/report.h"
#include "guests/lib/tsc.h"
#include "guests/rtc-test/clock.h"
#include "guests/rtc-test/tests.h"

#define KIB_BELOW_1M   640
#define KIB_1M_TO_16M  (15 * 1024)
#define KIB_PER_UNIT   64 /* CMOS_ABOVE_16M counts 64 KiB units */
#define CMOS_16BIT_MAX 0xffff

void test_rtc_date(void)
{
	u8 regb = cmos_read(RTC_REG_B), regd = cmos_read(RTC_REG_D);
	struct clock_time t;

	report(regd == RTC_D_VRT, "rtc: register D reads 0x80, valid RAM and time (0x%02x)", regd);
	bool still = clock_read(&t, regb);
	printf("rtc: %04u-%02u-%02u %02u:%02u:%02u (register B 0x%02x: %s, %s)\n", t.year, t.month,
	       t.mday, t.hour, t.min, t.sec, regb, regb & RTC_B_BINARY ? "binary" : "BCD",
	       regb & RTC_B_24H ? "24h" : "12h");
	report(!(regb & RTC_B_SET), "rtc: clock running (register B SET clear)");
	report(still && clock_plausible(&t), "rtc: date and time plausible for 2000-2099");
}

void test_cmos_memory(const struct mb1_info *mbi)
{
	u16 base = cmos_read16(CMOS_BASE_KB), ext = cmos_read16(CMOS_EXT_KB);
	u16 ext_post = cmos_read16(CMOS_EXT_KB_POST), above_16m = cmos_read16(CMOS_ABOVE_16M);

	report(base == KIB_BELOW_1M, "cmos: base memory 640 KiB (%u)", base);
	if (!(mbi->flags & MB1_INFO_MEM)) {
		report(false, "cmos: extended memory matches mem_upper (no Multiboot MEM info)");
		return;
	}
	u32 upper = mbi->mem_upper;
	u32 want_ext = upper < CMOS_16BIT_MAX ? upper : CMOS_16BIT_MAX;
	report(ext == want_ext && ext_post == want_ext,
	       "cmos: extended memory at 0x17 and 0x30 matches mem_upper (%u, %u, want %u KiB)",
	       ext, ext_post, want_ext);
	if (upper > KIB_1M_TO_16M)
		report(above_16m == (upper - KIB_1M_TO_16M) / KIB_PER_UNIT,
		       "cmos: memory above 16 MiB matches mem_upper (%u x 64 KiB)", above_16m);
}

int main(u32 magic, const struct mb1_info *mbi)
{
	(void)magic;
	printf("rtc-test: started\n");
	u32 khz = tsc_khz_for_timeouts();
	report(khz != 0, "rtc: TSC rate known for waits (%u kHz, %s)", khz,
	       tsc_calibrate_khz() ? "PIT-calibrated" : "from CPUID");
	test_rtc_date();
	if (khz)
		test_rtc_ticking();
	test_rtc_modes();
	test_cmos_memory(mbi);
	report_summary();
}
