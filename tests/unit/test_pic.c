#include "devices/pic.h"
#include "tests/unit/check.h"

static void outb(struct pic_pair *p, uint16_t port, uint8_t v)
{
	struct io_access a = {.port = port, .size = 1, .write = true, .value = v};
	pic_io(p, &a);
}

static uint8_t inb(struct pic_pair *p, uint16_t port)
{
	struct io_access a = {.port = port, .size = 1, .value = 0x5a5a5a5a};
	pic_io(p, &a);
	return (uint8_t)a.value;
}

/* Linux's init_8259A(): edge, cascade, ICW4, vectors 0x20/0x28, 8086 mode, normal EOI. */
static void linux_init(struct pic_pair *p, uint8_t icw4)
{
	pic_init(p);
	outb(p, 0x21, 0xff);
	outb(p, 0xa1, 0xff);
	outb(p, 0x20, 0x11);
	outb(p, 0x21, 0x20);
	outb(p, 0x21, 0x04);
	outb(p, 0x21, icw4);
	outb(p, 0xa0, 0x11);
	outb(p, 0xa1, 0x28);
	outb(p, 0xa1, 0x02);
	outb(p, 0xa1, icw4);
}

static void pulse(struct pic_pair *p, unsigned irq)
{
	pic_set_irq(p, irq, true);
	pic_set_irq(p, irq, false);
}

static void eoi_master(struct pic_pair *p)
{
	outb(p, 0x20, 0x20);
}

static uint8_t read_master_isr(struct pic_pair *p)
{
	outb(p, 0x20, 0x0b);
	return inb(p, 0x20);
}

static uint8_t read_master_irr(struct pic_pair *p)
{
	outb(p, 0x20, 0x0a);
	return inb(p, 0x20);
}

TEST(power_on_masks_everything_with_bios_bases)
{
	struct pic_pair p;
	pic_init(&p);
	CHECK_EQ(inb(&p, 0x21), 0xff);
	CHECK_EQ(inb(&p, 0xa1), 0xff);
	pulse(&p, 1);
	CHECK(!pic_intr_pending(&p));
	outb(&p, 0x21, 0xfd);
	CHECK(pic_intr_pending(&p));
	CHECK_EQ(pic_acknowledge(&p), 0x09);
}

TEST(linux_init_sequence_sets_vector_bases)
{
	struct pic_pair p;
	linux_init(&p, 0x01);
	/* ICW1 cleared the masks Linux wrote first. */
	CHECK_EQ(inb(&p, 0x21), 0x00);
	CHECK_EQ(inb(&p, 0xa1), 0x00);
	pulse(&p, 1);
	CHECK(pic_intr_pending(&p));
	CHECK_EQ(pic_acknowledge(&p), 0x21);
	CHECK(!pic_intr_pending(&p));
	eoi_master(&p);
	pulse(&p, 9);
	CHECK(pic_intr_pending(&p));
	CHECK_EQ(pic_acknowledge(&p), 0x29);
}

TEST(data_port_reads_imr)
{
	struct pic_pair p;
	linux_init(&p, 0x01);
	outb(&p, 0x21, 0xb5);
	outb(&p, 0xa1, 0x3c);
	CHECK_EQ(inb(&p, 0x21), 0xb5);
	CHECK_EQ(inb(&p, 0xa1), 0x3c);
	outb(&p, 0x20, 0x0b); /* selecting ISR reads does not change data-port reads */
	CHECK_EQ(inb(&p, 0x21), 0xb5);
}

TEST(vector_base_ignores_low_three_bits)
{
	struct pic_pair p;
	pic_init(&p);
	outb(&p, 0x20, 0x13); /* single, ICW4 */
	outb(&p, 0x21, 0x47);
	outb(&p, 0x21, 0x01);
	pulse(&p, 3);
	CHECK_EQ(pic_acknowledge(&p), 0x43);
}

TEST(masked_request_waits_in_irr_until_unmasked)
{
	struct pic_pair p;
	linux_init(&p, 0x01);
	outb(&p, 0x21, 0x10);
	pulse(&p, 4);
	CHECK(!pic_intr_pending(&p));
	CHECK_EQ(read_master_irr(&p), 0x10);
	outb(&p, 0x21, 0x00);
	CHECK(pic_intr_pending(&p));
	CHECK_EQ(pic_acknowledge(&p), 0x24);
}

TEST(fixed_priority_lowest_level_first)
{
	struct pic_pair p;
	linux_init(&p, 0x01);
	pulse(&p, 5);
	pulse(&p, 3);
	pulse(&p, 6);
	CHECK_EQ(pic_acknowledge(&p), 0x23);
	eoi_master(&p);
	CHECK_EQ(pic_acknowledge(&p), 0x25);
	eoi_master(&p);
	CHECK_EQ(pic_acknowledge(&p), 0x26);
	eoi_master(&p);
	CHECK(!pic_intr_pending(&p));
}

TEST(in_service_blocks_equal_and_lower_but_not_higher)
{
	struct pic_pair p;
	linux_init(&p, 0x01);
	pulse(&p, 4);
	CHECK_EQ(pic_acknowledge(&p), 0x24);
	pulse(&p, 4);
	pulse(&p, 6);
	CHECK(!pic_intr_pending(&p));
	pulse(&p, 1);
	CHECK(pic_intr_pending(&p));
	CHECK_EQ(pic_acknowledge(&p), 0x21);
	CHECK_EQ(read_master_isr(&p), 0x12);
}

TEST(nonspecific_eoi_clears_highest_in_service)
{
	struct pic_pair p;
	linux_init(&p, 0x01);
	pulse(&p, 4);
	pic_acknowledge(&p);
	pulse(&p, 1);
	pic_acknowledge(&p);
	CHECK_EQ(read_master_isr(&p), 0x12);
	eoi_master(&p);
	CHECK_EQ(read_master_isr(&p), 0x10);
	eoi_master(&p);
	CHECK_EQ(read_master_isr(&p), 0x00);
}

TEST(specific_eoi_clears_named_level)
{
	struct pic_pair p;
	linux_init(&p, 0x01);
	pulse(&p, 4);
	pic_acknowledge(&p);
	pulse(&p, 1);
	pic_acknowledge(&p);
	outb(&p, 0x20, 0x64); /* specific EOI, level 4 */
	CHECK_EQ(read_master_isr(&p), 0x02);
}

TEST(read_irr_and_isr_selection_is_sticky)
{
	struct pic_pair p;
	linux_init(&p, 0x01);
	pulse(&p, 3);
	pulse(&p, 5);
	CHECK_EQ(inb(&p, 0x20), 0x28); /* after ICW1 the command port reads IRR */
	pic_acknowledge(&p);
	outb(&p, 0x20, 0x0b);
	CHECK_EQ(inb(&p, 0x20), 0x08);
	CHECK_EQ(inb(&p, 0x20), 0x08);
	outb(&p, 0x20, 0x08); /* RR=0: no change of selection */
	CHECK_EQ(inb(&p, 0x20), 0x08);
	outb(&p, 0x20, 0x0a);
	CHECK_EQ(inb(&p, 0x20), 0x20);
}

TEST(auto_eoi_leaves_isr_clear)
{
	struct pic_pair p;
	linux_init(&p, 0x03);
	pulse(&p, 4);
	CHECK_EQ(pic_acknowledge(&p), 0x24);
	CHECK_EQ(read_master_isr(&p), 0x00);
	pulse(&p, 6); /* nothing in service, so a lower level gets through at once */
	CHECK(pic_intr_pending(&p));
	CHECK_EQ(pic_acknowledge(&p), 0x26);
}

TEST(rotate_on_nonspecific_eoi_makes_serviced_level_lowest)
{
	struct pic_pair p;
	linux_init(&p, 0x01);
	pulse(&p, 3);
	CHECK_EQ(pic_acknowledge(&p), 0x23);
	outb(&p, 0x20, 0xa0);
	pulse(&p, 3);
	pulse(&p, 5);
	pulse(&p, 1);
	/* Priority is now 4,5,6,7,0,1,2,3. */
	CHECK_EQ(pic_acknowledge(&p), 0x25);
	outb(&p, 0x20, 0x20);
	CHECK_EQ(pic_acknowledge(&p), 0x21);
	outb(&p, 0x20, 0x20);
	CHECK_EQ(pic_acknowledge(&p), 0x23);
}

TEST(rotate_on_specific_eoi_and_set_priority)
{
	struct pic_pair p;
	linux_init(&p, 0x01);
	pulse(&p, 6);
	CHECK_EQ(pic_acknowledge(&p), 0x26);
	outb(&p, 0x20, 0xe6); /* EOI level 6 and make it the lowest */
	CHECK_EQ(read_master_isr(&p), 0x00);
	pulse(&p, 6);
	pulse(&p, 7);
	pulse(&p, 0);
	CHECK_EQ(pic_acknowledge(&p), 0x27);
	outb(&p, 0x20, 0x67);
	outb(&p, 0x20, 0xc2); /* set priority: 2 lowest, 3 highest */
	pulse(&p, 3);
	CHECK_EQ(pic_acknowledge(&p), 0x23);
	outb(&p, 0x20, 0x63);
	CHECK_EQ(pic_acknowledge(&p), 0x26);
	outb(&p, 0x20, 0x66);
	CHECK_EQ(pic_acknowledge(&p), 0x20);
}

TEST(rotate_in_auto_eoi_mode)
{
	struct pic_pair p;
	linux_init(&p, 0x03);
	outb(&p, 0x20, 0x80);
	pulse(&p, 1);
	CHECK_EQ(pic_acknowledge(&p), 0x21);
	pulse(&p, 1);
	pulse(&p, 4);
	CHECK_EQ(pic_acknowledge(&p), 0x24);
	CHECK_EQ(pic_acknowledge(&p), 0x21);
	outb(&p, 0x20, 0x00); /* clear rotation: 1 stays lowest from now on */
	pulse(&p, 0);
	CHECK_EQ(pic_acknowledge(&p), 0x20);
	pulse(&p, 1);
	pulse(&p, 7);
	CHECK_EQ(pic_acknowledge(&p), 0x27);
	CHECK_EQ(pic_acknowledge(&p), 0x21);
}

TEST(special_mask_mode_lets_lower_levels_through)
{
	struct pic_pair p;
	linux_init(&p, 0x01);
	pulse(&p, 3);
	CHECK_EQ(pic_acknowledge(&p), 0x23);
	outb(&p, 0x21, 0x08);
	pulse(&p, 5);
	CHECK(!pic_intr_pending(&p));
	outb(&p, 0x20, 0x68); /* ESMM+SMM */
	CHECK(pic_intr_pending(&p));
	CHECK_EQ(pic_acknowledge(&p), 0x25);
	outb(&p, 0x20, 0x48); /* ESMM, SMM off */
	outb(&p, 0x20, 0x65);
	pulse(&p, 6);
	CHECK(!pic_intr_pending(&p));
}

TEST(poll_command_returns_and_acknowledges_level)
{
	struct pic_pair p;
	linux_init(&p, 0x01);
	pulse(&p, 6);
	pulse(&p, 5);
	outb(&p, 0x20, 0x0c);
	CHECK_EQ(inb(&p, 0x20), 0x85);
	CHECK_EQ(read_master_isr(&p), 0x20);
	CHECK_EQ(read_master_irr(&p), 0x40);
	outb(&p, 0x20, 0x0c);
	CHECK_EQ(inb(&p, 0x20), 0x00); /* level 6 is blocked by 5 in service */
	outb(&p, 0x20, 0x20);
	outb(&p, 0x20, 0x0c);
	CHECK_EQ(inb(&p, 0x21), 0x86); /* a poll answers on the data port too */
	CHECK_EQ(inb(&p, 0x21), 0x00); /* and only once */
}

TEST(cascade_delivers_slave_vectors_and_sets_both_isrs)
{
	struct pic_pair p;
	linux_init(&p, 0x01);
	pulse(&p, 12);
	CHECK(pic_intr_pending(&p));
	CHECK_EQ(pic_acknowledge(&p), 0x2c);
	CHECK_EQ(read_master_isr(&p), 0x04);
	outb(&p, 0xa0, 0x0b);
	CHECK_EQ(inb(&p, 0xa0), 0x10);
	pulse(&p, 14);
	CHECK(!pic_intr_pending(&p));
	outb(&p, 0xa0, 0x20);
	CHECK(!pic_intr_pending(&p)); /* master IR2 still in service */
	eoi_master(&p);
	CHECK(pic_intr_pending(&p));
	CHECK_EQ(pic_acknowledge(&p), 0x2e);
}

TEST(slave_requests_rank_at_master_level_two)
{
	struct pic_pair p;
	linux_init(&p, 0x01);
	pulse(&p, 3);
	pulse(&p, 15);
	pulse(&p, 1);
	CHECK_EQ(pic_acknowledge(&p), 0x21);
	eoi_master(&p);
	CHECK_EQ(pic_acknowledge(&p), 0x2f);
	outb(&p, 0xa0, 0x20);
	eoi_master(&p);
	CHECK_EQ(pic_acknowledge(&p), 0x23);
}

TEST(masked_slave_request_does_not_reach_master)
{
	struct pic_pair p;
	linux_init(&p, 0x01);
	outb(&p, 0xa1, 0x02);
	pulse(&p, 9);
	CHECK(!pic_intr_pending(&p));
	outb(&p, 0xa1, 0x00);
	CHECK_EQ(pic_acknowledge(&p), 0x29);
}

TEST(second_slave_request_reaches_master_in_auto_eoi)
{
	struct pic_pair p;
	linux_init(&p, 0x03);
	pulse(&p, 8);
	pulse(&p, 10);
	CHECK_EQ(pic_acknowledge(&p), 0x28);
	CHECK(pic_intr_pending(&p));
	CHECK_EQ(pic_acknowledge(&p), 0x2a);
	CHECK(!pic_intr_pending(&p));
}

TEST(special_fully_nested_allows_higher_slave_request)
{
	struct pic_pair p;
	linux_init(&p, 0x11);
	pulse(&p, 12);
	CHECK_EQ(pic_acknowledge(&p), 0x2c);
	pulse(&p, 9);
	CHECK(pic_intr_pending(&p));
	CHECK_EQ(pic_acknowledge(&p), 0x29);
	pulse(&p, 5); /* below IR2, still blocked */
	CHECK(!pic_intr_pending(&p));
}

TEST(edge_needs_a_new_rising_edge)
{
	struct pic_pair p;
	linux_init(&p, 0x01);
	pic_set_irq(&p, 4, true);
	CHECK_EQ(pic_acknowledge(&p), 0x24);
	eoi_master(&p);
	CHECK(!pic_intr_pending(&p)); /* line still high: no new request */
	pic_set_irq(&p, 4, true);
	CHECK(!pic_intr_pending(&p));
	pic_set_irq(&p, 4, false);
	pic_set_irq(&p, 4, true);
	CHECK(pic_intr_pending(&p));
}

TEST(edge_request_latched_after_line_drops)
{
	struct pic_pair p;
	linux_init(&p, 0x01);
	outb(&p, 0x21, 0x08);
	pulse(&p, 3);
	outb(&p, 0x21, 0x00);
	CHECK(pic_intr_pending(&p));
	CHECK_EQ(pic_acknowledge(&p), 0x23);
}

TEST(level_request_follows_line_and_repeats_after_eoi)
{
	struct pic_pair p;
	linux_init(&p, 0x01);
	outb(&p, 0x4d0, 0x20);
	pic_set_irq(&p, 5, true);
	CHECK_EQ(pic_acknowledge(&p), 0x25);
	eoi_master(&p);
	CHECK(pic_intr_pending(&p)); /* still asserted: asks again */
	pic_set_irq(&p, 5, false);
	CHECK(!pic_intr_pending(&p));
	CHECK_EQ(read_master_irr(&p), 0x00);
}

TEST(level_dropped_before_inta_gives_spurious_7)
{
	struct pic_pair p;
	linux_init(&p, 0x01);
	outb(&p, 0x4d0, 0x20);
	pic_set_irq(&p, 5, true);
	CHECK(pic_intr_pending(&p));
	pic_set_irq(&p, 5, false);
	CHECK(!pic_intr_pending(&p));
	CHECK_EQ(pic_acknowledge(&p), 0x27);
	CHECK_EQ(read_master_isr(&p), 0x00);
}

TEST(slave_spurious_15_leaves_master_ir2_in_service)
{
	struct pic_pair p;
	linux_init(&p, 0x01);
	outb(&p, 0x4d1, 0x08);
	pic_set_irq(&p, 11, true);
	CHECK(pic_intr_pending(&p));
	pic_set_irq(&p, 11, false); /* master's edge-triggered IR2 keeps its request */
	CHECK(pic_intr_pending(&p));
	CHECK_EQ(pic_acknowledge(&p), 0x2f);
	CHECK_EQ(read_master_isr(&p), 0x04);
	outb(&p, 0xa0, 0x0b);
	CHECK_EQ(inb(&p, 0xa0), 0x00);
}

TEST(elcr_keeps_timer_keyboard_cascade_rtc_fpu_edge)
{
	struct pic_pair p;
	pic_init(&p);
	CHECK_EQ(inb(&p, 0x4d0), 0x00);
	outb(&p, 0x4d0, 0xff);
	outb(&p, 0x4d1, 0xff);
	CHECK_EQ(inb(&p, 0x4d0), 0xf8);
	CHECK_EQ(inb(&p, 0x4d1), 0xde);
	struct io_access a = {.port = 0x4d0, .size = 2};
	pic_io(&p, &a);
	CHECK_EQ(a.value, 0xdef8);
}

TEST(icw1_resets_masks_priority_and_requests)
{
	struct pic_pair p;
	linux_init(&p, 0x01);
	outb(&p, 0x20, 0xc4); /* rotate priority */
	pulse(&p, 6);
	pic_acknowledge(&p);
	pulse(&p, 3);
	outb(&p, 0x21, 0x55);
	outb(&p, 0x4d0, 0x20);
	pic_set_irq(&p, 5, true);
	outb(&p, 0x20, 0x0b);
	outb(&p, 0x20, 0x11);
	outb(&p, 0x21, 0x20);
	outb(&p, 0x21, 0x04);
	outb(&p, 0x21, 0x01);
	CHECK_EQ(inb(&p, 0x21), 0x00);
	CHECK_EQ(inb(&p, 0x20), 0x20); /* IRR selected again; only the level request is left */
	CHECK_EQ(read_master_isr(&p), 0x00);
	pulse(&p, 7);
	pulse(&p, 0);
	CHECK_EQ(pic_acknowledge(&p), 0x20); /* IR7 is lowest again */
}

TEST(icw1_while_waiting_for_icw3_restarts_sequence)
{
	struct pic_pair p;
	linux_init(&p, 0x01);
	outb(&p, 0x20, 0x11);
	outb(&p, 0x21, 0x40);
	outb(&p, 0x20, 0x11); /* start over before ICW3 */
	outb(&p, 0x21, 0x30);
	outb(&p, 0x21, 0x04);
	outb(&p, 0x21, 0x01);
	outb(&p, 0x21, 0xfe); /* now OCW1 */
	CHECK_EQ(inb(&p, 0x21), 0xfe);
	pulse(&p, 0);
	CHECK_EQ(pic_acknowledge(&p), 0x30);
}

TEST(single_mode_skips_icw3_and_ir2_is_an_ordinary_input)
{
	struct pic_pair p;
	pic_init(&p);
	outb(&p, 0x20, 0x13);
	outb(&p, 0x21, 0x50);
	outb(&p, 0x21, 0x01); /* ICW4, not ICW3 */
	outb(&p, 0x21, 0x00); /* OCW1 */
	CHECK_EQ(inb(&p, 0x21), 0x00);
	pulse(&p, 2);
	CHECK_EQ(pic_acknowledge(&p), 0x52);
}

TEST(no_icw4_clears_auto_eoi)
{
	struct pic_pair p;
	linux_init(&p, 0x03);
	outb(&p, 0x20, 0x10); /* cascade, no ICW4 */
	outb(&p, 0x21, 0x20);
	outb(&p, 0x21, 0x04);
	outb(&p, 0x21, 0x00); /* OCW1, not ICW4 */
	pulse(&p, 1);
	CHECK_EQ(pic_acknowledge(&p), 0x21);
	CHECK_EQ(read_master_isr(&p), 0x02);
}

static int notify_calls;
static void count_notify(void *ctx)
{
	notify_calls++;
	CHECK_EQ(pic_intr_pending(ctx), notify_calls % 2 == 1);
}

TEST(notify_runs_when_int_output_changes)
{
	struct pic_pair p;
	linux_init(&p, 0x01);
	notify_calls = 0;
	pic_set_notify(&p, count_notify, &p);
	pulse(&p, 4);
	CHECK_EQ(notify_calls, 1);
	pulse(&p, 6); /* INT already asserted */
	CHECK_EQ(notify_calls, 1);
	pic_acknowledge(&p);
	CHECK_EQ(notify_calls, 2);
	pulse(&p, 1);
	CHECK_EQ(notify_calls, 3);
	outb(&p, 0x21, 0x02);
	CHECK_EQ(notify_calls, 4);
}

TEST(irq_sink_drives_inputs)
{
	struct pic_pair p;
	linux_init(&p, 0x01);
	const struct irq_sink *s = pic_irq_sink(&p);
	struct irq_line line = {.sink = s, .irq = 10};
	irq_line_pulse(&line);
	CHECK(pic_intr_pending(&p));
	CHECK_EQ(pic_acknowledge(&p), 0x2a);
	pic_set_irq(&p, 16, true); /* out of range: ignored */
	CHECK(!pic_intr_pending(&p));
}

CHECK_MAIN("pic", CASE(power_on_masks_everything_with_bios_bases),
	   CASE(linux_init_sequence_sets_vector_bases), CASE(data_port_reads_imr),
	   CASE(vector_base_ignores_low_three_bits),
	   CASE(masked_request_waits_in_irr_until_unmasked),
	   CASE(fixed_priority_lowest_level_first),
	   CASE(in_service_blocks_equal_and_lower_but_not_higher),
	   CASE(nonspecific_eoi_clears_highest_in_service), CASE(specific_eoi_clears_named_level),
	   CASE(read_irr_and_isr_selection_is_sticky), CASE(auto_eoi_leaves_isr_clear),
	   CASE(rotate_on_nonspecific_eoi_makes_serviced_level_lowest),
	   CASE(rotate_on_specific_eoi_and_set_priority), CASE(rotate_in_auto_eoi_mode),
	   CASE(special_mask_mode_lets_lower_levels_through),
	   CASE(poll_command_returns_and_acknowledges_level),
	   CASE(cascade_delivers_slave_vectors_and_sets_both_isrs),
	   CASE(slave_requests_rank_at_master_level_two),
	   CASE(masked_slave_request_does_not_reach_master),
	   CASE(second_slave_request_reaches_master_in_auto_eoi),
	   CASE(special_fully_nested_allows_higher_slave_request),
	   CASE(edge_needs_a_new_rising_edge), CASE(edge_request_latched_after_line_drops),
	   CASE(level_request_follows_line_and_repeats_after_eoi),
	   CASE(level_dropped_before_inta_gives_spurious_7),
	   CASE(slave_spurious_15_leaves_master_ir2_in_service),
	   CASE(elcr_keeps_timer_keyboard_cascade_rtc_fpu_edge),
	   CASE(icw1_resets_masks_priority_and_requests),
	   CASE(icw1_while_waiting_for_icw3_restarts_sequence),
	   CASE(single_mode_skips_icw3_and_ir2_is_an_ordinary_input), CASE(no_icw4_clears_auto_eoi),
	   CASE(notify_runs_when_int_output_changes), CASE(irq_sink_drives_inputs))
