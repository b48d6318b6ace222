/* i8042 model: the auxiliary port with no mouse attached, and IRQ 1 / IRQ 12 delivery. */
#include "tests/unit/i8042_harness.h"

#define ST_IDLE	   0x14 /* keyboard unlocked, system flag */
#define ST_OBF	   0x01
#define ST_AUX	   0x20
#define ST_TIMEOUT 0x40

/* Command 0xd3 followed by the byte to loop back; returns what came back (or 0 if none). */
static uint8_t aux_loop(struct i8042 *k, uint8_t v)
{
	out8(k, 0x64, 0xd3);
	out8(k, 0x60, v);
	if (in8(k, 0x64) != (ST_IDLE | ST_AUX | ST_OBF))
		return 0;
	return in8(k, 0x60);
}

TEST(aux_loopback_comes_back_as_aux_data)
{
	struct i8042 k;
	setup(&k);
	out8(&k, 0x64, 0xd3);
	CHECK_EQ(in8(&k, 0x64), ST_IDLE); /* nothing until the data byte */
	out8(&k, 0x60, 0x5a);
	CHECK_EQ(in8(&k, 0x64), ST_IDLE | ST_AUX | ST_OBF);
	CHECK_EQ(in8(&k, 0x60), 0x5a);
	CHECK_EQ(in8(&k, 0x64), ST_IDLE);
	CHECK_EQ(read_command_byte(&k), 0x45); /* a loopback changes nothing */
	static const uint8_t values[] = {0x00, 0xff, 0xa5, 0xfe, 0xaa};
	for (unsigned i = 0; i < sizeof values; i++)
		CHECK_EQ(aux_loop(&k, values[i]), values[i]);
}

TEST(aux_loopback_while_aux_disabled)
{
	struct i8042 k;
	setup(&k);
	out8(&k, 0x64, 0xa7);
	CHECK_EQ(aux_loop(&k, 0x5a), 0x5a); /* the controller's own path, not the device's */
	CHECK_EQ(read_command_byte(&k) & 0x20, 0x20);
}

TEST(aux_send_times_out_without_mouse)
{
	struct i8042 k;
	setup(&k);
	static const uint8_t commands[] = {0xff, 0xf2, 0xf4, 0xe8, 0xed};
	for (unsigned i = 0; i < sizeof commands; i++) {
		out8(&k, 0x64, 0xd4);
		out8(&k, 0x60, commands[i]);
		CHECK_EQ(in8(&k, 0x64), ST_IDLE | ST_TIMEOUT | ST_AUX | ST_OBF);
		CHECK_EQ(in8(&k, 0x60), 0xfe);
		CHECK_EQ(in8(&k, 0x64), ST_IDLE); /* one byte per command */
	}
	CHECK_EQ(resets, 0);
	CHECK_EQ(read_command_byte(&k), 0x45);
}

TEST(aux_and_keyboard_bytes_keep_their_status)
{
	struct i8042 k;
	setup(&k);
	out8(&k, 0x60, 0xee); /* keyboard echo */
	out8(&k, 0x64, 0xd3);
	out8(&k, 0x60, 0x11);
	out8(&k, 0x64, 0xd4);
	out8(&k, 0x60, 0xf2);
	out8(&k, 0x64, 0xaa); /* controller reply */
	CHECK_EQ(in8(&k, 0x64), ST_IDLE | ST_OBF);
	CHECK_EQ(in8(&k, 0x60), 0xee);
	CHECK_EQ(in8(&k, 0x64), ST_IDLE | ST_AUX | ST_OBF);
	CHECK_EQ(in8(&k, 0x60), 0x11);
	CHECK_EQ(in8(&k, 0x64), ST_IDLE | ST_TIMEOUT | ST_AUX | ST_OBF);
	CHECK_EQ(in8(&k, 0x60), 0xfe);
	CHECK_EQ(in8(&k, 0x64), ST_IDLE | ST_OBF);
	CHECK_EQ(in8(&k, 0x60), 0x55);
	CHECK_EQ(in8(&k, 0x64), ST_IDLE);
}

/* What Linux 6.1's i8042 probe does (i8042_check_aux, then i8042_check_mux): each reply is
 * there on the first status read, and the result is "AUX port present, no multiplexer". */
TEST(linux_aux_probe_finds_port_without_polling)
{
	struct i8042 k;
	setup(&k);
	write_command_byte(&k, 0x54);
	CHECK_EQ(aux_loop(&k, 0x5a), 0x5a);
	out8(&k, 0x64, 0xa7);
	CHECK_EQ(read_command_byte(&k) & 0x20, 0x20);
	out8(&k, 0x64, 0xa8);
	CHECK_EQ(read_command_byte(&k) & 0x20, 0x00);
	write_command_byte(&k, 0x56); /* AUX interrupt on for the IRQ test */
	int before = rises[12];
	out8(&k, 0x64, 0xd3);
	out8(&k, 0x60, 0xa5);
	CHECK_EQ(rises[12], before + 1);
	CHECK(level[12]);
	CHECK_EQ(in8(&k, 0x64), ST_IDLE | ST_AUX | ST_OBF);
	CHECK_EQ(in8(&k, 0x60), 0xa5);
	CHECK(!level[12]);
	write_command_byte(&k, 0x74);
	CHECK_EQ(aux_loop(&k, 0xf0), 0xf0);
	CHECK_EQ(aux_loop(&k, 0x56), 0x56);
	CHECK_EQ(aux_loop(&k, 0xa4), 0xa4); /* an active multiplexer would answer its version */
	CHECK(output_empty(&k));
	CHECK_EQ(rises[1], 0); /* keyboard interrupt was off throughout */
}

TEST(irq1_follows_keyboard_bytes_when_enabled)
{
	struct i8042 k;
	setup(&k); /* firmware's command byte has the keyboard interrupt on */
	out8(&k, 0x60, 0xf4);
	CHECK(level[1]);
	CHECK_EQ(rises[1], 1);
	CHECK(!level[12]);
	CHECK_EQ(in8(&k, 0x64), ST_IDLE | ST_OBF); /* a status read does not clear it */
	CHECK(level[1]);
	CHECK_EQ(in8(&k, 0x60), 0xfa);
	CHECK(!level[1]);
	CHECK_EQ(in8(&k, 0x60), 0xfa); /* a repeat read is no new byte */
	CHECK_EQ(rises[1], 1);
	out8(&k, 0x64, 0x20); /* controller replies come through the keyboard's line */
	CHECK_EQ(rises[1], 2);
	CHECK_EQ(in8(&k, 0x60), 0x45);
	CHECK(!level[1]);
}

TEST(irq1_edge_for_each_queued_byte)
{
	struct i8042 k;
	setup(&k);
	out8(&k, 0x60, 0xf2); /* three bytes: ack and two ID bytes */
	CHECK_EQ(rises[1], 1);
	CHECK_EQ(in8(&k, 0x60), 0xfa);
	CHECK_EQ(rises[1], 2);
	CHECK(level[1]);
	CHECK_EQ(in8(&k, 0x60), 0xab);
	CHECK_EQ(rises[1], 3);
	CHECK_EQ(in8(&k, 0x60), 0x41);
	CHECK_EQ(rises[1], 3);
	CHECK(!level[1]);
}

TEST(no_irq_while_interrupts_off)
{
	struct i8042 k;
	setup(&k);
	write_command_byte(&k, 0x44);
	out8(&k, 0x60, 0xff);
	out8(&k, 0x64, 0xd3);
	out8(&k, 0x60, 0x01);
	CHECK_EQ(rises[1] + rises[12], 0);
	CHECK_EQ(reply(&k), 0xfa);
	CHECK_EQ(reply(&k), 0xaa);
	CHECK_EQ(reply(&k), 0x01);
	CHECK_EQ(rises[1] + rises[12], 0);
}

TEST(irq12_only_for_aux_bytes)
{
	struct i8042 k;
	setup(&k);
	write_command_byte(&k, 0x46); /* AUX interrupt only */
	out8(&k, 0x60, 0xee);
	CHECK(!level[1] && !level[12]);
	CHECK_EQ(in8(&k, 0x60), 0xee);
	out8(&k, 0x64, 0xd4);
	out8(&k, 0x60, 0xff);
	CHECK(level[12]);
	CHECK(!level[1]);
	CHECK_EQ(in8(&k, 0x60), 0xfe);
	CHECK(!level[12]);
	CHECK_EQ(rises[12], 1);
	CHECK_EQ(rises[1], 0);
}

TEST(irq_moves_between_lines_with_the_waiting_byte)
{
	struct i8042 k;
	setup(&k);
	write_command_byte(&k, 0x47); /* both interrupts on */
	out8(&k, 0x64, 0xd3);
	out8(&k, 0x60, 0x22);
	out8(&k, 0x60, 0xee);
	CHECK(level[12] && !level[1]);
	CHECK_EQ(in8(&k, 0x60), 0x22);
	CHECK(level[1] && !level[12]);
	CHECK_EQ(in8(&k, 0x60), 0xee);
	CHECK(!level[1] && !level[12]);
	CHECK_EQ(rises[1], 1);
	CHECK_EQ(rises[12], 1);
}

TEST(enabling_the_interrupt_with_a_byte_waiting_raises_it)
{
	struct i8042 k;
	setup(&k);
	write_command_byte(&k, 0x44);
	out8(&k, 0x64, 0xd3);
	out8(&k, 0x60, 0x33);
	CHECK(!level[12]);
	write_command_byte(&k, 0x46);
	CHECK(level[12]);
	write_command_byte(&k, 0x44); /* and disabling it drops the line */
	CHECK(!level[12]);
	CHECK_EQ(reply(&k), 0x33);
	CHECK_EQ(rises[12], 1);
}

TEST(unconnected_lines_are_harmless)
{
	struct i8042 k;
	i8042_init(&k, 0, 0, 0, 0);
	out8(&k, 0x64, 0xd3);
	out8(&k, 0x60, 0x5a);
	CHECK_EQ(in8(&k, 0x64), ST_IDLE | ST_AUX | ST_OBF);
	CHECK_EQ(in8(&k, 0x60), 0x5a);
	out8(&k, 0x60, 0xf2);
	CHECK_EQ(in8(&k, 0x60), 0xfa);
}

CHECK_MAIN("i8042_aux", CASE(aux_loopback_comes_back_as_aux_data),
	   CASE(aux_loopback_while_aux_disabled), CASE(aux_send_times_out_without_mouse),
	   CASE(aux_and_keyboard_bytes_keep_their_status),
	   CASE(linux_aux_probe_finds_port_without_polling),
	   CASE(irq1_follows_keyboard_bytes_when_enabled), CASE(irq1_edge_for_each_queued_byte),
	   CASE(no_irq_while_interrupts_off), CASE(irq12_only_for_aux_bytes),
	   CASE(irq_moves_between_lines_with_the_waiting_byte),
	   CASE(enabling_the_interrupt_with_a_byte_waiting_raises_it),
	   CASE(unconnected_lines_are_harmless))
