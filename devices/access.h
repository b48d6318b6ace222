/* Plain descriptions of guest accesses, produced by vmx/ exit decoding and consumed by
 * device models. Nothing here knows about VMX. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct io_access {
	uint16_t port;
	uint8_t size;   /* 1, 2 or 4 bytes */
	bool write;
	uint32_t value; /* in: value written; out: value read (low `size` bytes) */
};

struct mmio_access {
	uint64_t gpa;
	uint8_t size;   /* 1, 2, 4 or 8 bytes */
	bool write;
	uint64_t value; /* in: value written; out: value read */
	unsigned cpu;   /* index of the accessing vCPU (per-CPU devices: the local APIC) */
};

/* An interrupt controller input. Devices drive a line high/low; edge-triggered inputs
 * see a rising edge as an interrupt request. */
struct irq_sink {
	void (*set_level)(void *ctx, unsigned irq, bool level);
	void *ctx;
};

struct irq_line {
	const struct irq_sink *sink;
	unsigned irq;
};

static inline void irq_line_set(const struct irq_line *line, bool level)
{
	if (line->sink)
		line->sink->set_level(line->sink->ctx, line->irq, level);
}

static inline void irq_line_pulse(const struct irq_line *line)
{
	irq_line_set(line, true);
	irq_line_set(line, false);
}
