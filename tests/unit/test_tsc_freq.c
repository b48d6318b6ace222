/* TSC frequency selection: the CPU's statements in their order of preference, model
 * crystals, the Nehalem bus clock, robust calibration, and which one wins when they differ. */
#include "drivers/tsc_freq.h"
#include "tests/unit/check.h"

static struct tsc_cpu_info intel(unsigned model, uint32_t max_leaf)
{
	return (struct tsc_cpu_info){.intel = true, .family = 6, .model = model, .max_leaf = max_leaf};
}

TEST(leaf_15_with_crystal)
{
	struct tsc_cpu_info ci = intel(0x8f, 0x20); /* Sapphire Rapids style: 25 MHz crystal */
	ci.c15_eax = 2, ci.c15_ebx = 168, ci.c15_ecx = 25000000;
	enum tsc_source src;
	CHECK_EQ(tsc_stated_hz(&ci, &src), 2100000000ull);
	CHECK_EQ(src, TSC_SRC_CPUID_15);
}

TEST(leaf_15_known_model_crystal)
{
	struct tsc_cpu_info ci = intel(0x9e, 0x16); /* Coffee Lake: ECX = 0, 24 MHz crystal */
	ci.c15_eax = 2, ci.c15_ebx = 300;
	enum tsc_source src;
	CHECK_EQ(tsc_stated_hz(&ci, &src), 3600000000ull);
	CHECK_EQ(src, TSC_SRC_CPUID_15);
}

TEST(leaf_15_ratio_with_leaf_16_base)
{
	struct tsc_cpu_info ci = intel(0x55, 0x16); /* Skylake-SP: no crystal, base 2100 MHz */
	ci.c15_eax = 2, ci.c15_ebx = 168, ci.c16_eax = 2100;
	enum tsc_source src;
	CHECK_EQ(tsc_stated_hz(&ci, &src), 2100000000ull);
	CHECK_EQ(src, TSC_SRC_CPUID_15);
}

TEST(leaf_16_alone)
{
	struct tsc_cpu_info ci = intel(0x55, 0x16);
	ci.c16_eax = 3500;
	enum tsc_source src;
	CHECK_EQ(tsc_stated_hz(&ci, &src), 3500000000ull);
	CHECK_EQ(src, TSC_SRC_CPUID_16);
}

TEST(platform_info_bus_clocks)
{
	enum tsc_source src;
	struct tsc_cpu_info snb = intel(0x2a, 0xd); /* Sandy Bridge: 100 MHz bus */
	snb.have_platform_info = true;
	snb.platform_info = 34 << 8;
	CHECK_EQ(tsc_stated_hz(&snb, &src), 3400000000ull);
	CHECK_EQ(src, TSC_SRC_PLATFORM_INFO);
	struct tsc_cpu_info wsm = intel(0x2c, 0xb); /* Westmere-EP: 133.33 MHz bus */
	wsm.have_platform_info = true;
	wsm.platform_info = 20 << 8;
	CHECK_EQ(tsc_stated_hz(&wsm, &src), 2666666660ull);
	struct tsc_cpu_info none = intel(0x2c, 0xb);
	CHECK_EQ(tsc_stated_hz(&none, &src), 0);
}

TEST(calibration_ignores_a_window_an_smi_hit)
{
	struct tsc_window w[5] = {
	    {3000100000ull, 200}, {2999900000ull, 210}, {3150000000ull, 90000}, /* SMI */
	    {3000000000ull, 190}, {3000050000ull, 220}};
	CHECK_EQ(tsc_measured_hz(w, 5), 3000050000ull);
	/* Without brackets (the PIT), one outlier loses to the median. */
	struct tsc_window p[5] = {{3e9, 0}, {3.2e9, 0}, {3.0001e9, 0}, {2.9999e9, 0}, {3e9, 0}};
	CHECK_EQ(tsc_measured_hz(p, 5), 3000000000ull);
}

TEST(calibration_that_disagrees_with_itself_is_rejected)
{
	struct tsc_window w[4] = {{1e9, 0}, {2e9, 0}, {3e9, 0}, {4e9, 0}};
	CHECK_EQ(tsc_measured_hz(w, 4), 0);
	CHECK_EQ(tsc_measured_hz(w, 0), 0);
}

TEST(choice_between_stated_and_measured)
{
	struct tsc_cpu_info ci = intel(0x55, 0x16);
	ci.c16_eax = 2100;
	struct tsc_choice c = tsc_choose(&ci, 2095000000ull); /* within 1%: the exact value */
	CHECK_EQ(c.hz, 2100000000ull);
	CHECK_EQ(c.src, TSC_SRC_CPUID_16);
	CHECK(!c.warn);
	c = tsc_choose(&ci, 4000000ull); /* an emulator: its TSC runs at its own rate */
	CHECK_EQ(c.hz, 4000000ull);
	CHECK_EQ(c.src, TSC_SRC_CALIBRATED);
	CHECK(c.warn);
	c = tsc_choose(&ci, 0); /* no timer to measure with */
	CHECK_EQ(c.hz, 2100000000ull);
	struct tsc_cpu_info bare = {0};
	c = tsc_choose(&bare, 1234567000ull);
	CHECK_EQ(c.src, TSC_SRC_CALIBRATED);
	CHECK(!c.warn);
	c = tsc_choose(&bare, 0);
	CHECK_EQ(c.src, TSC_SRC_GUESS);
	CHECK_EQ(c.hz, TSC_GUESS_HZ);
	CHECK(c.warn);
}

CHECK_MAIN("tsc_freq", CASE(leaf_15_with_crystal), CASE(leaf_15_known_model_crystal),
	   CASE(leaf_15_ratio_with_leaf_16_base), CASE(leaf_16_alone),
	   CASE(platform_info_bus_clocks), CASE(calibration_ignores_a_window_an_smi_hit),
	   CASE(calibration_that_disagrees_with_itself_is_rejected),
	   CASE(choice_between_stated_and_measured))
