/* The VMX-preemption timer errata list: listed steppings, their neighbours, reserved bits. */
#include "vmx/preempt_errata.h"
#include "tests/unit/check.h"

TEST(listed_signatures_are_broken)
{
	CHECK(preempt_timer_erratum(0x000106a5));
	CHECK(preempt_timer_erratum(0x000206e6));
	CHECK(preempt_timer_erratum(0x00020652));
	CHECK(preempt_timer_erratum(0x000306a8));
}

TEST(other_steppings_and_models_are_not)
{
	CHECK(!preempt_timer_erratum(0x000106a6)); /* a later Bloomfield stepping */
	CHECK(!preempt_timer_erratum(0x000306a9)); /* Ivy Bridge E1: fixed */
	CHECK(!preempt_timer_erratum(0x00050654)); /* Skylake-SP (Bochs' corei7_skylake_x) */
	CHECK(!preempt_timer_erratum(0x000906ea)); /* Coffee Lake */
	CHECK(!preempt_timer_erratum(0));
}

TEST(reserved_bits_ignored)
{
	CHECK(preempt_timer_erratum(0xf000c6a5 | 0x000106a5));
}

CHECK_MAIN("preempt_errata", CASE(listed_signatures_are_broken),
	   CASE(other_steppings_and_models_are_not), CASE(reserved_bits_ignored))
