/* Choosing the TSC frequency: what the CPU states (CPUID leaf 0x15, leaf 0x16,
 * MSR_PLATFORM_INFO; SDM vol. 3B 18.7.3, vol. 4 "MSRs in processors based on Nehalem")
 * checked against what a calibration measured (drivers/tsc.c: several windows against the
 * HPET, the ACPI PM timer or the PIT, so an SMI or a descheduling outer hypervisor in one
 * window does not skew the result). Pure logic, host-tested. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

/* What the CPU says. Fields of leaves it does not have are zero. */
struct tsc_cpu_info {
	bool intel;
	unsigned family, model; /* display family and model (extended fields folded in) */
	uint32_t max_leaf;
	uint32_t c15_eax, c15_ebx, c15_ecx; /* TSC/crystal ratio denominator, numerator, crystal Hz */
	uint32_t c16_eax;		    /* processor base frequency, MHz */
	bool have_platform_info;
	uint64_t platform_info; /* MSR 0xce; bits 15:8 maximum non-turbo ratio */
};

/* One calibration window: the TSC rate it measured and how long (in TSC ticks) the reads
 * of the reference bracketing it took; a window an SMI hit has a long bracket or an odd
 * rate. */
struct tsc_window {
	uint64_t hz;
	uint64_t bracket;
};

enum tsc_source {
	TSC_SRC_CPUID_15,      /* crystal clock and ratio */
	TSC_SRC_CPUID_16,      /* base frequency */
	TSC_SRC_PLATFORM_INFO, /* non-turbo ratio times the bus clock */
	TSC_SRC_CALIBRATED,    /* measured */
	TSC_SRC_GUESS,	       /* nothing worked */
};

#define TSC_GUESS_HZ	   2000000000ull /* a typical base clock; only when nothing else works */
#define TSC_AGREE_PER_MILLE 10	 /* stated and measured within 1%: trust the statement */

/* The frequency the CPU states, 0 if it states none; *src says which statement. */
uint64_t tsc_stated_hz(const struct tsc_cpu_info *ci, enum tsc_source *src);
/* The measurement of n windows: the median rate of those whose bracket is at most four
 * times the shortest; 0 if n is 0 or the kept windows disagree by more than 2%. */
uint64_t tsc_measured_hz(const struct tsc_window *w, unsigned n);

struct tsc_choice {
	uint64_t hz;
	enum tsc_source src;
	bool warn; /* the value is a guess, or the CPU's statement was overruled */
};
/* Stated when it agrees with the measurement (or nothing was measured), else measured;
 * a guess when neither exists. */
struct tsc_choice tsc_choose(const struct tsc_cpu_info *ci, uint64_t measured_hz);
const char *tsc_source_name(enum tsc_source s);
