/* TSC frequency: what the CPU states (CPUID 0x15/0x16, MSR_PLATFORM_INFO), checked against a
 * calibration on the HPET, the ACPI PM timer or PIT channel 2 (drivers/tsc_freq.h). */
#pragma once
#include "drivers/acpi_host.h"
#include <stdint.h>

extern uint64_t tsc_hz;

/* Needs the direct map (the HPET's registers get mapped). */
void tsc_calibrate(const struct acpi_platform *acpi);

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
