#include "devices/pit.h"
#include "kernel/kstring.h"

#define CTRL_BCD	 0x01 /* BCD: count in four decades */
#define CTRL_MODE_SHIFT	 1    /* M2-M0 */
#define CTRL_MODE_MASK	 0x07
#define CTRL_RW_SHIFT	 4 /* RW1-RW0 */
#define CTRL_RW_MASK	 0x03
#define CTRL_SC_SHIFT	 6 /* SC1-SC0: counter 0-2, or 3 = read-back command */
#define CTRL_SC_READBACK 3

#define RW_LATCH   0 /* counter latch command */
#define RW_LSB	   1 /* read/write least significant byte only */
#define RW_MSB	   2 /* read/write most significant byte only */
#define RW_LSB_MSB 3 /* LSB first, then MSB */

#define READBACK_NO_COUNT  0x20		  /* COUNT bit, active low: latch the count */
#define READBACK_NO_STATUS 0x10		  /* STATUS bit, active low: latch the status */
#define READBACK_CNT(n)	   (0x02u << (n)) /* CNT0 is bit 1, CNT2 bit 3 */

#define STATUS_OUT	  0x80 /* OUT pin level */
#define STATUS_NULL_COUNT 0x40 /* last count written not yet in the counting element */

#define SYSB_GATE2   0x01 /* timer 2 gate */
#define SYSB_SPEAKER 0x02 /* speaker data enable */
#define SYSB_REFRESH 0x10 /* toggles with every DRAM refresh request */
#define SYSB_OUT2    0x20 /* timer 2 output */

#define REFRESH_TICKS 18 /* the BIOS's refresh period on channel 1: 15.09 us */
#define NEVER	      UINT64_MAX

/* Modes 6 and 7 are modes 2 and 3. */
static unsigned chan_mode(const struct pit_channel *c)
{
	return c->mode_bits > 5 ? c->mode_bits - 4u : c->mode_bits;
}

static uint32_t modulus(const struct pit_channel *c)
{
	return c->bcd ? 10000 : 65536;
}

static uint64_t elapsed(const struct pit_channel *c, uint64_t t)
{
	return t > c->t0 ? t - c->t0 : 0;
}

static uint32_t from_bcd(uint16_t v)
{
	return (v >> 12 & 0xf) * 1000u + (v >> 8 & 0xf) * 100u + (v >> 4 & 0xf) * 10u + (v & 0xf);
}

static uint16_t to_bcd(uint32_t v)
{
	return (uint16_t)((v / 1000 % 10) << 12 | (v / 100 % 10) << 8 | (v / 10 % 10) << 4 |
			  v % 10);
}

/* Mode 3 loads an even count and decrements by two: N, N-2 ... in both halves. An odd N
 * loads N-1 and spends one extra clock at 0 in the high half: (N+1)/2 high, (N-1)/2 low. */
static uint32_t square_wave_value(uint32_t n, uint64_t e)
{
	uint32_t high = (n + 1) / 2;
	uint32_t r = (uint32_t)(e % n);
	uint32_t step = r < high ? r : r - high;
	return (n & ~1u) - 2 * step;
}

/* Counting element, binary, at tick t (not before the tick the state was caught up to). */
static uint32_t ce_value(const struct pit_channel *c, uint64_t t)
{
	uint32_t m = modulus(c);
	if (!c->running)
		return c->start % m;
	uint64_t e = elapsed(c, t);
	switch (chan_mode(c)) {
	case 2:
		return (uint32_t)(c->start - e % c->start) % m;
	case 3:
		return square_wave_value(c->start, e) % m;
	default:
		return (uint32_t)((c->start + m - e % m) % m);
	}
}

static bool out_level(const struct pit_channel *c, uint64_t t)
{
	unsigned mode = chan_mode(c);
	if (!c->running)
		return mode == 0 ? c->done : true;
	uint64_t e = elapsed(c, t);
	switch (mode) {
	case 0:
	case 1:
		return c->done || e >= c->start;
	case 2:
		return e % c->start != c->start - 1u;
	case 3:
		return e % c->start < (c->start + 1) / 2;
	default:
		return c->done || e != c->start;
	}
}

/* First rising edge of OUT after tick `after` in a count sequence loaded at t0. */
static uint64_t seq_next_rise(unsigned mode, bool done, uint64_t t0, uint32_t start, uint64_t after)
{
	uint64_t e_min = after >= t0 ? after - t0 + 1 : 1;
	uint64_t e;
	switch (mode) {
	case 0:
	case 1:
		e = start;
		break;
	case 4:
	case 5:
		e = start + 1ull; /* OUT was low for the one clock at count 0 */
		break;
	default:
		if (start < 2)
			return NEVER; /* count 1 is illegal in modes 2 and 3 */
		return t0 + (e_min + start - 1) / start * start;
	}
	return !done && e >= e_min ? t0 + e : NEVER;
}

static uint64_t next_rise(const struct pit_channel *c, uint64_t after)
{
	if (!c->running)
		return NEVER;
	if (c->reload_pending && after >= c->reload_tick)
		return seq_next_rise(chan_mode(c), false, c->reload_tick, c->count, after);
	return seq_next_rise(chan_mode(c), c->done, c->t0, c->start, after);
}

static void catch_up(struct pit_channel *c, uint64_t now)
{
	if (c->reload_pending && now >= c->reload_tick) {
		c->t0 = c->reload_tick;
		c->start = c->count;
		c->reload_pending = false;
	}
}

/* CR goes into the counting element on the next clock edge. */
static void start_counting(struct pit_channel *c, uint64_t now)
{
	c->running = true;
	c->done = false;
	c->start = c->count;
	c->t0 = now + 1;
	c->reload_pending = false;
	if (c->null_until > now + 1)
		c->null_until = now + 1;
}

/* Stop and forget the count: after a control word, or mode 0's first of two bytes. */
static void halt(struct pit_channel *c, uint64_t now)
{
	c->start = ce_value(c, now);
	c->running = false;
	c->have_count = false;
	c->done = false;
	c->reload_pending = false;
}

/* Modes 0 and 4 with the gate low: hold the count, remembering whether OUT's event passed. */
static void pause(struct pit_channel *c, uint64_t now)
{
	uint64_t e = elapsed(c, now);
	uint64_t event = chan_mode(c) == 4 ? c->start + 1ull : c->start;
	if (!c->done && e < event) {
		c->start -= (uint32_t)e;
	} else {
		c->start = ce_value(c, now);
		c->done = true;
	}
	c->running = false;
}

static void set_gate(struct pit_channel *c, bool gate, uint64_t now)
{
	if (gate == c->gate)
		return;
	c->gate = gate;
	switch (chan_mode(c)) {
	case 0:
	case 4:
		if (!gate && c->running) {
			pause(c, now);
		} else if (gate && c->have_count && !c->running) {
			c->running = true;
			c->t0 = now;
		}
		break;
	case 1:
	case 5:
		if (gate && c->have_count)
			start_counting(c, now);
		break;
	default:
		if (gate && c->have_count) {
			start_counting(c, now);
		} else if (!gate && c->running) {
			c->start = ce_value(c, now);
			c->running = false;
			if (c->reload_pending)
				c->null_until = NEVER;
			c->reload_pending = false;
		}
		break;
	}
}

static void write_count(struct pit_channel *c, uint16_t raw, uint64_t now)
{
	uint32_t m = modulus(c);
	uint32_t n = (c->bcd ? from_bcd(raw) : raw) % m;
	c->count = n ? n : m;
	c->have_count = true;
	switch (chan_mode(c)) {
	case 0:
	case 4:
		c->start = c->count;
		c->t0 = now + 1;
		c->done = false;
		c->running = c->gate;
		c->null_until = now + 1;
		break;
	case 1:
	case 5:
		c->null_until = NEVER; /* loaded by the next trigger */
		break;
	default:
		if (!c->running) {
			if (c->gate)
				start_counting(c, now);
			else
				c->null_until = NEVER;
		} else if (now < c->t0) {
			c->start = c->count; /* the previous count was not loaded yet */
		} else {
			uint64_t periods = (now - c->t0) / c->start + 1;
			c->reload_tick = c->t0 + periods * c->start;
			c->reload_pending = true;
			c->null_until = c->reload_tick;
		}
		break;
	}
}

static void write_counter(struct pit_channel *c, uint8_t v, uint64_t now)
{
	switch (c->access) {
	case RW_LSB:
		write_count(c, v, now);
		break;
	case RW_MSB:
		write_count(c, (uint16_t)(v << 8), now);
		break;
	default:
		if (c->write_msb) {
			c->write_msb = false;
			write_count(c, (uint16_t)(c->lsb_written | v << 8), now);
		} else {
			c->write_msb = true;
			c->lsb_written = v;
			/* Mode 0: the first byte stops counting and drops OUT at once. */
			if (chan_mode(c) == 0)
				halt(c, now);
		}
		break;
	}
}

static uint16_t count_as_read(const struct pit_channel *c, uint64_t now)
{
	uint32_t v = ce_value(c, now);
	return c->bcd ? to_bcd(v) : (uint16_t)v;
}

static uint8_t read_counter(struct pit_channel *c, uint64_t now)
{
	if (c->status_latched) {
		c->status_latched = false;
		return c->latched_status;
	}
	uint16_t v = c->count_latched ? c->latched_count : count_as_read(c, now);
	bool msb;
	if (c->access == RW_LSB_MSB) {
		msb = c->read_msb;
		c->read_msb = !c->read_msb;
	} else {
		msb = c->access == RW_MSB;
	}
	/* A latch lasts until every byte of the count has been read. */
	if (msb || c->access == RW_LSB)
		c->count_latched = false;
	return (uint8_t)(msb ? v >> 8 : v);
}

/* A second latch before the first was read is ignored. */
static void latch_count(struct pit_channel *c, uint64_t now)
{
	if (c->count_latched)
		return;
	c->latched_count = count_as_read(c, now);
	c->count_latched = true;
}

static void latch_status(struct pit_channel *c, uint64_t now)
{
	if (c->status_latched)
		return;
	c->latched_status =
	    (uint8_t)((out_level(c, now) ? STATUS_OUT : 0) |
		      (now < c->null_until ? STATUS_NULL_COUNT : 0) | c->access << CTRL_RW_SHIFT |
		      c->mode_bits << CTRL_MODE_SHIFT | (c->bcd ? CTRL_BCD : 0));
	c->status_latched = true;
}

static void write_control(struct pit *p, uint8_t v, uint64_t now)
{
	unsigned sc = v >> CTRL_SC_SHIFT;
	if (sc == CTRL_SC_READBACK) {
		for (unsigned i = 0; i < PIT_CHANNELS; i++) {
			if (!(v & READBACK_CNT(i)))
				continue;
			if (!(v & READBACK_NO_COUNT))
				latch_count(&p->ch[i], now);
			if (!(v & READBACK_NO_STATUS))
				latch_status(&p->ch[i], now);
		}
		return;
	}
	struct pit_channel *c = &p->ch[sc];
	unsigned rw = (v >> CTRL_RW_SHIFT) & CTRL_RW_MASK;
	if (rw == RW_LATCH) {
		latch_count(c, now);
		return;
	}
	halt(c, now);
	c->mode_bits = (v >> CTRL_MODE_SHIFT) & CTRL_MODE_MASK;
	c->access = (uint8_t)rw;
	c->bcd = v & CTRL_BCD;
	c->null_until = NEVER;
	c->write_msb = false;
	c->read_msb = false;
	c->count_latched = false;
	c->status_latched = false;
}

static uint8_t sysctl_read(const struct pit *p, uint64_t now)
{
	const struct pit_channel *c2 = &p->ch[2];
	return (uint8_t)((c2->gate ? SYSB_GATE2 : 0) | (p->speaker_enable ? SYSB_SPEAKER : 0) |
			 ((now / REFRESH_TICKS) & 1 ? SYSB_REFRESH : 0) |
			 (out_level(c2, now) ? SYSB_OUT2 : 0));
}

static uint8_t port_read(struct pit *p, uint16_t port, uint64_t now)
{
	switch (port) {
	case PIT_PORT_COUNTER0:
	case PIT_PORT_COUNTER1:
	case PIT_PORT_COUNTER2:
		return read_counter(&p->ch[port - PIT_PORT_COUNTER0], now);
	case PIT_PORT_SYSCTL_B:
		return sysctl_read(p, now);
	default:
		return 0xff;
	}
}

static void port_write(struct pit *p, uint16_t port, uint8_t v, uint64_t now)
{
	switch (port) {
	case PIT_PORT_COUNTER0:
	case PIT_PORT_COUNTER1:
	case PIT_PORT_COUNTER2:
		write_counter(&p->ch[port - PIT_PORT_COUNTER0], v, now);
		break;
	case PIT_PORT_CONTROL:
		write_control(p, v, now);
		break;
	case PIT_PORT_SYSCTL_B:
		p->speaker_enable = v & SYSB_SPEAKER;
		set_gate(&p->ch[2], v & SYSB_GATE2, now);
		break;
	default:
		break;
	}
}

static uint64_t pit_now(const struct pit *p)
{
	return p->now ? p->now(p->now_ctx) : 0;
}

/* Deliver OUT0's rises up to `now` and bring every channel's state up to `now`. */
static void sync_to(struct pit *p, uint64_t now)
{
	bool rose =
	    now >= p->irq_checked_until && next_rise(&p->ch[0], p->irq_checked_until) <= now;
	if (now > p->irq_checked_until)
		p->irq_checked_until = now;
	for (unsigned i = 0; i < PIT_CHANNELS; i++)
		catch_up(&p->ch[i], now);
	if (rose)
		irq_line_pulse(&p->irq0);
}

/* Wider accesses reach consecutive ports, one byte each, as on the ISA bus. A control word
 * that raises OUT0 (e.g. mode 0 to mode 2) is an edge like any other. */
void pit_io(void *pit, struct io_access *a)
{
	struct pit *p = pit;
	uint64_t now = pit_now(p);
	sync_to(p, now);
	bool out0 = out_level(&p->ch[0], now);
	uint32_t value = 0;
	for (unsigned i = 0; i < a->size; i++) {
		uint16_t port = (uint16_t)(a->port + i);
		if (a->write)
			port_write(p, port, (uint8_t)(a->value >> (8 * i)), now);
		else
			value |= (uint32_t)port_read(p, port, now) << (8 * i);
	}
	if (!a->write)
		a->value = value;
	if (!out0 && out_level(&p->ch[0], now))
		irq_line_pulse(&p->irq0);
}

void pit_init(struct pit *p, const struct irq_line *irq0)
{
	memset(p, 0, sizeof *p);
	if (irq0)
		p->irq0 = *irq0;
	for (unsigned i = 0; i < PIT_CHANNELS; i++) {
		struct pit_channel *c = &p->ch[i];
		c->mode_bits = 2;
		c->access = RW_LSB_MSB;
		c->gate = i != 2;
		c->null_until = NEVER;
	}
}

void pit_set_time_source(struct pit *p, uint64_t (*now)(void *ctx), void *ctx)
{
	p->now = now;
	p->now_ctx = ctx;
}

void pit_update(struct pit *p)
{
	sync_to(p, pit_now(p));
}

uint64_t pit_next_irq_tick(const struct pit *p)
{
	return next_rise(&p->ch[0], p->irq_checked_until);
}
