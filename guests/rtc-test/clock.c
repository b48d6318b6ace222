#include "guests/rtc-test/clock.h"
#include "guests/lib/cmos.h"
#include "guests/lib/string.h"

#define UIP_POLL_LIMIT 100000 /* UIP lasts about 2 ms; polls are slower than 20 ns */
#define READ_ATTEMPTS  5
#define BAD	       0xff
#define SEC_PER_DAY    86400u

struct raw_time {
	u8 sec, min, hour, mday, month, year, century;
};

static void read_raw(struct raw_time *r)
{
	for (u32 i = 0; i < UIP_POLL_LIMIT && (cmos_read(RTC_REG_A) & RTC_A_UIP); i++)
		;
	r->sec = cmos_read(RTC_SEC);
	r->min = cmos_read(RTC_MIN);
	r->hour = cmos_read(RTC_HOUR);
	r->mday = cmos_read(RTC_MDAY);
	r->month = cmos_read(RTC_MONTH);
	r->year = cmos_read(RTC_YEAR);
	r->century = cmos_read(RTC_CENTURY);
}

static u8 decode(u8 v, u8 regb)
{
	if (regb & RTC_B_BINARY)
		return v;
	if ((v & 0xf) > 9 || (v >> 4) > 9)
		return BAD;
	return (u8)((v >> 4) * 10 + (v & 0xf));
}

/* 12-hour mode counts 12, 1, ..., 11 with bit 7 set for PM. */
static u8 decode_hour(u8 v, u8 regb)
{
	if (regb & RTC_B_24H)
		return decode(v, regb);
	u8 h = decode(v & ~RTC_HOUR_PM, regb);
	if (h < 1 || h > 12)
		return BAD;
	return (u8)(h % 12 + (v & RTC_HOUR_PM ? 12 : 0));
}

bool clock_read(struct clock_time *t, u8 regb)
{
	struct raw_time a, b;
	bool still = false;

	for (u32 i = 0; i < READ_ATTEMPTS && !still; i++) {
		read_raw(&a);
		read_raw(&b);
		still = memcmp(&a, &b, sizeof(a)) == 0;
	}
	u8 century = decode(b.century, regb), year = decode(b.year, regb);
	t->year = century == BAD || year == BAD ? 0 : century * 100u + year;
	t->month = decode(b.month, regb);
	t->mday = decode(b.mday, regb);
	t->hour = decode_hour(b.hour, regb);
	t->min = decode(b.min, regb);
	t->sec = decode(b.sec, regb);
	return still;
}

bool clock_plausible(const struct clock_time *t)
{
	return t->year >= 2000 && t->year <= 2099 && t->month >= 1 && t->month <= 12 &&
	       t->mday >= 1 && t->mday <= 31 && t->hour < 24 && t->min < 60 && t->sec < 60;
}

u32 clock_second_of_day(const struct clock_time *t)
{
	return (t->hour * 60u + t->min) * 60u + t->sec;
}

u32 clock_seconds_between(const struct clock_time *a, const struct clock_time *b)
{
	return (clock_second_of_day(b) + SEC_PER_DAY - clock_second_of_day(a)) % SEC_PER_DAY;
}
