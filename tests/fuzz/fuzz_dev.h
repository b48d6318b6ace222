/* Shared by the device-model harnesses: a virtual clock, port I/O through the real bus, and
 * an interrupt sink that records line levels. Each harness reads its input as a program:
 * an opcode byte, then the operands that operation takes. */
#pragma once
#include "devices/access.h"
#include "devices/bus.h"
#include "tests/fuzz/fuzz.h"

/* Time stays far from wrapping: a time source counts from boot and never gets there. */
#define FUZZ_TIME_MAX (1ull << 62)

struct fuzz_clock {
	uint64_t now;
};

static inline uint64_t fuzz_clock_now(void *ctx)
{
	return ((struct fuzz_clock *)ctx)->now;
}

/* Advances by a step of 1, 2 or 4 random bytes: short steps as often as long ones. */
static inline void fuzz_clock_step(struct fuzz_clock *c, struct fuzz_input *in)
{
	uint64_t step = fuzz_uint(in, 1u << fuzz_below(in, 3));
	c->now = step > FUZZ_TIME_MAX - c->now ? FUZZ_TIME_MAX : c->now + step;
}

/* One access through `bus` at one of `ports` (the device's first ports), 0-3 ports past it,
 * or anywhere; 1, 2 or 4 bytes. */
static inline void fuzz_io(struct io_bus *bus, struct fuzz_input *in, const uint16_t *ports,
			   unsigned nports)
{
	uint8_t sel = fuzz_u8(in);
	uint16_t port =
	    sel == 0xff ? fuzz_u16(in) : (uint16_t)(ports[(sel & 0x3f) % nports] + (sel >> 6));
	struct io_access a = {.port = port, .size = fuzz_width(in, 4), .write = fuzz_bool(in)};
	a.value = a.write ? fuzz_u32(in) : 0;
	io_bus_dispatch(bus, &a);
}

#define FUZZ_IRQS 32

struct fuzz_irqs {
	bool level[FUZZ_IRQS];
	struct irq_sink sink;
};

static inline void fuzz_irq_set(void *ctx, unsigned irq, bool level)
{
	struct fuzz_irqs *s = ctx;
	FUZZ_CHECK(irq < FUZZ_IRQS);
	s->level[irq] = level;
}

static inline struct irq_line fuzz_irq_line(struct fuzz_irqs *s, unsigned irq)
{
	s->sink = (struct irq_sink){fuzz_irq_set, s};
	return (struct irq_line){&s->sink, irq};
}
