#include "tests/unit/lapic_fixture.h"

/* --- timer --- */

static void start_timer(uint32_t lvt, uint32_t count)
{
	wr(LAPIC_LVT_TIMER, lvt);
	wr(LAPIC_TIMER_ICR, count);
}

TEST(one_shot_counts_down_from_now)
{
	setup_enabled();
	now = 1000;
	start_timer(0x30, 100);
	CHECK_EQ(lapic_timer_deadline(&apic), 1000 + 100 * TICK);
	CHECK_EQ(rd(LAPIC_TIMER_CCR), 100);
	now = 1001;
	CHECK_EQ(rd(LAPIC_TIMER_CCR), 100);
	now = 1008;
	CHECK_EQ(rd(LAPIC_TIMER_CCR), 99);
	now = 1400;
	CHECK_EQ(rd(LAPIC_TIMER_CCR), 50);
	now = 1799;
	CHECK_EQ(rd(LAPIC_TIMER_CCR), 1);
	CHECK(!lapic_timer_update(&apic, now));
	now = 1800;
	CHECK_EQ(rd(LAPIC_TIMER_CCR), 0);
	CHECK(lapic_timer_update(&apic, now));
	CHECK_EQ(lapic_highest_irr(&apic), 0x30);
	CHECK(!bit_in(LAPIC_TMR, 0x30));
	CHECK_EQ(lapic_timer_deadline(&apic), UINT64_MAX);
	CHECK_EQ(rd(LAPIC_TIMER_ICR), 100);
	CHECK(!lapic_timer_update(&apic, 5000));
}

TEST(timer_divide_values)
{
	static const struct {
		uint32_t dcr, divide;
	} cases[] = {{0x0, 2},	{0x1, 4},  {0x2, 8},   {0x3, 16},
		     {0x8, 32}, {0x9, 64}, {0xa, 128}, {0xb, 1}};
	for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		setup_enabled();
		wr(LAPIC_TIMER_DCR, cases[i].dcr);
		CHECK_EQ(rd(LAPIC_TIMER_DCR), cases[i].dcr);
		start_timer(0x30, 10);
		uint64_t per_count = (uint64_t)cases[i].divide << CLOCK_SHIFT;
		CHECK_EQ(lapic_timer_deadline(&apic), 10 * per_count);
		now = per_count;
		CHECK_EQ(rd(LAPIC_TIMER_CCR), 9);
	}
}

TEST(initial_count_zero_stops_the_timer)
{
	setup_enabled();
	start_timer(0x30, 100);
	now = 100;
	wr(LAPIC_TIMER_ICR, 0);
	CHECK_EQ(lapic_timer_deadline(&apic), UINT64_MAX);
	CHECK_EQ(rd(LAPIC_TIMER_CCR), 0);
	CHECK(!lapic_timer_update(&apic, 100000));
	CHECK_EQ(lapic_highest_irr(&apic), -1);
}

static void eoi_timer(uint8_t vector)
{
	take(vector);
	wr(LAPIC_EOI, 0);
}

TEST(periodic_reloads_on_its_grid_and_coalesces)
{
	setup_enabled();
	start_timer(0x20030, 1000);
	CHECK_EQ(lapic_timer_deadline(&apic), 8000);
	CHECK(lapic_timer_update(&apic, 8000));
	CHECK_EQ(lapic_timer_deadline(&apic), 16000);
	eoi_timer(0x30);
	now = 12000;
	CHECK_EQ(rd(LAPIC_TIMER_CCR), 500);
	now = 16000 + 3 * 8000 + 5; /* three periods missed */
	CHECK(lapic_timer_update(&apic, now));
	CHECK_EQ(lapic_timer_deadline(&apic), 48000);
	CHECK(!lapic_timer_update(&apic, now + 1));
	CHECK_EQ(rd(LAPIC_TIMER_CCR), 1000);
	eoi_timer(0x30);
	CHECK_EQ(lapic_highest_irr(&apic), -1);
	now = 48000 + 2 * 8000 + 800; /* current count computed without an update */
	CHECK_EQ(rd(LAPIC_TIMER_CCR), 900);
}

TEST(periodic_period_has_a_floor)
{
	setup_enabled();
	start_timer(0x20030, 10);
	CHECK_EQ(lapic_timer_deadline(&apic), FLOOR_TSC);
	CHECK_EQ(rd(LAPIC_TIMER_CCR), 10); /* never above the initial count */
	CHECK(lapic_timer_update(&apic, FLOOR_TSC));
	CHECK_EQ(lapic_timer_deadline(&apic), 2 * FLOOR_TSC);
	setup_enabled();
	start_timer(0x30, 10); /* one-shot: no floor */
	CHECK_EQ(lapic_timer_deadline(&apic), 10 * TICK);
}

TEST(masked_timer_expires_without_interrupt)
{
	setup_enabled();
	start_timer(0x30030, 1000);
	CHECK(!lapic_timer_update(&apic, 8000));
	CHECK_EQ(lapic_highest_irr(&apic), -1);
	CHECK_EQ(lapic_timer_deadline(&apic), 16000);
	setup_enabled();
	start_timer(0x10030, 10);
	CHECK(!lapic_timer_update(&apic, 80));
	CHECK_EQ(lapic_timer_deadline(&apic), UINT64_MAX);
	CHECK_EQ(lapic_highest_irr(&apic), -1);
}

/* A masked count-mode timer needs no wake-up; unmasking brings its expiry back. */
TEST(masked_count_timer_needs_no_wakeup)
{
	setup_enabled();
	start_timer(0x30030, 10); /* masked periodic at the floor */
	CHECK_EQ(lapic_timer_deadline(&apic), FLOOR_TSC);
	CHECK_EQ(lapic_timer_wakeup(&apic), UINT64_MAX);
	now = 5 * FLOOR_TSC + 1;
	CHECK(!lapic_timer_update(&apic, now));
	CHECK_EQ(lapic_timer_deadline(&apic), 6 * FLOOR_TSC); /* still on its grid */
	wr(LAPIC_LVT_TIMER, 0x20030);
	CHECK_EQ(lapic_timer_wakeup(&apic), 6 * FLOOR_TSC);
	setup_enabled();
	start_timer(0x10030, 10); /* masked one-shot */
	CHECK_EQ(lapic_timer_wakeup(&apic), UINT64_MAX);
	setup_enabled();
	wr(LAPIC_LVT_TIMER, 0x50030); /* masked TSC-deadline: its expiry clears the MSR */
	lapic_tsc_deadline_write(&apic, 5000, now);
	CHECK_EQ(lapic_timer_wakeup(&apic), 5000);
}

TEST(tsc_deadline_mode)
{
	setup_enabled();
	wr(LAPIC_LVT_TIMER, 0x40030);
	CHECK_EQ(rd(LAPIC_LVT_TIMER), 0x40030);
	wr(LAPIC_TIMER_ICR, 500);
	CHECK_EQ(rd(LAPIC_TIMER_ICR), 0);
	CHECK_EQ(lapic_timer_deadline(&apic), UINT64_MAX);
	lapic_tsc_deadline_write(&apic, 5000, now);
	CHECK_EQ(lapic_tsc_deadline_read(&apic), 5000);
	CHECK_EQ(lapic_timer_deadline(&apic), 5000);
	CHECK_EQ(rd(LAPIC_TIMER_CCR), 0);
	CHECK(!lapic_timer_update(&apic, 4999));
	CHECK(lapic_timer_update(&apic, 5000));
	CHECK_EQ(lapic_highest_irr(&apic), 0x30);
	CHECK_EQ(lapic_tsc_deadline_read(&apic), 0);
	CHECK_EQ(lapic_timer_deadline(&apic), UINT64_MAX);
	lapic_tsc_deadline_write(&apic, 6000, now);
	lapic_tsc_deadline_write(&apic, 0, now);
	CHECK_EQ(lapic_tsc_deadline_read(&apic), 0);
	CHECK_EQ(lapic_timer_deadline(&apic), UINT64_MAX);
}

TEST(tsc_deadline_in_the_past_fires_at_next_update)
{
	setup_enabled();
	wr(LAPIC_LVT_TIMER, 0x40031);
	now = 10000;
	lapic_tsc_deadline_write(&apic, 100, now);
	CHECK(lapic_timer_update(&apic, now));
	CHECK_EQ(lapic_highest_irr(&apic), 0x31);
}

TEST(masked_tsc_deadline_disarms_silently)
{
	setup_enabled();
	wr(LAPIC_LVT_TIMER, 0x50030);
	lapic_tsc_deadline_write(&apic, 200, now);
	CHECK(!lapic_timer_update(&apic, 200));
	CHECK_EQ(lapic_tsc_deadline_read(&apic), 0);
	CHECK_EQ(lapic_highest_irr(&apic), -1);
}

TEST(tsc_deadline_msr_ignored_in_count_modes)
{
	setup_enabled();
	wr(LAPIC_LVT_TIMER, 0x30);
	lapic_tsc_deadline_write(&apic, 5000, now);
	CHECK_EQ(lapic_tsc_deadline_read(&apic), 0);
	CHECK_EQ(lapic_timer_deadline(&apic), UINT64_MAX);
}

TEST(switching_to_or_from_tsc_deadline_disarms)
{
	setup_enabled();
	start_timer(0x30, 100);
	wr(LAPIC_LVT_TIMER, 0x40030);
	CHECK_EQ(lapic_timer_deadline(&apic), UINT64_MAX);
	CHECK_EQ(rd(LAPIC_TIMER_ICR), 0);
	CHECK_EQ(rd(LAPIC_TIMER_CCR), 0);
	lapic_tsc_deadline_write(&apic, 5000, now);
	wr(LAPIC_LVT_TIMER, 0x30);
	CHECK_EQ(lapic_timer_deadline(&apic), UINT64_MAX);
	CHECK_EQ(lapic_tsc_deadline_read(&apic), 0);
	CHECK(!lapic_timer_update(&apic, 6000));
	CHECK_EQ(lapic_highest_irr(&apic), -1);
}

TEST(one_shot_periodic_switch_keeps_the_count_running)
{
	setup_enabled();
	start_timer(0x30, 1000);
	now = 4000;
	CHECK_EQ(rd(LAPIC_TIMER_CCR), 500);
	wr(LAPIC_LVT_TIMER, 0x20030);
	CHECK_EQ(lapic_timer_deadline(&apic), 8000);
	CHECK_EQ(rd(LAPIC_TIMER_CCR), 500);
	CHECK(lapic_timer_update(&apic, 8000));
	CHECK_EQ(lapic_timer_deadline(&apic), 16000);
	eoi_timer(0x30);
	now = 12000;
	wr(LAPIC_LVT_TIMER, 0x30);
	CHECK_EQ(rd(LAPIC_TIMER_CCR), 500);
	CHECK(lapic_timer_update(&apic, 16000));
	CHECK_EQ(lapic_timer_deadline(&apic), UINT64_MAX);
	now = 16001;
	CHECK_EQ(rd(LAPIC_TIMER_CCR), 0);
	CHECK_EQ(rd(LAPIC_TIMER_ICR), 1000);
}

TEST(expired_one_shot_stays_at_zero_when_switched_to_periodic)
{
	setup_enabled();
	start_timer(0x30, 100);
	now = 900; /* expired at 800, not yet updated */
	wr(LAPIC_LVT_TIMER, 0x20030);
	CHECK_EQ(lapic_highest_irr(&apic), 0x30);
	CHECK_EQ(lapic_timer_deadline(&apic), UINT64_MAX);
	CHECK_EQ(rd(LAPIC_TIMER_CCR), 0);
}

TEST(divide_change_keeps_the_current_count)
{
	setup_enabled();
	start_timer(0x30, 1000);
	now = 4000;
	wr(LAPIC_TIMER_DCR, 0x1); /* divide by 4: 16 TSC ticks per count */
	CHECK_EQ(rd(LAPIC_TIMER_CCR), 500);
	CHECK_EQ(lapic_timer_deadline(&apic), 4000 + 500 * 16);
	wr(LAPIC_TIMER_DCR, 0x1);
	CHECK_EQ(lapic_timer_deadline(&apic), 12000);
	setup_enabled();
	start_timer(0x20030, 1000);
	now = 4000;
	wr(LAPIC_TIMER_DCR, 0x1);
	CHECK_EQ(lapic_timer_deadline(&apic), 12000);
	CHECK(lapic_timer_update(&apic, 12000));
	CHECK_EQ(lapic_timer_deadline(&apic), 12000 + 1000 * 16);
}

TEST(timer_with_illegal_vector_raises_error_instead)
{
	setup_enabled();
	wr(LAPIC_LVT_ERROR, 0xfe);
	start_timer(0x05, 1);
	CHECK(lapic_timer_update(&apic, TICK));
	CHECK(!bit_in(LAPIC_IRR, 0x05));
	CHECK(bit_in(LAPIC_IRR, 0xfe));
	CHECK_EQ(latched_esr(), APIC_ESR_RECV_ILLEGAL_VECTOR);
}

TEST(x2apic_timer_msrs)
{
	setup_enabled();
	to_x2apic();
	CHECK(msr_wr(MSR_LVTT, 0x30));
	CHECK(msr_wr(MSR_TMICT, 100));
	now = 400;
	CHECK_EQ(msr_rd(MSR_TMCCT), 50);
	CHECK_EQ(lapic_timer_deadline(&apic), 800);
}

CHECK_MAIN("lapic_timer", CASE(one_shot_counts_down_from_now), CASE(timer_divide_values),
	   CASE(initial_count_zero_stops_the_timer),
	   CASE(periodic_reloads_on_its_grid_and_coalesces), CASE(periodic_period_has_a_floor),
	   CASE(masked_timer_expires_without_interrupt), CASE(masked_count_timer_needs_no_wakeup),
	   CASE(tsc_deadline_mode),
	   CASE(tsc_deadline_in_the_past_fires_at_next_update),
	   CASE(masked_tsc_deadline_disarms_silently),
	   CASE(tsc_deadline_msr_ignored_in_count_modes),
	   CASE(switching_to_or_from_tsc_deadline_disarms),
	   CASE(one_shot_periodic_switch_keeps_the_count_running),
	   CASE(expired_one_shot_stays_at_zero_when_switched_to_periodic),
	   CASE(divide_change_keeps_the_current_count),
	   CASE(timer_with_illegal_vector_raises_error_instead), CASE(x2apic_timer_msrs))
