#include "tests/unit/pit_harness.h"

TEST(mode0_out_rises_n_plus_one_ticks_after_count)
{
	struct pit p;
	setup(&p);
	program(&p, 0, 0, 100);
	CHECK(!out_of(&p, 0));
	CHECK_EQ(pit_next_irq_tick(&p), T0 + 101);
	at(T0 + 100);
	pit_update(&p);
	CHECK(!out_of(&p, 0));
	CHECK_EQ(irq_rises, 0);
	at(T0 + 101);
	CHECK(out_of(&p, 0));
	pit_update(&p);
	CHECK_EQ(irq_rises, 1);
	CHECK_EQ(pit_next_irq_tick(&p), UINT64_MAX);
	at(T0 + 70000);
	pit_update(&p);
	CHECK(out_of(&p, 0));
	CHECK_EQ(irq_rises, 1);
}

TEST(mode0_count_decrements_and_wraps_past_zero)
{
	struct pit p;
	setup(&p);
	program(&p, 0, 0, 100);
	at(T0 + 1);
	CHECK_EQ(read_latched(&p, 0), 100);
	at(T0 + 51);
	CHECK_EQ(read_latched(&p, 0), 50);
	at(T0 + 101);
	CHECK_EQ(read_latched(&p, 0), 0);
	at(T0 + 102);
	CHECK_EQ(read_latched(&p, 0), 0xffff);
}

TEST(mode0_first_byte_stops_counting_and_drops_out)
{
	struct pit p;
	setup(&p);
	program(&p, 0, 0, 10);
	at(T0 + 20);
	CHECK(out_of(&p, 0));
	outb(&p, 0x40, 0x20);
	CHECK(!out_of(&p, 0));
	uint16_t held = read_latched(&p, 0);
	at(T0 + 500);
	CHECK_EQ(read_latched(&p, 0), held);
	CHECK(!out_of(&p, 0));
	outb(&p, 0x40, 0x00); /* count 0x0020 loads on the next clock */
	at(T0 + 500 + 32);
	CHECK(!out_of(&p, 0));
	at(T0 + 500 + 33);
	CHECK(out_of(&p, 0));
}

TEST(mode0_gate_low_pauses_counting)
{
	struct pit p;
	setup(&p);
	outb(&p, 0x61, 0x01);
	program(&p, 2, 0, 100);
	at(T0 + 31);
	CHECK_EQ(read_latched(&p, 2), 70);
	outb(&p, 0x61, 0x00);
	at(T0 + 5000);
	CHECK_EQ(read_latched(&p, 2), 70);
	CHECK(!out2(&p));
	outb(&p, 0x61, 0x01);
	at(T0 + 5069);
	CHECK(!out2(&p));
	CHECK_EQ(read_latched(&p, 2), 1);
	at(T0 + 5070);
	CHECK(out2(&p));
}

/* Linux pit_calibrate_tsc(): gate on, speaker off, mode 0 on channel 2, poll OUT2. */
TEST(linux_tsc_calibration_sees_out2_at_terminal_count)
{
	struct pit p;
	setup(&p);
	uint16_t latch = PIT_HZ / 20;
	outb(&p, 0x61, (uint8_t)((inb(&p, 0x61) & ~0x02) | 0x01));
	outb(&p, 0x43, 0xb0);
	outb(&p, 0x42, (uint8_t)latch);
	outb(&p, 0x42, (uint8_t)(latch >> 8));
	CHECK(!out2(&p));
	at(T0 + latch);
	CHECK(!out2(&p));
	at(T0 + latch + 1);
	CHECK(out2(&p));
	CHECK_EQ(inb(&p, 0x61) & 0x03, 0x01);
	CHECK_EQ(irq_rises, 0); /* channel 2 is not IRQ0 */
}

TEST(mode1_one_shot_starts_on_gate_rising_edge)
{
	struct pit p;
	setup(&p);
	program(&p, 2, 1, 50);
	at(T0 + 100);
	CHECK(out2(&p)); /* nothing until a trigger */
	outb(&p, 0x61, 0x01);
	CHECK(!out2(&p));
	at(T0 + 101);
	CHECK_EQ(read_latched(&p, 2), 50);
	at(T0 + 150);
	CHECK(!out2(&p));
	at(T0 + 151);
	CHECK(out2(&p));
	outb(&p, 0x61, 0x00); /* gate level does not matter once triggered */
	at(T0 + 200);
	CHECK(out2(&p));
}

TEST(mode1_retrigger_restarts_the_one_shot)
{
	struct pit p;
	setup(&p);
	program(&p, 2, 1, 50);
	outb(&p, 0x61, 0x01);
	at(T0 + 40);
	outb(&p, 0x61, 0x00);
	outb(&p, 0x61, 0x01);
	at(T0 + 51);
	CHECK(!out2(&p));
	at(T0 + 90);
	CHECK(!out2(&p));
	at(T0 + 91);
	CHECK(out2(&p));
}

TEST(mode2_out_low_for_one_clock_per_period)
{
	struct pit p;
	setup(&p);
	program(&p, 0, 2, 10);
	CHECK(out_of(&p, 0));
	at(T0 + 9);
	CHECK(out_of(&p, 0));
	at(T0 + 10);
	CHECK(!out_of(&p, 0));
	at(T0 + 11);
	CHECK(out_of(&p, 0));
	at(T0 + 20);
	CHECK(!out_of(&p, 0));
	at(T0 + 21);
	CHECK(out_of(&p, 0));
}

TEST(mode2_counts_n_to_one_then_reloads)
{
	struct pit p;
	setup(&p);
	program(&p, 0, 2, 10);
	at(T0 + 1);
	CHECK_EQ(read_latched(&p, 0), 10);
	at(T0 + 9);
	CHECK_EQ(read_latched(&p, 0), 2);
	at(T0 + 10);
	CHECK_EQ(read_latched(&p, 0), 1);
	at(T0 + 11);
	CHECK_EQ(read_latched(&p, 0), 10);
	at(T0 + 1 + 10 * 1000 + 3);
	CHECK_EQ(read_latched(&p, 0), 7);
}

TEST(mode2_100hz_gives_exactly_n_irqs_over_n_periods)
{
	struct pit p;
	setup(&p);
	const uint32_t n = (PIT_HZ + 50) / 100;
	program(&p, 0, 2, (uint16_t)n);
	uint64_t load = T0 + 1;
	for (uint64_t t = T0; t < load + 100ull * n; t += 997) {
		at(t);
		pit_update(&p);
	}
	at(load + 100ull * n - 1);
	pit_update(&p);
	CHECK_EQ(irq_rises, 99);
	at(load + 100ull * n);
	pit_update(&p);
	CHECK_EQ(irq_rises, 100);
	CHECK_EQ(pit_next_irq_tick(&p), load + 101ull * n);
}

TEST(mode2_new_count_takes_effect_at_period_end)
{
	struct pit p;
	setup(&p);
	program(&p, 0, 2, 100);
	at(T0 + 1 + 130);
	outb(&p, 0x40, 50);
	outb(&p, 0x40, 0);
	CHECK(read_status(&p, 0) & 0x40); /* NULL COUNT until the reload */
	CHECK_EQ(read_latched(&p, 0), 70);
	pit_update(&p);
	CHECK_EQ(pit_next_irq_tick(&p), T0 + 1 + 200);
	at(T0 + 1 + 200);
	pit_update(&p);
	CHECK(!(read_status(&p, 0) & 0x40));
	CHECK_EQ(read_latched(&p, 0), 50);
	CHECK_EQ(pit_next_irq_tick(&p), T0 + 1 + 250);
}

TEST(mode3_even_count_is_a_symmetric_square_wave)
{
	struct pit p;
	setup(&p);
	program(&p, 0, 3, 10);
	static const bool out[10] = {1, 1, 1, 1, 1, 0, 0, 0, 0, 0};
	static const uint16_t val[10] = {10, 8, 6, 4, 2, 10, 8, 6, 4, 2};
	for (unsigned i = 0; i < 20; i++) {
		at(T0 + 1 + i);
		CHECK_EQ(out_of(&p, 0), out[i % 10]);
		CHECK_EQ(read_latched(&p, 0), val[i % 10]);
	}
}

TEST(mode3_odd_count_is_high_one_clock_longer)
{
	struct pit p;
	setup(&p);
	program(&p, 0, 3, 5);
	static const bool out[5] = {1, 1, 1, 0, 0};
	static const uint16_t val[5] = {4, 2, 0, 4, 2};
	for (unsigned i = 0; i < 10; i++) {
		at(T0 + 1 + i);
		CHECK_EQ(out_of(&p, 0), out[i % 5]);
		CHECK_EQ(read_latched(&p, 0), val[i % 5]);
	}
	at(T0 + 1 + 10);
	pit_update(&p);
	CHECK_EQ(irq_rises, 2); /* OUT rose at 5 and 10 */
	CHECK_EQ(pit_next_irq_tick(&p), T0 + 1 + 15);
}

TEST(mode4_strobes_once_after_n_plus_one_clocks)
{
	struct pit p;
	setup(&p);
	program(&p, 0, 4, 10);
	at(T0 + 10);
	CHECK(out_of(&p, 0));
	at(T0 + 11);
	CHECK(!out_of(&p, 0));
	CHECK_EQ(pit_next_irq_tick(&p), T0 + 12);
	at(T0 + 12);
	CHECK(out_of(&p, 0));
	pit_update(&p);
	CHECK_EQ(irq_rises, 1);
	CHECK_EQ(pit_next_irq_tick(&p), UINT64_MAX);
	at(T0 + 12 + 65536);
	CHECK(out_of(&p, 0));
}

TEST(mode5_strobe_follows_each_trigger)
{
	struct pit p;
	setup(&p);
	program(&p, 2, 5, 10);
	at(T0 + 100);
	CHECK(out2(&p));
	outb(&p, 0x61, 0x01);
	at(T0 + 111);
	CHECK(!out2(&p));
	at(T0 + 112);
	CHECK(out2(&p));
	outb(&p, 0x61, 0x00);
	outb(&p, 0x61, 0x01);
	at(T0 + 123);
	CHECK(!out2(&p));
}

TEST(modes_6_and_7_act_as_2_and_3_and_read_back_as_written)
{
	struct pit p;
	setup(&p);
	program(&p, 0, 6, 10);
	at(T0 + 1 + 30);
	pit_update(&p);
	CHECK_EQ(irq_rises, 1);
	CHECK_EQ(pit_next_irq_tick(&p), T0 + 1 + 40);
	CHECK_EQ(read_status(&p, 0) & 0x0e, 6 << 1);
	program(&p, 1, 7, 10);
	at(T0 + 31 + 1 + 5);
	CHECK(!out_of(&p, 1));
	CHECK_EQ(read_status(&p, 1) & 0x0e, 7 << 1);
}

TEST(count_zero_means_65536)
{
	struct pit p;
	setup(&p);
	program(&p, 0, 2, 0);
	CHECK_EQ(pit_next_irq_tick(&p), T0 + 1 + 65536);
	program(&p, 1, 0, 0);
	at(T0 + 1);
	CHECK_EQ(read_latched(&p, 1), 0);
	at(T0 + 2);
	CHECK_EQ(read_latched(&p, 1), 0xffff);
	at(T0 + 1 + 65536);
	CHECK(out_of(&p, 1));
}

TEST(counter_latch_freezes_the_value_read)
{
	struct pit p;
	setup(&p);
	program(&p, 0, 2, 1000);
	at(T0 + 101);
	outb(&p, 0x43, 0x00);
	at(T0 + 601);
	CHECK_EQ(inb(&p, 0x40), 900 & 0xff);
	CHECK_EQ(inb(&p, 0x40), 900 >> 8);
	CHECK_EQ(inb(&p, 0x40), 400 & 0xff); /* latch released: live again */
	CHECK_EQ(inb(&p, 0x40), 400 >> 8);
}

TEST(second_latch_before_read_is_ignored)
{
	struct pit p;
	setup(&p);
	program(&p, 0, 2, 1000);
	at(T0 + 101);
	outb(&p, 0x43, 0x00);
	at(T0 + 201);
	outb(&p, 0x43, 0x00);
	CHECK_EQ(read_latched(&p, 0), 900);
	at(T0 + 301);
	CHECK_EQ(read_latched(&p, 0), 700);
}

TEST(reprogramming_releases_a_latch)
{
	struct pit p;
	setup(&p);
	program(&p, 0, 2, 1000);
	at(T0 + 101);
	outb(&p, 0x43, 0x00);
	program(&p, 0, 2, 500);
	at(T0 + 101 + 1 + 100);
	CHECK_EQ(inb(&p, 0x40), 400 & 0xff);
	CHECK_EQ(inb(&p, 0x40), 400 >> 8);
}

TEST(readback_latches_counts_of_selected_channels)
{
	struct pit p;
	setup(&p);
	program(&p, 0, 2, 1000);
	program(&p, 1, 2, 2000);
	outb(&p, 0x61, 0x01);
	program(&p, 2, 2, 3000);
	at(T0 + 11);
	outb(&p, 0x43, 0xda); /* count, channels 0 and 2 */
	at(T0 + 511);
	CHECK_EQ(read16(&p, 0x40), 990);
	CHECK_EQ(read16(&p, 0x41), 1490); /* not selected: live */
	CHECK_EQ(read16(&p, 0x42), 2990);
}

TEST(readback_status_reports_out_null_count_access_mode_bcd)
{
	struct pit p;
	setup(&p);
	outb(&p, 0x43, 0x30);
	CHECK_EQ(read_status(&p, 0), 0x70); /* OUT low, null count, LSB/MSB, mode 0 */
	outb(&p, 0x40, 0x10);
	outb(&p, 0x40, 0x00);
	CHECK_EQ(read_status(&p, 0), 0x70);
	at(T0 + 1);
	CHECK_EQ(read_status(&p, 0), 0x30);
	at(T0 + 17);
	CHECK_EQ(read_status(&p, 0), 0xb0);
	outb(&p, 0x43, 0x57); /* channel 1, LSB only, mode 3, BCD */
	CHECK_EQ(read_status(&p, 1), 0xd7);
}

TEST(readback_status_is_read_before_count)
{
	struct pit p;
	setup(&p);
	program(&p, 0, 2, 1000);
	at(T0 + 101);
	outb(&p, 0x43, 0xc2); /* count and status, channel 0 */
	outb(&p, 0x43, 0xe2); /* status again: ignored until read */
	at(T0 + 601);
	CHECK_EQ(inb(&p, 0x40), 0xb4);
	CHECK_EQ(inb(&p, 0x40), 900 & 0xff);
	CHECK_EQ(inb(&p, 0x40), 900 >> 8);
}

TEST(lsb_only_and_msb_only_access)
{
	struct pit p;
	setup(&p);
	outb(&p, 0x43, 0x14); /* channel 0, LSB only, mode 2 */
	outb(&p, 0x40, 200);
	at(T0 + 51);
	CHECK_EQ(inb(&p, 0x40), 150);
	CHECK_EQ(inb(&p, 0x40), 150); /* no flip-flop */
	outb(&p, 0x43, 0x24);	      /* MSB only: count 0x0300 */
	outb(&p, 0x40, 0x03);
	at(T0 + 51 + 1 + 0x100);
	CHECK_EQ(inb(&p, 0x40), 0x02);
	CHECK_EQ(pit_next_irq_tick(&p), T0 + 51 + 1 + 0x300);
}

/* Datasheet: read LSB, write LSB, read MSB, write MSB is a valid sequence. */
TEST(read_and_write_flip_flops_are_independent)
{
	struct pit p;
	setup(&p);
	program(&p, 0, 2, 0x1234);
	at(T0 + 1);
	outb(&p, 0x43, 0x00);
	CHECK_EQ(inb(&p, 0x40), 0x34);
	outb(&p, 0x40, 0x00);
	CHECK_EQ(inb(&p, 0x40), 0x12);
	outb(&p, 0x40, 0x01);
	at(T0 + 1 + 0x1234);
	pit_update(&p);
	CHECK_EQ(read_latched(&p, 0), 0x100);
	CHECK_EQ(pit_next_irq_tick(&p), T0 + 1 + 0x1234 + 0x100);
}

TEST(bcd_counting_and_count_zero_is_10000)
{
	struct pit p;
	setup(&p);
	outb(&p, 0x43, 0x31); /* channel 0, LSB/MSB, mode 0, BCD */
	outb(&p, 0x40, 0x00);
	outb(&p, 0x40, 0x01);
	at(T0 + 1 + 11);
	CHECK_EQ(read_latched(&p, 0), 0x0089);
	CHECK_EQ(read_status(&p, 0) & 0x01, 1);
	CHECK_EQ(pit_next_irq_tick(&p), T0 + 1 + 100);
	outb(&p, 0x43, 0x35); /* mode 2, BCD, count 0 */
	outb(&p, 0x40, 0x00);
	outb(&p, 0x40, 0x00);
	at(T0 + 12 + 1);
	CHECK_EQ(read_latched(&p, 0), 0x0000);
	at(T0 + 12 + 2);
	CHECK_EQ(read_latched(&p, 0), 0x9999);
	CHECK_EQ(pit_next_irq_tick(&p), T0 + 12 + 1 + 10000);
}

TEST(port61_gate_speaker_and_unused_bits)
{
	struct pit p;
	setup(&p);
	at(0);
	CHECK_EQ(inb(&p, 0x61), 0x20); /* unprogrammed channel 2: OUT high */
	outb(&p, 0x61, 0xff);
	CHECK_EQ(inb(&p, 0x61), 0x23);
	outb(&p, 0x61, 0xfc);
	CHECK_EQ(inb(&p, 0x61), 0x20);
	outb(&p, 0x61, 0x02);
	CHECK_EQ(inb(&p, 0x61), 0x22);
}

TEST(port61_refresh_bit_toggles_every_18_ticks)
{
	struct pit p;
	setup(&p);
	at(18 * 100);
	uint8_t a = inb(&p, 0x61) & 0x10;
	at(18 * 100 + 17);
	CHECK_EQ(inb(&p, 0x61) & 0x10, a);
	at(18 * 101);
	CHECK_EQ(inb(&p, 0x61) & 0x10, a ^ 0x10);
	at(18 * 102);
	CHECK_EQ(inb(&p, 0x61) & 0x10, a);
}

TEST(gate_low_stops_mode2_with_out_high_and_rising_gate_reloads)
{
	struct pit p;
	setup(&p);
	outb(&p, 0x61, 0x01);
	program(&p, 2, 2, 100);
	at(T0 + 100);
	CHECK(!out2(&p));
	outb(&p, 0x61, 0x00);
	CHECK(out2(&p));
	at(T0 + 300);
	CHECK(out2(&p));
	outb(&p, 0x61, 0x01);
	at(T0 + 301);
	CHECK_EQ(read_latched(&p, 2), 100);
	at(T0 + 400);
	CHECK(!out2(&p));
}

TEST(missed_periods_are_coalesced_and_phase_stays_exact)
{
	struct pit p;
	setup(&p);
	program(&p, 0, 2, 1000);
	at(T0 + 1 + 10 * 1000 + 500);
	CHECK(pit_next_irq_tick(&p) <= fake_now);
	pit_update(&p);
	CHECK_EQ(irq_rises, 1);
	CHECK_EQ(pit_next_irq_tick(&p), T0 + 1 + 11 * 1000);
	CHECK_EQ(read_latched(&p, 0), 500);
	pit_update(&p);
	CHECK_EQ(irq_rises, 1);
	at(T0 + 1 + 11 * 1000);
	pit_update(&p);
	CHECK_EQ(irq_rises, 2);
}

TEST(idle_channel_has_no_irq_and_control_port_reads_ff)
{
	struct pit p;
	setup(&p);
	CHECK_EQ(pit_next_irq_tick(&p), UINT64_MAX);
	at(T0 + 1000000);
	pit_update(&p);
	CHECK_EQ(irq_rises, 0);
	CHECK_EQ(inb(&p, 0x43), 0xff);
	outb(&p, 0x43, 0x34); /* no count: still idle */
	CHECK_EQ(pit_next_irq_tick(&p), UINT64_MAX);
}

TEST(control_word_raising_out0_is_an_edge)
{
	struct pit p;
	setup(&p);
	program(&p, 0, 0, 1000);
	at(T0 + 10);
	pit_update(&p);
	CHECK_EQ(irq_rises, 0);
	outb(&p, 0x43, 0x34); /* mode 2: OUT goes high at once */
	CHECK_EQ(irq_rises, 1);
	outb(&p, 0x40, 100);
	outb(&p, 0x40, 0);
	CHECK_EQ(irq_rises, 1);
	CHECK_EQ(pit_next_irq_tick(&p), T0 + 10 + 1 + 100);
}

CHECK_MAIN(
    "pit", CASE(mode0_out_rises_n_plus_one_ticks_after_count),
    CASE(mode0_count_decrements_and_wraps_past_zero),
    CASE(mode0_first_byte_stops_counting_and_drops_out), CASE(mode0_gate_low_pauses_counting),
    CASE(linux_tsc_calibration_sees_out2_at_terminal_count),
    CASE(mode1_one_shot_starts_on_gate_rising_edge), CASE(mode1_retrigger_restarts_the_one_shot),
    CASE(mode2_out_low_for_one_clock_per_period), CASE(mode2_counts_n_to_one_then_reloads),
    CASE(mode2_100hz_gives_exactly_n_irqs_over_n_periods),
    CASE(mode2_new_count_takes_effect_at_period_end),
    CASE(mode3_even_count_is_a_symmetric_square_wave),
    CASE(mode3_odd_count_is_high_one_clock_longer),
    CASE(mode4_strobes_once_after_n_plus_one_clocks), CASE(mode5_strobe_follows_each_trigger),
    CASE(modes_6_and_7_act_as_2_and_3_and_read_back_as_written), CASE(count_zero_means_65536),
    CASE(counter_latch_freezes_the_value_read), CASE(second_latch_before_read_is_ignored),
    CASE(reprogramming_releases_a_latch), CASE(readback_latches_counts_of_selected_channels),
    CASE(readback_status_reports_out_null_count_access_mode_bcd),
    CASE(readback_status_is_read_before_count), CASE(lsb_only_and_msb_only_access),
    CASE(read_and_write_flip_flops_are_independent), CASE(bcd_counting_and_count_zero_is_10000),
    CASE(port61_gate_speaker_and_unused_bits), CASE(port61_refresh_bit_toggles_every_18_ticks),
    CASE(gate_low_stops_mode2_with_out_high_and_rising_gate_reloads),
    CASE(missed_periods_are_coalesced_and_phase_stays_exact),
    CASE(idle_channel_has_no_irq_and_control_port_reads_ff),
    CASE(control_word_raising_out0_is_an_edge))
