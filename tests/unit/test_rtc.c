/* MC146818 RTC model: calendar arithmetic, register formats, SET, flags and CMOS bytes.
 * Expected dates are independent facts (e.g. 2000-02-29 was a Tuesday). */
#include "devices/rtc.h"
#include "tests/unit/check.h"

#define NS	     1000000000ull
#define T_2024_02_29 1709164800ull /* 2024-02-29 00:00:00 UTC, a Thursday */

static uint64_t now;
static bool irq8;

static uint64_t fake_clock(void *ctx)
{
	(void)ctx;
	return now;
}

static void irq_capture(void *ctx, unsigned irq, bool level)
{
	(void)ctx;
	CHECK_EQ(irq, 8);
	irq8 = level;
}

static const struct irq_sink sink = {irq_capture, 0};

/* The clock starts at 2024-02-29 12:34:56.5. */
static void setup(struct rtc *r)
{
	const struct irq_line line = {&sink, 8};
	now = (T_2024_02_29 + 12 * 3600 + 34 * 60 + 56) * NS + NS / 2;
	irq8 = false;
	rtc_init(r, &line, fake_clock, 0);
}

static void out8(struct rtc *r, uint16_t port, uint8_t v)
{
	struct io_access a = {.port = port, .size = 1, .write = true, .value = v};
	rtc_io(r, &a);
}

static uint8_t in8(struct rtc *r, uint16_t port)
{
	struct io_access a = {.port = port, .size = 1, .value = 0x12345678};
	rtc_io(r, &a);
	CHECK_EQ(a.value >> 8, 0);
	return (uint8_t)a.value;
}

static void wr(struct rtc *r, uint8_t reg, uint8_t v)
{
	out8(r, 0x70, reg);
	out8(r, 0x71, v);
}

static uint8_t rd(struct rtc *r, uint8_t reg)
{
	out8(r, 0x70, reg);
	return in8(r, 0x71);
}

static void check_date(int64_t sec, unsigned y, unsigned mo, unsigned d, unsigned h, unsigned mi,
		       unsigned s, unsigned wday)
{
	struct rtc_time t;
	rtc_time_from_epoch(sec, &t);
	CHECK_EQ(t.year, y);
	CHECK_EQ(t.month, mo);
	CHECK_EQ(t.mday, d);
	CHECK_EQ(t.hour, h);
	CHECK_EQ(t.min, mi);
	CHECK_EQ(t.sec, s);
	CHECK_EQ(t.wday, wday);
	CHECK_EQ(rtc_time_to_epoch(&t), sec);
}

TEST(epoch_zero_is_thursday)
{
	check_date(0, 1970, 1, 1, 0, 0, 0, 5);
}

TEST(before_epoch)
{
	check_date(-1, 1969, 12, 31, 23, 59, 59, 4);
}

TEST(leap_day_2000)
{
	check_date(951782400, 2000, 2, 29, 0, 0, 0, 3);
	check_date(951782400 + 86400, 2000, 3, 1, 0, 0, 0, 4);
}

TEST(millennium_rollover)
{
	check_date(946684799, 1999, 12, 31, 23, 59, 59, 6);
	check_date(946684800, 2000, 1, 1, 0, 0, 0, 7);
}

TEST(year_2038)
{
	check_date(2147483647, 2038, 1, 19, 3, 14, 7, 3);
	check_date(2147483648ll, 2038, 1, 19, 3, 14, 8, 3);
}

TEST(year_2100_not_leap)
{
	check_date(4107542400ll - 86400, 2100, 2, 28, 0, 0, 0, 1);
	check_date(4107542400ll, 2100, 3, 1, 0, 0, 0, 2);
}

TEST(leap_day_2024)
{
	check_date(T_2024_02_29, 2024, 2, 29, 0, 0, 0, 5);
	check_date(T_2024_02_29 - 1, 2024, 2, 28, 23, 59, 59, 4);
}

TEST(epoch_round_trip)
{
	struct rtc_time t;
	for (int64_t s = -86400ll * 800; s < 86400ll * 365 * 500; s += 7777777) {
		rtc_time_from_epoch(s, &t);
		CHECK_EQ(rtc_time_to_epoch(&t), s);
		CHECK(t.month >= 1 && t.month <= 12 && t.mday >= 1 && t.mday <= 31);
	}
}

TEST(clock_registers_bcd_24h)
{
	struct rtc r;
	setup(&r);
	CHECK_EQ(rd(&r, 0x0b), 0x02);
	CHECK_EQ(rd(&r, 0x00), 0x56);
	CHECK_EQ(rd(&r, 0x02), 0x34);
	CHECK_EQ(rd(&r, 0x04), 0x12);
	CHECK_EQ(rd(&r, 0x06), 0x05);
	CHECK_EQ(rd(&r, 0x07), 0x29);
	CHECK_EQ(rd(&r, 0x08), 0x02);
	CHECK_EQ(rd(&r, 0x09), 0x24);
	CHECK_EQ(rd(&r, 0x32), 0x20);
}

TEST(clock_registers_binary)
{
	struct rtc r;
	setup(&r);
	wr(&r, 0x0b, 0x06);
	CHECK_EQ(rd(&r, 0x00), 56);
	CHECK_EQ(rd(&r, 0x02), 34);
	CHECK_EQ(rd(&r, 0x04), 12);
	CHECK_EQ(rd(&r, 0x07), 29);
	CHECK_EQ(rd(&r, 0x09), 24);
	CHECK_EQ(rd(&r, 0x32), 20);
}

TEST(clock_follows_time_source)
{
	struct rtc r;
	setup(&r);
	now += 4 * NS;
	CHECK_EQ(rd(&r, 0x00), 0x00);
	CHECK_EQ(rd(&r, 0x02), 0x35);
	now += 12ull * 3600 * NS; /* past midnight into March */
	CHECK_EQ(rd(&r, 0x04), 0x00);
	CHECK_EQ(rd(&r, 0x07), 0x01);
	CHECK_EQ(rd(&r, 0x08), 0x03);
	CHECK_EQ(rd(&r, 0x06), 0x06);
}

TEST(twelve_hour_pm)
{
	struct rtc r;
	setup(&r);
	now += 10ull * 3600 * NS; /* 22:34 */
	wr(&r, 0x0b, 0x00);
	CHECK_EQ(rd(&r, 0x04), 0x90); /* BCD 10 | PM */
	wr(&r, 0x0b, 0x04);
	CHECK_EQ(rd(&r, 0x04), 0x8a); /* binary 10 | PM */
	wr(&r, 0x0b, 0x06);
	CHECK_EQ(rd(&r, 0x04), 22);
}

TEST(twelve_hour_midnight_and_noon)
{
	struct rtc r;
	setup(&r);
	wr(&r, 0x0b, 0x00);
	CHECK_EQ(rd(&r, 0x04), 0x92); /* 12:34 is 12 PM */
	now -= 12ull * 3600 * NS;     /* 00:34 is 12 AM */
	CHECK_EQ(rd(&r, 0x04), 0x12);
	now += 3600 * NS; /* 01:34 AM */
	CHECK_EQ(rd(&r, 0x04), 0x01);
}

TEST(uip_in_last_244us)
{
	struct rtc r;
	setup(&r);
	uint64_t second = now - NS / 2;
	now = second + NS - 244000;
	CHECK_EQ(rd(&r, 0x0a), 0xa6);
	now = second + NS - 1;
	CHECK_EQ(rd(&r, 0x0a), 0xa6);
	now = second + NS - 244001;
	CHECK_EQ(rd(&r, 0x0a), 0x26);
	now = second + NS;
	CHECK_EQ(rd(&r, 0x0a), 0x26);
}

TEST(uip_clear_while_set)
{
	struct rtc r;
	setup(&r);
	wr(&r, 0x0b, 0x82);
	now = now - NS / 2 + NS - 1000;
	CHECK_EQ(rd(&r, 0x0a) & 0x80, 0);
}

/* A guest that looks at register A every `step` ns for `seconds` s from 12:34:56.5. Each
 * update must be seen as UIP = 1 exactly once per cycle, and whenever UIP falls the seconds
 * register must show the updated second. Returns how many UIP = 1 reads came after their
 * update was already done. */
static unsigned poll_uip(uint64_t step, unsigned seconds)
{
	struct rtc r;
	setup(&r);
	uint64_t start = now, end = now + seconds * NS;
	unsigned rises = 0, late = 0, want_sec = 0x57;
	bool prev = false;
	for (now = start + step; now < end; now += step) {
		bool uip = rd(&r, 0x0a) & 0x80;
		uint8_t sec = rd(&r, 0x00);
		bool in_window = now % NS >= NS - 244000;
		if (uip && !prev)
			rises++;
		if (uip && !in_window)
			late++;
		if (step > 244000)
			CHECK(!(uip && prev)); /* one UIP read per update for a slow poller */
		if (!uip && prev) {
			CHECK_EQ(sec, want_sec);
			want_sec++;
		}
		prev = uip;
	}
	CHECK_EQ(rises, seconds); /* one update per second crossed */
	return late;
}

TEST(uip_fast_poller_sees_the_window)
{
	CHECK_EQ(poll_uip(50000, 3), 0); /* always inside the 244 us */
	CHECK_EQ(poll_uip(120000, 3), 0);
}

TEST(uip_slow_poller_sees_every_update)
{
	CHECK(poll_uip(300000, 3) > 0);	   /* some windows fall between two reads */
	CHECK_EQ(poll_uip(1000000, 3), 3); /* reads at .5 + k ms never hit a window */
	CHECK(poll_uip(2345678, 3) > 0);
	CHECK(poll_uip(97000000, 3) > 0);
}

TEST(uip_late_read_after_descheduling)
{
	struct rtc r;
	setup(&r);
	now += NS / 2 - 300000; /* 56.9997: just before the window */
	CHECK_EQ(rd(&r, 0x0a), 0x26);
	now += 2 * NS / 3; /* away across the update to 57.66 */
	CHECK_EQ(rd(&r, 0x0a), 0xa6);
	CHECK_EQ(rd(&r, 0x00), 0x57); /* the update is done */
	CHECK_EQ(rd(&r, 0x0a), 0x26);
	CHECK_EQ(rd(&r, 0x00), 0x57);
	now += 2 * NS; /* two updates missed: shown once */
	CHECK_EQ(rd(&r, 0x0a), 0xa6);
	CHECK_EQ(rd(&r, 0x0a), 0x26);
	CHECK_EQ(rd(&r, 0x00), 0x59);
}

TEST(uip_not_owed_for_earlier_updates)
{
	struct rtc r;
	setup(&r);
	CHECK_EQ(rd(&r, 0x0a), 0x26); /* updates before power-on are not shown */
	wr(&r, 0x0b, 0x82);
	now += 3 * NS;
	CHECK_EQ(rd(&r, 0x0a), 0x26);
	wr(&r, 0x0b, 0x02); /* setting the clock is no update to show */
	CHECK_EQ(rd(&r, 0x0a), 0x26);
	now += NS / 4;
	CHECK_EQ(rd(&r, 0x0a), 0x26);
	wr(&r, 0x00, 0x30); /* nor is moving the running clock */
	now += NS / 4;
	CHECK_EQ(rd(&r, 0x0a), 0x26);
	now += NS;
	CHECK_EQ(rd(&r, 0x0a), 0xa6);
	CHECK_EQ(rd(&r, 0x00), 0x31);
}

TEST(reg_a_uip_read_only)
{
	struct rtc r;
	setup(&r);
	wr(&r, 0x0a, 0xff);
	CHECK_EQ(rd(&r, 0x0a), 0x7f);
}

TEST(reg_d_reports_valid_ram)
{
	struct rtc r;
	setup(&r);
	CHECK_EQ(rd(&r, 0x0d), 0x80);
	wr(&r, 0x0d, 0x00);
	CHECK_EQ(rd(&r, 0x0d), 0x80);
}

TEST(reg_c_clears_on_read)
{
	struct rtc r;
	setup(&r);
	wr(&r, 0x0a, 0x20); /* no periodic flag in the way */
	CHECK_EQ(rd(&r, 0x0c), 0x00);
	now += NS;
	CHECK_EQ(rd(&r, 0x0c), 0x10); /* UF without UIE: no IRQF */
	CHECK_EQ(rd(&r, 0x0c), 0x00);
}

TEST(update_interrupt_on_irq8)
{
	struct rtc r;
	setup(&r);
	wr(&r, 0x0b, 0x12);
	rtc_update(&r);
	CHECK(!irq8);
	now += NS / 2; /* crosses the second boundary */
	rtc_update(&r);
	CHECK(irq8);
	CHECK_EQ(rd(&r, 0x0c) & 0xb0, 0x90);
	CHECK(!irq8);
	rtc_update(&r);
	CHECK(!irq8);
}

TEST(periodic_interrupt_rate)
{
	struct rtc r;
	setup(&r); /* register A = 0x26: 1024 Hz */
	wr(&r, 0x0b, 0x42);
	rd(&r, 0x0c);
	now += 1000000; /* one 976.5 us period has passed */
	rtc_update(&r);
	CHECK(irq8);
	CHECK_EQ(rd(&r, 0x0c) & 0xc0, 0xc0);
	now += 100000; /* well inside the next period */
	CHECK_EQ(rd(&r, 0x0c) & 0x40, 0);
	wr(&r, 0x0a, 0x2f); /* 2 Hz */
	rd(&r, 0x0c);
	now += 100000000;
	CHECK_EQ(rd(&r, 0x0c) & 0x40, 0);
	now += 500000000;
	CHECK_EQ(rd(&r, 0x0c) & 0x40, 0x40);
}

TEST(periodic_slow_rates_1_and_2)
{
	struct rtc r;
	setup(&r);
	wr(&r, 0x0a, 0x21); /* rate 1 repeats rate 8: 3.90625 ms */
	now -= NS / 2;	    /* on a second boundary, hence on a period boundary */
	rd(&r, 0x0c);
	now += 3900000;
	CHECK_EQ(rd(&r, 0x0c) & 0x40, 0);
	now += 100000;
	CHECK_EQ(rd(&r, 0x0c) & 0x40, 0x40);
	wr(&r, 0x0a, 0x22);	  /* rate 2 repeats rate 9: 7.8125 ms */
	now += 7800000 - 4000000; /* 7.8 ms into the second */
	CHECK_EQ(rd(&r, 0x0c) & 0x40, 0);
	now += 100000;
	CHECK_EQ(rd(&r, 0x0c) & 0x40, 0x40);
}

TEST(periodic_flag_without_pie)
{
	struct rtc r;
	setup(&r);
	rd(&r, 0x0c);
	now += 1000000;
	rtc_update(&r);
	CHECK(!irq8);
	CHECK_EQ(rd(&r, 0x0c), 0x40); /* PF is set whatever PIE says; IRQF is not */
}

TEST(periodic_off_at_rate_zero)
{
	struct rtc r;
	setup(&r);
	wr(&r, 0x0a, 0x20);
	wr(&r, 0x0b, 0x42);
	rd(&r, 0x0c);
	now += NS / 4;
	rtc_update(&r);
	CHECK(!irq8);
	CHECK_EQ(rd(&r, 0x0c), 0x00);
}

/* The poller learns the exact time of the next periodic tick, so it never lets two ticks
 * pass between polls (each would be one interrupt; two in one poll make one). */
TEST(next_event_periodic_and_update)
{
	struct rtc r;
	setup(&r); /* 56.5 s: on a 1024 Hz tick boundary */
	uint64_t start = now;
	CHECK_EQ(rtc_next_event_ns(&r), UINT64_MAX);
	wr(&r, 0x0b, 0x42);
	rd(&r, 0x0c);
	CHECK_EQ(rtc_next_event_ns(&r), start + 976563); /* 32 ticks of 30517.578125 ns */
	now = rtc_next_event_ns(&r);
	rtc_update(&r);
	CHECK(irq8);
	CHECK_EQ(rd(&r, 0x0c) & 0x40, 0x40);
	CHECK_EQ(rtc_next_event_ns(&r), start + 1953125);
	now = start + 3 * 976563; /* polled late: a tick is due, not latched yet */
	CHECK_EQ(rtc_next_event_ns(&r), now);
	rtc_update(&r);
	CHECK_EQ(rtc_next_event_ns(&r), start + 3906250);
	wr(&r, 0x0b, 0x12); /* update-ended only: the next second */
	rd(&r, 0x0c);
	CHECK_EQ(rtc_next_event_ns(&r), start + NS / 2);
	wr(&r, 0x0b, 0x92); /* SET stops update cycles (and clears UIE) */
	CHECK_EQ(rtc_next_event_ns(&r), UINT64_MAX);
}

TEST(alarm_flag_at_matching_second)
{
	struct rtc r;
	setup(&r);
	wr(&r, 0x01, 0x00);
	wr(&r, 0x03, 0x35);
	wr(&r, 0x05, 0x12);
	wr(&r, 0x0b, 0x22);
	rd(&r, 0x0c);
	now += 3 * NS; /* 12:34:59 */
	CHECK_EQ(rd(&r, 0x0c) & 0xb0, 0x10);
	now += NS; /* 12:35:00 */
	rtc_update(&r);
	CHECK(irq8);
	CHECK_EQ(rd(&r, 0x0c) & 0xb0, 0xb0);
	now += NS;
	CHECK_EQ(rd(&r, 0x0c) & 0xb0, 0x10);
}

TEST(alarm_dont_care_and_skipped_polls)
{
	struct rtc r;
	setup(&r);
	wr(&r, 0x01, 0x30);
	wr(&r, 0x03, 0xc0);
	wr(&r, 0x05, 0xff);
	rd(&r, 0x0c);
	now += 10 * NS; /* 12:35:06 */
	CHECK_EQ(rd(&r, 0x0c) & 0x20, 0);
	now += 30 * NS; /* 12:35:36: :30 went by between two reads */
	CHECK_EQ(rd(&r, 0x0c) & 0x20, 0x20);
}

TEST(set_freezes_clock_and_stops_updates)
{
	struct rtc r;
	setup(&r);
	wr(&r, 0x0b, 0x92); /* SET | UIE: UIE is cleared by SET */
	CHECK_EQ(rd(&r, 0x0b), 0x82);
	rd(&r, 0x0c);
	now += 5 * NS;
	CHECK_EQ(rd(&r, 0x00), 0x56);
	CHECK_EQ(rd(&r, 0x0c) & 0x10, 0);
}

TEST(set_and_write_new_time)
{
	struct rtc r;
	setup(&r);
	wr(&r, 0x0b, 0x82);
	wr(&r, 0x00, 0x10);
	wr(&r, 0x02, 0x09);
	wr(&r, 0x04, 0x08);
	wr(&r, 0x07, 0x15);
	wr(&r, 0x08, 0x06);
	wr(&r, 0x09, 0x30);
	wr(&r, 0x32, 0x20);
	now += 7 * NS; /* still frozen */
	CHECK_EQ(rd(&r, 0x00), 0x10);
	wr(&r, 0x0b, 0x02);
	CHECK_EQ(rd(&r, 0x0c) & 0x30, 0x00); /* setting the clock owes no update */
	now += 61 * NS;
	CHECK_EQ(rd(&r, 0x00), 0x11);
	CHECK_EQ(rd(&r, 0x02), 0x10);
	CHECK_EQ(rd(&r, 0x04), 0x08);
	CHECK_EQ(rd(&r, 0x07), 0x15);
	CHECK_EQ(rd(&r, 0x08), 0x06);
	CHECK_EQ(rd(&r, 0x09), 0x30);
	CHECK_EQ(rd(&r, 0x32), 0x20);
	CHECK_EQ(rd(&r, 0x06), 0x07); /* 2030-06-15 is a Saturday */
}

TEST(set_time_in_binary_12h)
{
	struct rtc r;
	setup(&r);
	wr(&r, 0x0b, 0x84);
	wr(&r, 0x04, 0x83); /* 3 PM */
	wr(&r, 0x02, 45);
	wr(&r, 0x0b, 0x06);
	CHECK_EQ(rd(&r, 0x04), 15);
	CHECK_EQ(rd(&r, 0x02), 45);
	wr(&r, 0x0b, 0x84);
	wr(&r, 0x04, 0x12); /* binary 18 without PM, i.e. 18 % 12 = 6 AM */
	wr(&r, 0x0b, 0x06);
	CHECK_EQ(rd(&r, 0x04), 6);
}

TEST(write_while_running_moves_clock)
{
	struct rtc r;
	setup(&r);
	wr(&r, 0x09, 0x25);
	CHECK_EQ(rd(&r, 0x09), 0x25);
	CHECK_EQ(rd(&r, 0x08), 0x03); /* 2025 has no Feb 29: March 1st */
	CHECK_EQ(rd(&r, 0x07), 0x01);
	now += 2 * NS;
	CHECK_EQ(rd(&r, 0x00), 0x58);
}

TEST(nmi_mask_bit_and_index_masking)
{
	struct rtc r;
	setup(&r);
	CHECK(!rtc_nmi_masked(&r));
	out8(&r, 0x70, 0x8d);
	CHECK(rtc_nmi_masked(&r));
	CHECK_EQ(in8(&r, 0x71), 0x80); /* register D, not 0x8d */
	out8(&r, 0x70, 0x8a);
	CHECK_EQ(in8(&r, 0x71), 0x26);
	out8(&r, 0x70, 0x0a);
	CHECK(!rtc_nmi_masked(&r));
}

TEST(index_port_reads_ff)
{
	struct rtc r;
	setup(&r);
	out8(&r, 0x70, 0x0b);
	CHECK_EQ(in8(&r, 0x70), 0xff);
}

TEST(cmos_ram_read_write)
{
	struct rtc r;
	setup(&r);
	wr(&r, 0x40, 0xa5);
	wr(&r, 0x7f, 0x5a);
	CHECK_EQ(rd(&r, 0x40), 0xa5);
	CHECK_EQ(rd(&r, 0x7f), 0x5a);
	CHECK_EQ(rd(&r, 0x10), 0x00);
}

TEST(memory_size_256m)
{
	struct rtc r;
	setup(&r);
	rtc_set_memory_size(&r, 256ull << 20);
	CHECK_EQ(rd(&r, 0x15) | rd(&r, 0x16) << 8, 640);
	CHECK_EQ(rd(&r, 0x17) | rd(&r, 0x18) << 8, 0xffff); /* 255 MiB in KiB, capped */
	CHECK_EQ(rd(&r, 0x30) | rd(&r, 0x31) << 8, 0xffff);
	CHECK_EQ(rd(&r, 0x34) | rd(&r, 0x35) << 8, 240 * 16);
	CHECK_EQ(rd(&r, 0x5b) | rd(&r, 0x5c) << 8 | rd(&r, 0x5d) << 16, 0);
}

TEST(memory_size_small)
{
	struct rtc r;
	setup(&r);
	rtc_set_memory_size(&r, 8ull << 20);
	CHECK_EQ(rd(&r, 0x17) | rd(&r, 0x18) << 8, 7 * 1024);
	CHECK_EQ(rd(&r, 0x30) | rd(&r, 0x31) << 8, 7 * 1024);
	CHECK_EQ(rd(&r, 0x34) | rd(&r, 0x35) << 8, 0);
}

TEST(memory_size_above_4g)
{
	struct rtc r;
	setup(&r);
	rtc_set_memory_size(&r, 6ull << 30);
	CHECK_EQ(rd(&r, 0x34) | rd(&r, 0x35) << 8, 0xff00); /* 4 GiB - 16 MiB */
	CHECK_EQ(rd(&r, 0x5b) | rd(&r, 0x5c) << 8 | rd(&r, 0x5d) << 16, 0x8000);
	rtc_set_memory_size(&r, 1ull << 42);
	CHECK_EQ(rd(&r, 0x5b) | rd(&r, 0x5c) << 8 | rd(&r, 0x5d) << 16, 0xffffff);
}

/* Years past 2262 have no 64-bit nanosecond count: setting one must still run the clock
 * (found by tests/fuzz/fuzz_rtc: the offset overflowed int64). */
TEST(year_9999_runs)
{
	struct rtc r;
	setup(&r);
	wr(&r, 0x0b, 0x82);
	wr(&r, 0x32, 0x99);
	wr(&r, 0x09, 0x99);
	wr(&r, 0x08, 0x12);
	wr(&r, 0x07, 0x31);
	wr(&r, 0x04, 0x23);
	wr(&r, 0x02, 0x59);
	wr(&r, 0x00, 0x58);
	wr(&r, 0x0b, 0x02);
	now += NS + NS / 10;
	CHECK_EQ(rd(&r, 0x00), 0x59);
	CHECK_EQ(rd(&r, 0x09), 0x99);
	CHECK_EQ(rd(&r, 0x32), 0x99);
	CHECK_EQ(rd(&r, 0x06), 0x06); /* 9999-12-31 is a Friday */
	CHECK_EQ(rd(&r, 0x0c) & 0x10, 0x10);
	now += NS - NS / 10 - 100000; /* inside the UIP window before 10000-01-01 */
	CHECK_EQ(rd(&r, 0x0a) & 0x80, 0x80);
}

/* In binary mode the century byte reaches 255: year 25599, set while the clock runs. */
TEST(binary_century_255_runs)
{
	struct rtc r;
	setup(&r);
	wr(&r, 0x0b, 0x06);
	wr(&r, 0x32, 0xff);
	CHECK_EQ(rd(&r, 0x32), 0xff);
	CHECK_EQ(rd(&r, 0x09), 24);
	now += 2 * NS;
	CHECK_EQ(rd(&r, 0x00), 58);
	CHECK_EQ(rd(&r, 0x32), 0xff);
}

TEST(word_access_selects_and_writes)
{
	struct rtc r;
	setup(&r);
	struct io_access a = {.port = 0x70, .size = 2, .write = true, .value = 0x6641};
	rtc_io(&r, &a);
	CHECK_EQ(rd(&r, 0x41), 0x66);
	out8(&r, 0x70, 0x41);
	a = (struct io_access){.port = 0x70, .size = 2};
	rtc_io(&r, &a);
	CHECK_EQ(a.value, 0x66ff);
}

CHECK_MAIN("rtc", CASE(epoch_zero_is_thursday), CASE(before_epoch), CASE(leap_day_2000),
	   CASE(millennium_rollover), CASE(year_2038), CASE(year_2100_not_leap),
	   CASE(leap_day_2024), CASE(epoch_round_trip), CASE(clock_registers_bcd_24h),
	   CASE(clock_registers_binary), CASE(clock_follows_time_source), CASE(twelve_hour_pm),
	   CASE(twelve_hour_midnight_and_noon), CASE(uip_in_last_244us), CASE(uip_clear_while_set),
	   CASE(uip_fast_poller_sees_the_window), CASE(uip_slow_poller_sees_every_update),
	   CASE(uip_late_read_after_descheduling), CASE(uip_not_owed_for_earlier_updates),
	   CASE(reg_a_uip_read_only), CASE(reg_d_reports_valid_ram), CASE(reg_c_clears_on_read),
	   CASE(update_interrupt_on_irq8), CASE(periodic_interrupt_rate),
	   CASE(periodic_slow_rates_1_and_2), CASE(periodic_flag_without_pie),
	   CASE(periodic_off_at_rate_zero), CASE(next_event_periodic_and_update),
	   CASE(alarm_flag_at_matching_second),
	   CASE(alarm_dont_care_and_skipped_polls), CASE(set_freezes_clock_and_stops_updates),
	   CASE(set_and_write_new_time), CASE(set_time_in_binary_12h),
	   CASE(write_while_running_moves_clock), CASE(nmi_mask_bit_and_index_masking),
	   CASE(index_port_reads_ff), CASE(cmos_ram_read_write), CASE(memory_size_256m),
	   CASE(memory_size_small), CASE(memory_size_above_4g),
	   CASE(word_access_selects_and_writes), CASE(year_9999_runs),
	   CASE(binary_century_255_runs))
