/* Shared by the PIT tests: a fake tick clock starting at T0, an IRQ0 sink counting rises,
 * and port helpers. */
#pragma once
#include "devices/pit.h"
#include "tests/unit/check.h"

#define T0 1000 /* fake time at which each test starts */

static uint64_t fake_now;
static int irq_rises;
static bool irq_high;

static inline uint64_t clock_now(void *ctx)
{
	return fake_now;
}

static inline void sink_set_level(void *ctx, unsigned irq, bool level)
{
	if (level && !irq_high)
		irq_rises++;
	irq_high = level;
}

static const struct irq_sink sink = {sink_set_level, 0};

static inline void setup(struct pit *p)
{
	struct irq_line line = {&sink, 0};
	fake_now = T0;
	irq_rises = 0;
	irq_high = false;
	pit_init(p, &line);
	pit_set_time_source(p, clock_now, 0);
}

static inline void outb(struct pit *p, uint16_t port, uint8_t v)
{
	struct io_access a = {.port = port, .size = 1, .write = true, .value = v};
	pit_io(p, &a);
}

static inline uint8_t inb(struct pit *p, uint16_t port)
{
	struct io_access a = {.port = port, .size = 1, .value = 0x5a5a5a5a};
	pit_io(p, &a);
	return (uint8_t)a.value;
}

/* Control word for LSB-then-MSB binary counting, then the count. */
static inline void program(struct pit *p, unsigned ch, unsigned mode, uint16_t count)
{
	outb(p, 0x43, (uint8_t)(ch << 6 | 0x30 | mode << 1));
	outb(p, (uint16_t)(0x40 + ch), (uint8_t)count);
	outb(p, (uint16_t)(0x40 + ch), (uint8_t)(count >> 8));
}

static inline uint16_t read16(struct pit *p, uint16_t port)
{
	uint8_t lo = inb(p, port);
	return (uint16_t)(lo | inb(p, port) << 8);
}

static inline uint16_t read_latched(struct pit *p, unsigned ch)
{
	outb(p, 0x43, (uint8_t)(ch << 6));
	return read16(p, (uint16_t)(0x40 + ch));
}

static inline uint8_t read_status(struct pit *p, unsigned ch)
{
	outb(p, 0x43, (uint8_t)(0xe0 | 2u << ch));
	return inb(p, (uint16_t)(0x40 + ch));
}

static inline bool out_of(struct pit *p, unsigned ch)
{
	return read_status(p, ch) & 0x80;
}

static inline bool out2(struct pit *p)
{
	return inb(p, 0x61) & 0x20;
}

static inline void at(uint64_t t)
{
	fake_now = t;
}
