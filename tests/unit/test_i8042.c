/* i8042 controller model: status, controller commands, reset paths and keyboard replies. */
#include "tests/unit/i8042_harness.h"

static uint32_t wide_in(struct i8042 *k, uint16_t port, uint8_t size)
{
	struct io_access a = {.port = port, .size = size, .value = 0x5a5a5a5a};
	i8042_io(k, &a);
	return a.value;
}

static void wide_out(struct i8042 *k, uint16_t port, uint8_t size, uint32_t v)
{
	struct io_access a = {.port = port, .size = size, .write = true, .value = v};
	i8042_io(k, &a);
}

TEST(idle_status)
{
	struct i8042 k;
	setup(&k);
	CHECK_EQ(in8(&k, 0x64), 0x14);
}

TEST(self_test_answers_55)
{
	struct i8042 k;
	setup(&k);
	out8(&k, 0x64, 0xaa);
	CHECK_EQ(in8(&k, 0x64), 0x15);
	CHECK_EQ(in8(&k, 0x60), 0x55);
	CHECK_EQ(in8(&k, 0x64), 0x14);
}

TEST(data_port_repeats_last_byte)
{
	struct i8042 k;
	setup(&k);
	out8(&k, 0x64, 0xaa);
	CHECK_EQ(in8(&k, 0x60), 0x55);
	CHECK_EQ(in8(&k, 0x60), 0x55);
	CHECK(output_empty(&k));
}

TEST(command_byte_read_and_write)
{
	struct i8042 k;
	setup(&k);
	out8(&k, 0x64, 0x20);
	CHECK_EQ(reply(&k), 0x45);
	out8(&k, 0x64, 0x60);
	out8(&k, 0x60, 0x30);
	CHECK(output_empty(&k)); /* the data byte went to the controller, not the keyboard */
	out8(&k, 0x64, 0x20);
	CHECK_EQ(reply(&k), 0x30);
	CHECK_EQ(in8(&k, 0x64), 0x10); /* system flag follows command byte bit 2 */
}

TEST(keyboard_disable_enable)
{
	struct i8042 k;
	setup(&k);
	out8(&k, 0x64, 0xad);
	out8(&k, 0x64, 0x20);
	CHECK_EQ(reply(&k) & 0x10, 0x10);
	out8(&k, 0x64, 0xae);
	out8(&k, 0x64, 0x20);
	CHECK_EQ(reply(&k) & 0x10, 0x00);
}

TEST(aux_port_commands)
{
	struct i8042 k;
	setup(&k);
	out8(&k, 0x64, 0xa7);
	out8(&k, 0x64, 0x20);
	CHECK_EQ(reply(&k) & 0x20, 0x20);
	out8(&k, 0x64, 0xa8);
	out8(&k, 0x64, 0x20);
	CHECK_EQ(reply(&k) & 0x20, 0x00);
	out8(&k, 0x64, 0xa9);
	CHECK_EQ(reply(&k), 0x01); /* nothing attached */
	out8(&k, 0x64, 0xab);
	CHECK_EQ(reply(&k), 0x00);
	out8(&k, 0x64, 0xd4);
	out8(&k, 0x60, 0xff); /* to the absent mouse: it never answers */
	CHECK_EQ(in8(&k, 0x64), 0x75);
	CHECK_EQ(in8(&k, 0x60), 0xfe);
	CHECK(output_empty(&k));
}

TEST(pulse_reset_command)
{
	struct i8042 k;
	setup(&k);
	out8(&k, 0x64, 0xff); /* pulses nothing */
	CHECK_EQ(resets, 0);
	out8(&k, 0x64, 0xfe);
	CHECK_EQ(resets, 1);
	out8(&k, 0x64, 0xf0);
	CHECK_EQ(resets, 2);
	out8(&k, 0x64, 0xfd); /* bit 0 set: reset line not pulsed */
	CHECK_EQ(resets, 2);
}

TEST(output_port_write_resets)
{
	struct i8042 k;
	setup(&k);
	out8(&k, 0x64, 0xd0);
	CHECK_EQ(reply(&k) & 0x03, 0x03);
	out8(&k, 0x64, 0xd1);
	out8(&k, 0x60, 0xdf);
	CHECK_EQ(resets, 0);
	out8(&k, 0x64, 0xd0);
	CHECK_EQ(reply(&k), 0xdf);
	out8(&k, 0x64, 0xd1);
	out8(&k, 0x60, 0xde);
	CHECK_EQ(resets, 1);
}

TEST(keyboard_command_acked)
{
	struct i8042 k;
	setup(&k);
	out8(&k, 0x60, 0xf4);
	CHECK_EQ(reply(&k), 0xfa);
	CHECK(output_empty(&k));
}

TEST(keyboard_reset_passes_bat)
{
	struct i8042 k;
	setup(&k);
	out8(&k, 0x60, 0xff);
	CHECK_EQ(reply(&k), 0xfa);
	CHECK_EQ(reply(&k), 0xaa);
	CHECK(output_empty(&k));
	CHECK_EQ(resets, 0);
}

TEST(keyboard_identify)
{
	struct i8042 k;
	setup(&k);
	write_command_byte(&k, 0x05); /* no translation: the keyboard's own set 2 bytes */
	out8(&k, 0x60, 0xf2);
	CHECK_EQ(reply(&k), 0xfa);
	CHECK_EQ(reply(&k), 0xab);
	CHECK_EQ(reply(&k), 0x83);
	CHECK(output_empty(&k));
}

TEST(keyboard_argument_not_a_command)
{
	struct i8042 k;
	setup(&k);
	out8(&k, 0x60, 0xed);
	CHECK_EQ(reply(&k), 0xfa);
	out8(&k, 0x60, 0xff); /* LED bits, not a reset */
	CHECK_EQ(reply(&k), 0xfa);
	CHECK(output_empty(&k));
	write_command_byte(&k, 0x05);
	out8(&k, 0x60, 0xf0);
	out8(&k, 0x60, 0x00); /* which scan code set? */
	CHECK_EQ(reply(&k), 0xfa);
	CHECK_EQ(reply(&k), 0xfa);
	CHECK_EQ(reply(&k), 0x02);
}

TEST(keyboard_echo_and_resend)
{
	struct i8042 k;
	setup(&k);
	out8(&k, 0x60, 0xee);
	CHECK_EQ(reply(&k), 0xee);
	out8(&k, 0x60, 0x12); /* not a keyboard command */
	CHECK_EQ(reply(&k), 0xfe);
}

TEST(write_keyboard_output_buffer)
{
	struct i8042 k;
	setup(&k);
	out8(&k, 0x64, 0xd2);
	out8(&k, 0x60, 0x1c);
	CHECK_EQ(reply(&k), 0x1c);
	CHECK(output_empty(&k));
}

TEST(new_command_cancels_pending_data)
{
	struct i8042 k;
	setup(&k);
	out8(&k, 0x64, 0x60);
	out8(&k, 0x64, 0xaa);
	out8(&k, 0x60, 0xf4); /* now a keyboard command */
	CHECK_EQ(reply(&k), 0x55);
	CHECK_EQ(reply(&k), 0xfa);
	out8(&k, 0x64, 0x20);
	CHECK_EQ(reply(&k), 0x45);
}

TEST(replies_queue_in_order)
{
	struct i8042 k;
	setup(&k);
	out8(&k, 0x64, 0xaa);
	out8(&k, 0x64, 0xab);
	out8(&k, 0x64, 0x20);
	out8(&k, 0x64, 0xd0);
	CHECK_EQ(in8(&k, 0x64), 0x15);
	CHECK_EQ(in8(&k, 0x60), 0x55);
	CHECK_EQ(in8(&k, 0x64), 0x15); /* OBF stays set while bytes wait */
	CHECK_EQ(in8(&k, 0x60), 0x00);
	CHECK_EQ(in8(&k, 0x60), 0x45);
	CHECK_EQ(in8(&k, 0x64), 0x15);
	CHECK_EQ(in8(&k, 0x60) & 0x03, 0x03);
	CHECK_EQ(in8(&k, 0x64), 0x14); /* the last read clears OBF */
}

TEST(output_queue_drops_overflow)
{
	struct i8042 k;
	setup(&k);
	for (int i = 0; i < 3; i++)
		out8(&k, 0x60, 0xf2); /* 3 x 3 bytes, one more than the queue holds */
	static const uint8_t kept[] = {0xfa, 0xab, 0x41, 0xfa, 0xab, 0x41, 0xfa, 0xab};
	for (unsigned i = 0; i < sizeof kept; i++)
		CHECK_EQ(reply(&k), kept[i]);
	CHECK(output_empty(&k));
	out8(&k, 0x64, 0xaa); /* the queue works again once drained */
	CHECK_EQ(reply(&k), 0x55);
	CHECK(output_empty(&k));
}

TEST(empty_output_buffer_read)
{
	struct i8042 k;
	setup(&k);
	CHECK_EQ(in8(&k, 0x60), 0x00); /* nothing ever sent */
	CHECK_EQ(in8(&k, 0x64), 0x14);
	out8(&k, 0x60, 0xee);
	CHECK_EQ(reply(&k), 0xee);
	for (int i = 0; i < 3; i++) {
		CHECK_EQ(in8(&k, 0x60), 0xee);
		CHECK_EQ(in8(&k, 0x64), 0x14); /* reading does not make a byte appear */
	}
	out8(&k, 0x64, 0xab); /* a later reply is not hidden behind the repeats */
	CHECK_EQ(reply(&k), 0x00);
}

TEST(command_byte_round_trip)
{
	struct i8042 k;
	setup(&k);
	static const uint8_t values[] = {0x00, 0xff, 0x04, 0x61, 0x47, 0x74};
	for (unsigned i = 0; i < sizeof values; i++) {
		write_command_byte(&k, values[i]);
		CHECK_EQ(in8(&k, 0x64), 0x10 | (values[i] & 0x04)); /* SYS from bit 2, no OBF */
		CHECK_EQ(read_command_byte(&k), values[i]);
		CHECK(output_empty(&k));
	}
	CHECK_EQ(resets, 0);
}

TEST(status_after_each_command)
{
	struct i8042 k;
	setup(&k);
	static const uint8_t silent[] = {0xa7, 0xa8, 0xad, 0xae, 0xd1, 0xd2, 0xd3, 0xd4, 0x60};
	for (unsigned i = 0; i < sizeof silent; i++) {
		out8(&k, 0x64, silent[i]);
		CHECK_EQ(in8(&k, 0x64), 0x14); /* nothing to read back */
	}
	static const uint8_t answered[] = {0x20, 0xa9, 0xaa, 0xab, 0xd0};
	for (unsigned i = 0; i < sizeof answered; i++) {
		out8(&k, 0x64, answered[i]);
		CHECK_EQ(in8(&k, 0x64), 0x15);
		in8(&k, 0x60);
		CHECK_EQ(in8(&k, 0x64), 0x14);
	}
}

TEST(interface_test_answers_00)
{
	struct i8042 k;
	setup(&k);
	out8(&k, 0x64, 0xab);
	CHECK_EQ(in8(&k, 0x64), 0x15);
	CHECK_EQ(in8(&k, 0x60), 0x00);
	CHECK(output_empty(&k));
	CHECK_EQ(read_command_byte(&k), 0x45); /* a test changes nothing */
}

TEST(disable_enable_touch_only_bit_4)
{
	struct i8042 k;
	setup(&k);
	write_command_byte(&k, 0x67);
	out8(&k, 0x64, 0xad);
	CHECK_EQ(read_command_byte(&k), 0x77);
	out8(&k, 0x64, 0xad); /* idempotent */
	CHECK_EQ(read_command_byte(&k), 0x77);
	out8(&k, 0x64, 0xae);
	CHECK_EQ(read_command_byte(&k), 0x67);
	write_command_byte(&k, 0x00);
	out8(&k, 0x64, 0xad);
	CHECK_EQ(read_command_byte(&k), 0x10);
	out8(&k, 0x64, 0xae);
	CHECK_EQ(read_command_byte(&k), 0x00);
	CHECK_EQ(resets, 0);
}

TEST(output_port_write_with_reset_high)
{
	struct i8042 k;
	setup(&k);
	static const uint8_t values[] = {0x01, 0x03, 0xff, 0x81};
	for (unsigned i = 0; i < sizeof values; i++) {
		out8(&k, 0x64, 0xd1);
		out8(&k, 0x60, values[i]);
		CHECK(output_empty(&k)); /* the data byte did not reach the keyboard */
		out8(&k, 0x64, 0xd0);
		CHECK_EQ(reply(&k), values[i]);
	}
	CHECK_EQ(resets, 0);
}

TEST(output_port_write_with_reset_low)
{
	struct i8042 k;
	setup(&k);
	static const uint8_t values[] = {0x00, 0x02, 0xfe};
	for (unsigned i = 0; i < sizeof values; i++) {
		out8(&k, 0x64, 0xd1);
		CHECK_EQ(resets, (int)i); /* not until the data byte arrives */
		out8(&k, 0x60, values[i]);
		CHECK_EQ(resets, (int)i + 1);
		CHECK(output_empty(&k));
	}
	out8(&k, 0x60, 0xfe); /* no longer after 0xd1: a keyboard byte */
	CHECK_EQ(resets, 3);
	CHECK_EQ(reply(&k), 0xfa);
}

TEST(pulse_commands_reset_when_bit_0_clear)
{
	struct i8042 k;
	setup(&k);
	for (unsigned cmd = 0xf0; cmd <= 0xff; cmd++) {
		int before = resets;
		out8(&k, 0x64, (uint8_t)cmd);
		CHECK_EQ(resets - before, (cmd & 1) ? 0 : 1);
		CHECK(output_empty(&k));
	}
	CHECK_EQ(read_command_byte(&k), 0x45);
	out8(&k, 0x64, 0xd0);
	CHECK_EQ(reply(&k) & 0x03, 0x03); /* a pulse leaves the output port as it was */
}

static void *reset_ctx_seen;

static void record_reset_ctx(void *ctx)
{
	reset_ctx_seen = ctx;
}

TEST(reset_handler_gets_its_context)
{
	struct i8042 k;
	int owner;
	reset_ctx_seen = 0;
	i8042_init(&k, record_reset_ctx, &owner, 0, 0);
	out8(&k, 0x64, 0xfe);
	CHECK(reset_ctx_seen == &owner);
}

TEST(reset_without_handler_is_harmless)
{
	struct i8042 k;
	i8042_init(&k, 0, 0, 0, 0);
	out8(&k, 0x64, 0xfe);
	out8(&k, 0x64, 0xd1);
	out8(&k, 0x60, 0x00);
	out8(&k, 0x64, 0xaa); /* still answering */
	CHECK_EQ(reply(&k), 0x55);
}

TEST(keyboard_simple_commands_ack_once)
{
	struct i8042 k;
	setup(&k);
	for (unsigned cmd = 0xf4; cmd <= 0xfd; cmd++) {
		out8(&k, 0x60, (uint8_t)cmd);
		CHECK_EQ(reply(&k), 0xfa);
		CHECK(output_empty(&k));
	}
	out8(&k, 0x60, 0xf1); /* not a command */
	CHECK_EQ(reply(&k), 0xfe);
	CHECK(output_empty(&k));
}

TEST(keyboard_echo_has_no_ack)
{
	struct i8042 k;
	setup(&k);
	out8(&k, 0x60, 0xee);
	CHECK_EQ(in8(&k, 0x64), 0x15);
	CHECK_EQ(in8(&k, 0x60), 0xee);
	CHECK(output_empty(&k));
}

TEST(keyboard_reset_status_sequence)
{
	struct i8042 k;
	setup(&k);
	out8(&k, 0x60, 0xff);
	CHECK_EQ(in8(&k, 0x64), 0x15);
	CHECK_EQ(in8(&k, 0x60), 0xfa);
	CHECK_EQ(in8(&k, 0x64), 0x15); /* BAT result still waiting */
	CHECK_EQ(in8(&k, 0x60), 0xaa);
	CHECK_EQ(in8(&k, 0x64), 0x14);
	CHECK_EQ(read_command_byte(&k), 0x45); /* the keyboard's reset is not the controller's */
}

TEST(keyboard_argument_taken_once)
{
	struct i8042 k;
	setup(&k);
	out8(&k, 0x60, 0xf3);
	out8(&k, 0x60, 0x00); /* typematic rate */
	CHECK_EQ(reply(&k), 0xfa);
	CHECK_EQ(reply(&k), 0xfa);
	CHECK(output_empty(&k));
	out8(&k, 0x60, 0xff); /* a command again */
	CHECK_EQ(reply(&k), 0xfa);
	CHECK_EQ(reply(&k), 0xaa);
	out8(&k, 0x60, 0xf0);
	out8(&k, 0x60, 0x02); /* selecting a set is only acknowledged */
	CHECK_EQ(reply(&k), 0xfa);
	CHECK_EQ(reply(&k), 0xfa);
	CHECK(output_empty(&k));
}

TEST(translation_changes_id_and_set)
{
	struct i8042 k;
	setup(&k); /* firmware leaves translation on */
	out8(&k, 0x60, 0xf2);
	CHECK_EQ(reply(&k), 0xfa);
	CHECK_EQ(reply(&k), 0xab);
	CHECK_EQ(reply(&k), 0x41); /* set 2 0x83 seen through translation */
	out8(&k, 0x60, 0xf0);
	out8(&k, 0x60, 0x00);
	CHECK_EQ(reply(&k), 0xfa);
	CHECK_EQ(reply(&k), 0xfa);
	CHECK_EQ(reply(&k), 0x41); /* set 2 0x02 likewise */
	out8(&k, 0x64, 0xd2);
	out8(&k, 0x60, 0x02); /* written by the host, not sent by the keyboard */
	CHECK_EQ(reply(&k), 0x02);
}

TEST(unknown_commands_do_nothing)
{
	struct i8042 k;
	setup(&k);
	static const uint8_t unknown[] = {0x00, 0x21, 0x3f, 0x80, 0xa1, 0xc0, 0xe0, 0xd5, 0xef};
	for (unsigned i = 0; i < sizeof unknown; i++) {
		out8(&k, 0x64, unknown[i]);
		CHECK_EQ(in8(&k, 0x64), 0x14);
		out8(&k, 0x60, 0xf4); /* takes no data byte: this goes to the keyboard */
		CHECK_EQ(reply(&k), 0xfa);
	}
	CHECK_EQ(resets, 0);
	CHECK_EQ(read_command_byte(&k), 0x45);
	out8(&k, 0x64, 0xd0);
	CHECK_EQ(reply(&k) & 0x03, 0x03);
}

TEST(ram_write_swallows_its_data)
{
	struct i8042 k;
	setup(&k);
	out8(&k, 0x64, 0x61);
	out8(&k, 0x60, 0xff); /* RAM byte 1, not a keyboard reset */
	CHECK(output_empty(&k));
	out8(&k, 0x64, 0x7f);
	out8(&k, 0x60, 0xee);
	CHECK(output_empty(&k));
	CHECK_EQ(read_command_byte(&k), 0x45); /* RAM byte 0 untouched */
	out8(&k, 0x60, 0xee);
	CHECK_EQ(reply(&k), 0xee);
}

TEST(wide_reads_see_one_controller_byte)
{
	struct i8042 k;
	setup(&k);
	CHECK_EQ(wide_in(&k, 0x64, 2), 0xff14);
	CHECK_EQ(wide_in(&k, 0x64, 4), 0xffffff14);
	out8(&k, 0x64, 0xaa);
	out8(&k, 0x64, 0xab);
	CHECK_EQ(wide_in(&k, 0x60, 2), 0xff55);
	CHECK_EQ(wide_in(&k, 0x64, 2), 0xff15); /* only one byte was taken */
	CHECK_EQ(wide_in(&k, 0x60, 4), 0xffffff00);
	CHECK_EQ(wide_in(&k, 0x64, 4), 0xffffff14);
}

TEST(wide_writes_use_the_low_byte)
{
	struct i8042 k;
	setup(&k);
	wide_out(&k, 0x64, 4, 0xfefefe20); /* 0xfe is for the ports above: no reset */
	CHECK_EQ(resets, 0);
	CHECK_EQ(reply(&k), 0x45);
	CHECK(output_empty(&k));
	wide_out(&k, 0x64, 2, 0xaa60);
	wide_out(&k, 0x60, 2, 0xff30);
	CHECK(output_empty(&k));
	CHECK_EQ(read_command_byte(&k), 0x30);
	wide_out(&k, 0x64, 2, 0x00fe);
	CHECK_EQ(resets, 1);
}

CHECK_MAIN("i8042", CASE(idle_status), CASE(self_test_answers_55),
	   CASE(data_port_repeats_last_byte), CASE(command_byte_read_and_write),
	   CASE(keyboard_disable_enable), CASE(aux_port_commands), CASE(pulse_reset_command),
	   CASE(output_port_write_resets), CASE(keyboard_command_acked),
	   CASE(keyboard_reset_passes_bat), CASE(keyboard_identify),
	   CASE(keyboard_argument_not_a_command), CASE(keyboard_echo_and_resend),
	   CASE(write_keyboard_output_buffer), CASE(new_command_cancels_pending_data),
	   CASE(replies_queue_in_order), CASE(output_queue_drops_overflow),
	   CASE(empty_output_buffer_read), CASE(command_byte_round_trip),
	   CASE(status_after_each_command), CASE(interface_test_answers_00),
	   CASE(disable_enable_touch_only_bit_4), CASE(output_port_write_with_reset_high),
	   CASE(output_port_write_with_reset_low), CASE(pulse_commands_reset_when_bit_0_clear),
	   CASE(reset_handler_gets_its_context), CASE(reset_without_handler_is_harmless),
	   CASE(keyboard_simple_commands_ack_once), CASE(keyboard_echo_has_no_ack),
	   CASE(keyboard_reset_status_sequence), CASE(keyboard_argument_taken_once),
	   CASE(translation_changes_id_and_set), CASE(unknown_commands_do_nothing),
	   CASE(ram_write_swallows_its_data), CASE(wide_reads_see_one_controller_byte),
	   CASE(wide_writes_use_the_low_byte))
