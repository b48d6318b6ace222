/* Reading the RTC's clock registers in whatever format register B selects. */
#pragma once
#include "guests/lib/types.h"

struct clock_time {
	u32 year; /* century register * 100 + year register */
	u8 month, mday, hour, min, sec;
};

/* Waits for UIP clear and reads until two reads agree; decodes with register B = regb.
 * False if the registers never held still; fields that do not decode read 0xff. */
bool clock_read(struct clock_time *t, u8 regb);
bool clock_plausible(const struct clock_time *t);
u32 clock_second_of_day(const struct clock_time *t);
/* b - a in seconds of the day, across midnight. */
u32 clock_seconds_between(const struct clock_time *a, const struct clock_time *b);
