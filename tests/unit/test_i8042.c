/* i8042 controller model: status, controller commands, reset paths and keyboard replies. */
#include "devices/i8042.h"
#include "tests/unit/check.h"

static int resets;

static void count_reset(void *ctx)
{
	(void)ctx;
	resets++;
}

static void setup(struct i8042 *k)
{
	resets = 0;
	i8042_init(k, count_reset, 0);
}

static void out8(struct i8042 *k, uint16_t port, uint8_t v)
{
	struct io_access a = {.port = port, .size = 1, .write = true, .value = v};
	i8042_io(k, &a);
}

static uint8_t in8(struct i8042 *k, uint16_t port)
{
	struct io_access a = {.port = port, .size = 1, .value = 0xabcdef00};
	i8042_io(k, &a);
	CHECK_EQ(a.value >> 8, 0);
	return (uint8_t)a.value;
}

/* Reads one reply, which must be announced by OBF. */
static uint8_t reply(struct i8042 *k)
{
	CHECK_EQ(in8(k, 0x64) & 0x01, 0x01);
	return in8(k, 0x60);
}

static bool output_empty(struct i8042 *k)
{
	return !(in8(k, 0x64) & 0x01);
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
	out8(&k, 0x60, 0xff); /* to the absent mouse: swallowed */
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

CHECK_MAIN("i8042", CASE(idle_status), CASE(self_test_answers_55),
	   CASE(data_port_repeats_last_byte), CASE(command_byte_read_and_write),
	   CASE(keyboard_disable_enable), CASE(aux_port_commands), CASE(pulse_reset_command),
	   CASE(output_port_write_resets), CASE(keyboard_command_acked),
	   CASE(keyboard_reset_passes_bat), CASE(keyboard_identify),
	   CASE(keyboard_argument_not_a_command), CASE(keyboard_echo_and_resend),
	   CASE(write_keyboard_output_buffer), CASE(new_command_cancels_pending_data))
