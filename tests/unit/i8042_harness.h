/* Shared by the i8042 unit tests: a controller wired to a reset counter and to IRQ 1 and 12
 * lines whose levels and rising edges are recorded, and byte-wide port helpers. */
#pragma once
#include "devices/i8042.h"
#include "tests/unit/check.h"

static int resets;
static bool level[16];
static int rises[16];

static inline void count_reset(void *ctx)
{
	(void)ctx;
	resets++;
}

static inline void irq_capture(void *ctx, unsigned irq, bool high)
{
	(void)ctx;
	CHECK(irq == 1 || irq == 12);
	CHECK(level[irq] != high); /* the model reports changes only */
	rises[irq] += high;
	level[irq] = high;
}

static const struct irq_sink sink = {irq_capture, 0};
static const struct irq_line line1 = {&sink, 1}, line12 = {&sink, 12};

static inline void setup(struct i8042 *k)
{
	resets = 0;
	memset(level, 0, sizeof level);
	memset(rises, 0, sizeof rises);
	i8042_init(k, count_reset, 0, &line1, &line12);
}

static inline void out8(struct i8042 *k, uint16_t port, uint8_t v)
{
	struct io_access a = {.port = port, .size = 1, .write = true, .value = v};
	i8042_io(k, &a);
}

static inline uint8_t in8(struct i8042 *k, uint16_t port)
{
	struct io_access a = {.port = port, .size = 1, .value = 0xabcdef00};
	i8042_io(k, &a);
	CHECK_EQ(a.value >> 8, 0);
	return (uint8_t)a.value;
}

/* Reads one reply, which must be announced by OBF. */
static inline uint8_t reply(struct i8042 *k)
{
	CHECK_EQ(in8(k, 0x64) & 0x01, 0x01);
	return in8(k, 0x60);
}

static inline bool output_empty(struct i8042 *k)
{
	return !(in8(k, 0x64) & 0x01);
}

static inline void write_command_byte(struct i8042 *k, uint8_t ctr)
{
	out8(k, 0x64, 0x60);
	out8(k, 0x60, ctr);
}

static inline uint8_t read_command_byte(struct i8042 *k)
{
	out8(k, 0x64, 0x20);
	return reply(k);
}
