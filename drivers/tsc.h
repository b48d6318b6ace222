/* TSC frequency, calibrated at boot against the 8254 PIT (channel 2, gated by port 0x61). */
#pragma once
#include <stdint.h>

extern uint64_t tsc_hz;

void tsc_calibrate(void);

static inline uint64_t tsc_from_us(uint64_t us)
{
	return us * (tsc_hz / 1000000);
}

/* a * b / c with a 128-bit intermediate (MUL then DIV); the quotient must fit 64 bits. */
static inline uint64_t muldiv64(uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t q, r;
	__asm__("mulq %3\n\tdivq %4" : "=a"(q), "=&d"(r) : "a"(a), "rm"(b), "rm"(c) : "cc");
	return q;
}

/* Converts a TSC interval to ticks of a clock running at `hz`. */
static inline uint64_t tsc_to_ticks(uint64_t tsc_delta, uint64_t hz)
{
	return muldiv64(tsc_delta, hz, tsc_hz);
}

/* The TSC interval that spans `ticks` of a clock at `hz`, rounded up. */
static inline uint64_t ticks_to_tsc(uint64_t ticks, uint64_t hz)
{
	return muldiv64(ticks, tsc_hz, hz) + 1;
}
