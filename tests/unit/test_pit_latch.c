/* 8254 counter latches in every access mode (datasheet: a latched count stays until the
 * CPU has read it in the programmed format, one byte for LSB-only or MSB-only, two for
 * LSB-then-MSB) and the status latch in front of them. */
#include "tests/unit/pit_harness.h"

#define LATCH_CH0 0x00 /* control word: counter latch command, channel 0 */

TEST(lsb_only_latch_released_after_one_read)
{
	struct pit p;
	setup(&p);
	outb(&p, 0x43, 0x14); /* channel 0, LSB only, mode 2 */
	outb(&p, 0x40, 200);
	at(T0 + 51);
	outb(&p, 0x43, LATCH_CH0);
	at(T0 + 71);
	CHECK_EQ(inb(&p, 0x40), 150);
	CHECK_EQ(inb(&p, 0x40), 130); /* released: live */
	at(T0 + 101);
	CHECK_EQ(inb(&p, 0x40), 100);
	outb(&p, 0x43, LATCH_CH0); /* a new latch takes a new value */
	at(T0 + 121);
	CHECK_EQ(inb(&p, 0x40), 100);
	CHECK_EQ(inb(&p, 0x40), 80);
}

TEST(msb_only_latch_released_after_one_read)
{
	struct pit p;
	setup(&p);
	outb(&p, 0x43, 0x24); /* channel 0, MSB only, mode 2: count 0x0300 */
	outb(&p, 0x40, 0x03);
	at(T0 + 1 + 0x100);
	outb(&p, 0x43, LATCH_CH0);
	at(T0 + 1 + 0x200);
	CHECK_EQ(inb(&p, 0x40), 0x02);
	CHECK_EQ(inb(&p, 0x40), 0x01);
}

/* LSB-then-MSB: the latch holds until its second byte, wherever the flip-flop stood. */
TEST(lsb_msb_latch_held_for_both_bytes)
{
	struct pit p;
	setup(&p);
	program(&p, 0, 2, 1000);
	at(T0 + 101);
	outb(&p, 0x43, LATCH_CH0);
	at(T0 + 201);
	CHECK_EQ(inb(&p, 0x40), 900 & 0xff);
	at(T0 + 301);
	CHECK_EQ(inb(&p, 0x40), 900 >> 8);
	CHECK_EQ(read16(&p, 0x40), 700);
	CHECK_EQ(inb(&p, 0x40), 700 & 0xff); /* the flip-flop now points at the MSB */
	outb(&p, 0x43, LATCH_CH0);
	at(T0 + 401);
	CHECK_EQ(inb(&p, 0x40), 700 >> 8); /* MSB of the latch taken at T0 + 301 */
	CHECK_EQ(read16(&p, 0x40), 600);
}

/* A status latch is read first, then the count latch, each released by its own reads. */
TEST(status_then_lsb_only_count)
{
	struct pit p;
	setup(&p);
	outb(&p, 0x43, 0x14);
	outb(&p, 0x40, 200);
	at(T0 + 51);
	outb(&p, 0x43, 0xc2); /* read-back: count and status of channel 0 */
	at(T0 + 81);
	CHECK_EQ(inb(&p, 0x40), 0x94); /* OUT high, LSB only, mode 2, binary */
	CHECK_EQ(inb(&p, 0x40), 150);
	CHECK_EQ(inb(&p, 0x40), 120);
}

/* Read-back of several channels latches each one; each is released by its own read. */
TEST(readback_latches_release_per_channel)
{
	struct pit p;
	setup(&p);
	outb(&p, 0x43, 0x14);
	outb(&p, 0x40, 200);
	outb(&p, 0x43, 0x54); /* channel 1, LSB only, mode 2 */
	outb(&p, 0x41, 100);
	at(T0 + 21);
	outb(&p, 0x43, 0xd6); /* count of channels 0 and 1 */
	at(T0 + 41);
	CHECK_EQ(inb(&p, 0x40), 180);
	CHECK_EQ(inb(&p, 0x41), 80);
	CHECK_EQ(inb(&p, 0x40), 160);
	CHECK_EQ(inb(&p, 0x41), 60);
}

CHECK_MAIN("pit_latch", CASE(lsb_only_latch_released_after_one_read),
	   CASE(msb_only_latch_released_after_one_read), CASE(lsb_msb_latch_held_for_both_bytes),
	   CASE(status_then_lsb_only_count), CASE(readback_latches_release_per_channel))
