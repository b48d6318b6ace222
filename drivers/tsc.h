/* TSC frequency, calibrated at boot against the 8254 PIT (channel 2, gated by port 0x61). */
#pragma once
#include <stdint.h>

extern uint64_t tsc_hz;

void tsc_calibrate(void);

static inline uint64_t tsc_from_us(uint64_t us)
{
	return us * (tsc_hz / 1000000);
}
