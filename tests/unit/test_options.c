#include "kernel/console.h"
#include "kernel/options.h"
#include "tests/unit/check.h"
#include "tests/unit/shim.h"

enum log_level console_level = LOG_INFO;

static struct hv_options fresh(void)
{
	return (struct hv_options){.timeslice_us = 10000, .apicv = APICV_FULL};
}

TEST(empty_and_null_lines)
{
	struct hv_options o = fresh();
	CHECK_EQ(hv_options_parse(0, &o), 0);
	CHECK_EQ(hv_options_parse("", &o), 0);
	CHECK_EQ(hv_options_parse("   ", &o), 0);
	CHECK_EQ(o.timeslice_us, 10000);
}

TEST(all_options)
{
	struct hv_options o = fresh();
	CHECK_EQ(hv_options_parse("log=debug timeslice=2500 runtime=30 rtc=1700000000 selftest=exception", &o), 0);
	CHECK_EQ(console_level, LOG_DEBUG);
	CHECK_EQ(o.timeslice_us, 2500);
	CHECK_EQ(o.runtime_s, 30);
	CHECK_EQ(o.rtc_epoch, 1700000000);
	CHECK(o.selftest_exception);
	console_level = LOG_INFO;
}

TEST(bad_words_are_reported_and_skipped)
{
	struct hv_options o = fresh();
	shim_log_take();
	CHECK_EQ(hv_options_parse("bogus log=loud timeslice=12 runtime=0 rtc=x timeslice=500", &o), 5);
	const char *log = shim_log_take();
	CHECK(strstr(log, "'bogus' is not a valid option"));
	CHECK(strstr(log, "'log=loud'"));
	CHECK(strstr(log, "'timeslice=12'"));
	CHECK(strstr(log, "'runtime=0'"));
	CHECK(strstr(log, "'rtc=x'"));
	CHECK_EQ(o.timeslice_us, 500);
	CHECK_EQ(o.runtime_s, 0);
}

TEST(number_limits)
{
	struct hv_options o = fresh();
	CHECK_EQ(hv_options_parse("timeslice=1000001", &o), 1);
	CHECK_EQ(hv_options_parse("rtc=4294967295", &o), 0);
	CHECK_EQ(o.rtc_epoch, 4294967295ull);
	CHECK_EQ(hv_options_parse("rtc=4294967296", &o), 1);
	CHECK_EQ(hv_options_parse("rtc=99999999999", &o), 1);
}

/* At most 10 digits and at most 2^32 - 1, whatever the digits: no wrap at 2^32 or 2^64. */
TEST(number_bounds_at_2_32_and_2_64)
{
	struct hv_options o = fresh();
	CHECK_EQ(hv_options_parse("runtime=4294967295", &o), 0);
	CHECK_EQ(o.runtime_s, 4294967295u);
	CHECK_EQ(hv_options_parse("runtime=4294967296", &o), 1);
	CHECK_EQ(hv_options_parse("runtime=04294967295", &o), 1); /* 11 digits */
	CHECK_EQ(hv_options_parse("runtime=18446744073709551617", &o), 1);
	CHECK_EQ(hv_options_parse("runtime=0000000001", &o), 0);
	CHECK_EQ(o.runtime_s, 1);
	CHECK_EQ(hv_options_parse("rtc=9999999999", &o), 1);
	CHECK_EQ(o.rtc_epoch, 0);
	CHECK_EQ(hv_options_parse("rtc=", &o), 1);
}

TEST(timeslice_range_ends)
{
	struct hv_options o = fresh();
	CHECK_EQ(hv_options_parse("timeslice=100", &o), 0);
	CHECK_EQ(o.timeslice_us, 100);
	CHECK_EQ(hv_options_parse("timeslice=99", &o), 1);
	CHECK_EQ(hv_options_parse("timeslice=1000000", &o), 0);
	CHECK_EQ(o.timeslice_us, 1000000);
	CHECK_EQ(hv_options_parse("timeslice=4294967396", &o), 1); /* 2^32 + 100 */
	CHECK_EQ(o.timeslice_us, 1000000);
}

TEST(apicv_levels)
{
	struct hv_options o = fresh();
	CHECK_EQ(o.apicv, APICV_FULL);
	CHECK_EQ(hv_options_parse("apicv=off", &o), 0);
	CHECK_EQ(o.apicv, APICV_OFF);
	CHECK_EQ(hv_options_parse("apicv=basic", &o), 0);
	CHECK_EQ(o.apicv, APICV_BASIC);
	CHECK_EQ(hv_options_parse("apicv=full", &o), 0);
	CHECK_EQ(o.apicv, APICV_FULL);
	shim_log_take();
	CHECK_EQ(hv_options_parse("apicv=fast apicv= apicv=ful", &o), 3);
	CHECK(strstr(shim_log_take(), "'apicv=fast'"));
	CHECK_EQ(o.apicv, APICV_FULL);
}

TEST(spec_mitigations)
{
	struct hv_options o = fresh();
	CHECK(!o.spec_off);
	CHECK_EQ(hv_options_parse("spec=off", &o), 0);
	CHECK(o.spec_off);
	CHECK_EQ(hv_options_parse("spec=auto", &o), 0);
	CHECK(!o.spec_off);
	CHECK_EQ(hv_options_parse("spec=none", &o), 1);
	CHECK(!o.spec_off);
}

TEST(host_cpu_limit)
{
	struct hv_options o = fresh();
	CHECK_EQ(o.host_cpus, 0);
	CHECK_EQ(hv_options_parse("cpus=2", &o), 0);
	CHECK_EQ(o.host_cpus, 2);
	CHECK_EQ(hv_options_parse("cpus=0 cpus=9 cpus=x", &o), 3);
	CHECK_EQ(o.host_cpus, 2);
	CHECK_EQ(hv_options_parse("cpus=8", &o), 0);
	CHECK_EQ(o.host_cpus, 8);
}

TEST(selftest_needs_known_value)
{
	struct hv_options o = fresh();
	CHECK_EQ(hv_options_parse("selftest=reboot", &o), 1);
	CHECK(!o.selftest_exception);
}

CHECK_MAIN("options", CASE(apicv_levels), CASE(host_cpu_limit), CASE(spec_mitigations), CASE(empty_and_null_lines), CASE(all_options),
	   CASE(bad_words_are_reported_and_skipped), CASE(number_limits),
	   CASE(selftest_needs_known_value), CASE(number_bounds_at_2_32_and_2_64),
	   CASE(timeslice_range_ends))
