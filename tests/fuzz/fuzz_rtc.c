/* The MC146818 RTC: port accesses, time steps (ns), polls and memory sizes, from a random
 * start time; and the date arithmetic on its own over the years the RTC can show. */
#include "devices/rtc.h"
#include "tests/fuzz/fuzz_dev.h"

#define RTC_PORT 0x70
/* 0001-01-01 .. 9999-12-31: the years four BCD digits of century and year can name. */
#define SEC_MIN (-62135596800ll)
#define SEC_MAX 253402300799ll

static void check_date_roundtrip(int64_t sec)
{
	struct rtc_time t;
	rtc_time_from_epoch(sec, &t);
	FUZZ_CHECK(t.month >= 1 && t.month <= 12 && t.mday >= 1 && t.mday <= 31);
	FUZZ_CHECK(t.wday >= 1 && t.wday <= 7 && t.hour < 24 && t.min < 60 && t.sec < 60);
	FUZZ_CHECK(rtc_time_to_epoch(&t) == sec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = fuzz_input(data, size);
	/* Boot at any time from 1970 to about 2260 (the ns count stays within int64). */
	struct fuzz_clock clock = {fuzz_u64(&in) % (1ull << 63)};
	struct fuzz_irqs irqs = {0};
	struct irq_line irq8 = fuzz_irq_line(&irqs, 8);
	struct rtc rtc;
	struct io_bus bus = {0};
	static const uint16_t ports[] = {RTC_PORT, RTC_PORT + 1};
	rtc_init(&rtc, &irq8, fuzz_clock_now, &clock);
	FUZZ_CHECK(io_bus_register(&bus, RTC_PORT, 2, rtc_io, &rtc));
	while (fuzz_more(&in)) {
		switch (fuzz_below(&in, 5)) {
		case 0:
		case 1:
			fuzz_io(&bus, &in, ports, 2);
			break;
		case 2:
			fuzz_clock_step(&clock, &in);
			if (clock.now >= (1ull << 63))
				clock.now = (1ull << 63) - 1;
			break;
		case 3:
			rtc_update(&rtc);
			(void)rtc_interrupts_enabled(&rtc);
			(void)rtc_nmi_masked(&rtc);
			break;
		default:
			if (fuzz_bool(&in))
				rtc_set_memory_size(&rtc, fuzz_u64(&in));
			else
				check_date_roundtrip(
				    SEC_MIN +
				    (int64_t)(fuzz_u64(&in) % (uint64_t)(SEC_MAX - SEC_MIN + 1)));
			break;
		}
		FUZZ_CHECK(irqs.level[8] == rtc.irq_level);
	}
	return 0;
}
