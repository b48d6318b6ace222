#include "kernel/console_focus.h"
#include "tests/unit/check.h"

static struct console_focus f;

TEST(plain_bytes_are_delivered)
{
	focus_init(&f, 3);
	CHECK_EQ(focus_feed(&f, 'a'), FOCUS_DELIVER);
	CHECK_EQ(focus_feed(&f, '\r'), FOCUS_DELIVER);
	CHECK_EQ(f.current, 0);
}

TEST(escape_digit_selects_vm)
{
	focus_init(&f, 3);
	CHECK_EQ(focus_feed(&f, FOCUS_ESCAPE), FOCUS_CONSUMED);
	CHECK_EQ(focus_feed(&f, '3'), FOCUS_CHANGED);
	CHECK_EQ(f.current, 2);
	CHECK_EQ(focus_feed(&f, 'x'), FOCUS_DELIVER);
}

TEST(escape_digit_out_of_range_is_dropped)
{
	focus_init(&f, 2);
	focus_feed(&f, FOCUS_ESCAPE);
	CHECK_EQ(focus_feed(&f, '5'), FOCUS_CONSUMED);
	CHECK_EQ(f.current, 0);
	CHECK(!f.escape);
}

TEST(escape_n_cycles)
{
	focus_init(&f, 2);
	focus_feed(&f, FOCUS_ESCAPE);
	CHECK_EQ(focus_feed(&f, 'n'), FOCUS_CHANGED);
	CHECK_EQ(f.current, 1);
	focus_feed(&f, FOCUS_ESCAPE);
	CHECK_EQ(focus_feed(&f, 'n'), FOCUS_CHANGED);
	CHECK_EQ(f.current, 0);
}

TEST(double_escape_sends_one)
{
	focus_init(&f, 2);
	focus_feed(&f, FOCUS_ESCAPE);
	CHECK_EQ(focus_feed(&f, FOCUS_ESCAPE), FOCUS_DELIVER);
	CHECK(!f.escape);
}

TEST(selecting_current_vm_changes_nothing)
{
	focus_init(&f, 2);
	focus_queue_push(&f, 'q');
	focus_feed(&f, FOCUS_ESCAPE);
	CHECK_EQ(focus_feed(&f, '1'), FOCUS_CONSUMED);
	CHECK_EQ(f.len, 1);
}

TEST(queue_keeps_order_and_refuses_when_full)
{
	focus_init(&f, 1);
	for (unsigned i = 0; i < FOCUS_QUEUE_SIZE; i++)
		CHECK(focus_queue_push(&f, (uint8_t)i));
	CHECK(!focus_queue_push(&f, 0xee));
	for (unsigned i = 0; i < FOCUS_QUEUE_SIZE; i++) {
		uint8_t b;
		CHECK(focus_queue_peek(&f, &b));
		CHECK_EQ(b, (uint8_t)i);
		focus_queue_pop(&f);
	}
	uint8_t b;
	CHECK(!focus_queue_peek(&f, &b));
}

TEST(focus_change_drops_queued_input)
{
	focus_init(&f, 2);
	focus_queue_push(&f, 'a');
	focus_feed(&f, FOCUS_ESCAPE);
	focus_feed(&f, '2');
	CHECK_EQ(f.len, 0);
}

TEST(peek_does_not_consume)
{
	focus_init(&f, 1);
	focus_queue_push(&f, 'z');
	uint8_t b = 0;
	CHECK(focus_queue_peek(&f, &b));
	CHECK(focus_queue_peek(&f, &b));
	CHECK_EQ(b, 'z');
	CHECK_EQ(f.len, 1);
}

TEST(wraparound)
{
	focus_init(&f, 1);
	for (int round = 0; round < 3; round++) {
		for (unsigned i = 0; i < FOCUS_QUEUE_SIZE - 1; i++)
			CHECK(focus_queue_push(&f, (uint8_t)(i + round)));
		for (unsigned i = 0; i < FOCUS_QUEUE_SIZE - 1; i++) {
			uint8_t b;
			CHECK(focus_queue_peek(&f, &b));
			CHECK_EQ(b, (uint8_t)(i + round));
			focus_queue_pop(&f);
		}
	}
}

TEST(escape_q_quits_without_moving_focus)
{
	focus_init(&f, 3);
	CHECK_EQ(focus_feed(&f, FOCUS_ESCAPE), FOCUS_CONSUMED);
	CHECK_EQ(focus_feed(&f, 'q'), FOCUS_QUIT);
	CHECK_EQ(f.current, 0);
	CHECK_EQ(focus_feed(&f, 'q'), FOCUS_DELIVER); /* the command is over */
}

TEST(plain_q_is_delivered)
{
	focus_init(&f, 2);
	CHECK_EQ(focus_feed(&f, 'q'), FOCUS_DELIVER);
}

TEST(ended_vm_hands_focus_to_the_next_live_one)
{
	focus_init(&f, 4);
	focus_set(&f, 2);
	focus_queue_push(&f, 'x');
	CHECK(focus_leave_ended(&f, 0x2)); /* only VM 1 is live: wraps past 3 and 0 */
	CHECK_EQ(f.current, 1);
	CHECK_EQ(f.len, 0);
	CHECK(!focus_leave_ended(&f, 0x2)); /* focused VM live: stays */
	CHECK_EQ(f.current, 1);
	CHECK(focus_leave_ended(&f, 0x9)); /* 1 ended: the next live after it is 3 */
	CHECK_EQ(f.current, 3);
}

TEST(no_live_vm_leaves_focus_alone)
{
	focus_init(&f, 3);
	focus_set(&f, 1);
	CHECK(!focus_leave_ended(&f, 0));
	CHECK_EQ(f.current, 1);
}

CHECK_MAIN("console_focus", CASE(plain_bytes_are_delivered), CASE(escape_digit_selects_vm),
	   CASE(escape_digit_out_of_range_is_dropped), CASE(escape_n_cycles),
	   CASE(double_escape_sends_one), CASE(selecting_current_vm_changes_nothing),
	   CASE(queue_keeps_order_and_refuses_when_full), CASE(focus_change_drops_queued_input),
	   CASE(peek_does_not_consume), CASE(wraparound), CASE(escape_q_quits_without_moving_focus),
	   CASE(plain_q_is_delivered), CASE(ended_vm_hands_focus_to_the_next_live_one),
	   CASE(no_live_vm_leaves_focus_alone))
