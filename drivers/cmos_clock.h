/* The host's battery-backed CMOS clock, read once at boot for the guests' RTCs. */
#pragma once
#include <stdint.h>

/* Seconds since 1970-01-01 00:00 UTC (the CMOS clock is taken to hold UTC). */
uint64_t host_rtc_epoch(void);
