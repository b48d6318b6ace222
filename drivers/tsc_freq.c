#include "drivers/tsc_freq.h"

#define MHZ		    1000000ull
#define PLATFORM_INFO_RATIO(v) (((v) >> 8) & 0xff)
#define BUS_100MHZ	    100000000ull
#define BUS_133MHZ	    133333333ull /* Nehalem and Westmere */
#define MAX_KEPT_WINDOWS    16
#define SPREAD_PER_MILLE    20

/* Intel family 6 models whose leaf 0x15 gives no crystal frequency (ECX = 0) though it has
 * one: the values the SDM lists for them (vol. 3B 18.7.3). */
static uint64_t known_crystal_hz(const struct tsc_cpu_info *ci)
{
	if (!ci->intel || ci->family != 6)
		return 0;
	switch (ci->model) {
	case 0x4e: /* Skylake mobile */
	case 0x5e: /* Skylake desktop */
	case 0x8e: /* Kaby Lake / Coffee Lake mobile */
	case 0x9e: /* Kaby Lake / Coffee Lake desktop */
		return 24000000;
	case 0x5f: /* Goldmont (Denverton) */
		return 25000000;
	case 0x5c: /* Goldmont (Apollo Lake) */
		return 19200000;
	default:
		return 0;
	}
}

static bool bus_133mhz(const struct tsc_cpu_info *ci)
{
	switch (ci->model) {
	case 0x1a: /* Nehalem-EP */
	case 0x1e: /* Lynnfield */
	case 0x1f:
	case 0x2e: /* Nehalem-EX */
	case 0x25: /* Westmere (Arrandale, Clarkdale) */
	case 0x2c: /* Westmere-EP */
	case 0x2f: /* Westmere-EX */
		return true;
	default:
		return false;
	}
}

uint64_t tsc_stated_hz(const struct tsc_cpu_info *ci, enum tsc_source *src)
{
	if (ci->max_leaf >= 0x15 && ci->c15_eax && ci->c15_ebx) {
		uint64_t crystal = ci->c15_ecx ? ci->c15_ecx : known_crystal_hz(ci);
		/* Without a crystal value, leaf 0x16's base frequency is the TSC's. */
		if (!crystal && ci->max_leaf >= 0x16 && ci->c16_eax)
			crystal = ci->c16_eax * MHZ * ci->c15_eax / ci->c15_ebx;
		if (crystal) {
			*src = TSC_SRC_CPUID_15;
			return crystal * ci->c15_ebx / ci->c15_eax;
		}
	}
	if (ci->max_leaf >= 0x16 && ci->c16_eax) {
		*src = TSC_SRC_CPUID_16;
		return ci->c16_eax * MHZ;
	}
	if (ci->have_platform_info && PLATFORM_INFO_RATIO(ci->platform_info)) {
		*src = TSC_SRC_PLATFORM_INFO;
		return PLATFORM_INFO_RATIO(ci->platform_info) *
		       (bus_133mhz(ci) ? BUS_133MHZ : BUS_100MHZ);
	}
	return 0;
}

uint64_t tsc_measured_hz(const struct tsc_window *w, unsigned n)
{
	if (n == 0)
		return 0;
	uint64_t shortest = w[0].bracket;
	for (unsigned i = 1; i < n; i++)
		shortest = w[i].bracket < shortest ? w[i].bracket : shortest;
	uint64_t kept[MAX_KEPT_WINDOWS];
	unsigned k = 0;
	for (unsigned i = 0; i < n && k < MAX_KEPT_WINDOWS; i++)
		if (w[i].hz && w[i].bracket <= 4 * shortest + 1)
			kept[k++] = w[i].hz;
	if (k == 0)
		return 0;
	for (unsigned i = 1; i < k; i++) /* insertion sort: a handful of values */
		for (unsigned j = i; j > 0 && kept[j - 1] > kept[j]; j--) {
			uint64_t t = kept[j];
			kept[j] = kept[j - 1];
			kept[j - 1] = t;
		}
	uint64_t median = kept[k / 2];
	/* The middle half must agree: else the reference itself is unreliable. */
	uint64_t lo = kept[k / 4], hi = kept[(3 * k) / 4 < k ? (3 * k) / 4 : k - 1];
	if ((hi - lo) * 1000 > median * SPREAD_PER_MILLE)
		return 0;
	return median;
}

struct tsc_choice tsc_choose(const struct tsc_cpu_info *ci, uint64_t measured_hz)
{
	enum tsc_source src = TSC_SRC_GUESS;
	uint64_t stated = tsc_stated_hz(ci, &src);
	if (stated && !measured_hz)
		return (struct tsc_choice){stated, src, false};
	if (stated) {
		uint64_t diff = stated > measured_hz ? stated - measured_hz : measured_hz - stated;
		if (diff * 1000 <= measured_hz * TSC_AGREE_PER_MILLE)
			return (struct tsc_choice){stated, src, false};
		return (struct tsc_choice){measured_hz, TSC_SRC_CALIBRATED, true};
	}
	if (measured_hz)
		return (struct tsc_choice){measured_hz, TSC_SRC_CALIBRATED, false};
	return (struct tsc_choice){TSC_GUESS_HZ, TSC_SRC_GUESS, true};
}

const char *tsc_source_name(enum tsc_source s)
{
	static const char *const names[] = {
	    [TSC_SRC_CPUID_15] = "CPUID leaf 0x15",
	    [TSC_SRC_CPUID_16] = "CPUID leaf 0x16",
	    [TSC_SRC_PLATFORM_INFO] = "MSR_PLATFORM_INFO",
	    [TSC_SRC_CALIBRATED] = "calibration",
	    [TSC_SRC_GUESS] = "a guess",
	};
	return names[s];
}
