#include "devices/pic.h"
#include "kernel/kstring.h"

#define ICW1_IC4     0x01 /* ICW4 will follow */
#define ICW1_SNGL    0x02 /* single 8259A, no ICW3 */
#define ICW1_SELECT  0x10 /* A0=0 with D4=1 is ICW1 */
#define ICW2_VECTOR  0xf8 /* T7-T3; the level fills bits 2:0 in 8086 mode */
#define ICW4_AEOI    0x02 /* automatic end of interrupt */
#define ICW4_SFNM    0x10 /* special fully nested mode */
#define OCW2_LEVEL   0x07 /* L2-L0: level acted upon by specific commands */
#define OCW2_COMMAND 0xe0 /* R, SL, EOI */
#define OCW3_SELECT  0x08 /* A0=0 with D4=0, D3=1 is OCW3 */
#define OCW3_RIS     0x01 /* read ISR instead of IRR */
#define OCW3_RR	     0x02 /* RIS is valid */
#define OCW3_POLL    0x04 /* poll command */
#define OCW3_SMM     0x20 /* special mask mode on/off */
#define OCW3_ESMM    0x40 /* SMM is valid */
#define POLL_REQUEST 0x80 /* poll word: an interrupt was pending; bits 2:0 its level */
#define SPURIOUS_IRQ 7	  /* level an INTA without a request reports */

/* OCW2 commands (R SL EOI in bits 7:5). */
enum {
	OCW2_ROTATE_AEOI_CLEAR = 0x00,
	OCW2_NONSPECIFIC_EOI = 0x20,
	OCW2_NOP = 0x40,
	OCW2_SPECIFIC_EOI = 0x60,
	OCW2_ROTATE_AEOI_SET = 0x80,
	OCW2_ROTATE_NONSPECIFIC_EOI = 0xa0,
	OCW2_SET_PRIORITY = 0xc0,
	OCW2_ROTATE_SPECIFIC_EOI = 0xe0,
};

/* What the data port expects next. */
enum { PIC_READY, PIC_WANT_ICW2, PIC_WANT_ICW3, PIC_WANT_ICW4 };

/* Inputs 0, 1, 2 (master) and 8, 13 (slave) are edge-only in the ELCR. */
#define ELCR_MASTER_WRITABLE 0xf8
#define ELCR_SLAVE_WRITABLE  0xde

/* 0 is the highest priority, 7 the lowest. */
static unsigned priority_rank(const struct pic_chip *c, unsigned level)
{
	return (level - c->lowest_priority - 1) & 7;
}

/* The highest-priority level set in `bits`, or -1. */
static int highest_level(const struct pic_chip *c, uint8_t bits)
{
	for (unsigned i = 1; i <= 8; i++) {
		unsigned level = (c->lowest_priority + i) & 7;
		if (bits & (1u << level))
			return (int)level;
	}
	return -1;
}

/* The slave answers INTA for IR2 only if the master was told (ICW3) that it is there. */
static bool has_slave(const struct pic_chip *c, unsigned level)
{
	return c->is_master && !c->single && level == PIC_CASCADE_IRQ &&
	       (c->icw3 & (1u << PIC_CASCADE_IRQ));
}

/* The level this chip would signal on INT, or -1. */
static int chip_request(const struct pic_chip *c)
{
	int level = highest_level(c, c->irr & ~c->imr);
	if (level < 0)
		return -1;
	uint8_t blocking = c->isr;
	if (c->special_mask)
		blocking &= ~c->imr;
	int busy = highest_level(c, blocking);
	if (busy < 0)
		return level;
	unsigned busy_rank = priority_rank(c, (unsigned)busy);
	unsigned rank = priority_rank(c, (unsigned)level);
	/* SFNM: a slave in service does not lock out its own further (higher) requests. */
	if (busy == level && c->sfnm && has_slave(c, (unsigned)level))
		return level;
	return rank < busy_rank ? level : -1;
}

static void chip_set_input(struct pic_chip *c, unsigned level, bool high)
{
	uint8_t bit = (uint8_t)(1u << level);
	bool was_high = c->lines & bit;
	if (high)
		c->lines |= bit;
	else
		c->lines &= (uint8_t)~bit;
	if (c->elcr & bit) {
		if (high)
			c->irr |= bit;
		else
			c->irr &= (uint8_t)~bit;
	} else if (high && !was_high) {
		c->irr |= bit;
	}
}

/* INTA (or a poll read) for `level`: IRR to ISR, or straight to done in AEOI mode. */
static void chip_ack(struct pic_chip *c, unsigned level)
{
	uint8_t bit = (uint8_t)(1u << level);
	if (!(c->elcr & bit))
		c->irr &= (uint8_t)~bit;
	if (!c->aeoi)
		c->isr |= bit;
	else if (c->rotate_in_aeoi)
		c->lowest_priority = (uint8_t)level;
}

static uint8_t chip_poll(struct pic_chip *c)
{
	int level = chip_request(c);
	if (level < 0)
		return 0;
	chip_ack(c, (unsigned)level);
	return (uint8_t)(POLL_REQUEST | level);
}

/* Recompute the cascade input and the master's INT output; tell the owner if INT moved. */
static void pic_update(struct pic_pair *p)
{
	chip_set_input(&p->master, PIC_CASCADE_IRQ, chip_request(&p->slave) >= 0);
	bool out = chip_request(&p->master) >= 0;
	if (out == p->int_out)
		return;
	p->int_out = out;
	if (p->notify)
		p->notify(p->notify_ctx);
}

static void chip_icw1(struct pic_chip *c, uint8_t v)
{
	c->single = v & ICW1_SNGL;
	c->icw4_needed = v & ICW1_IC4;
	/* The edge sense latches reset: only requests from asserted level inputs survive. */
	c->irr = c->lines & c->elcr;
	c->isr = 0;
	c->imr = 0;
	c->lowest_priority = 7;
	c->icw3 = 7;
	c->special_mask = false;
	c->read_isr = false;
	c->poll = false;
	c->rotate_in_aeoi = false;
	if (!c->icw4_needed) {
		c->aeoi = false;
		c->sfnm = false;
	}
	c->init_step = PIC_WANT_ICW2;
}

static void chip_ocw2(struct pic_chip *c, uint8_t v)
{
	unsigned level = v & OCW2_LEVEL;
	int top = highest_level(c, c->isr);
	switch (v & OCW2_COMMAND) {
	case OCW2_ROTATE_AEOI_CLEAR:
		c->rotate_in_aeoi = false;
		break;
	case OCW2_ROTATE_AEOI_SET:
		c->rotate_in_aeoi = true;
		break;
	case OCW2_NONSPECIFIC_EOI:
		if (top >= 0)
			c->isr &= (uint8_t) ~(1u << top);
		break;
	case OCW2_ROTATE_NONSPECIFIC_EOI:
		if (top >= 0) {
			c->isr &= (uint8_t) ~(1u << top);
			c->lowest_priority = (uint8_t)top;
		}
		break;
	case OCW2_SPECIFIC_EOI:
		c->isr &= (uint8_t) ~(1u << level);
		break;
	case OCW2_ROTATE_SPECIFIC_EOI:
		c->isr &= (uint8_t) ~(1u << level);
		c->lowest_priority = (uint8_t)level;
		break;
	case OCW2_SET_PRIORITY:
		c->lowest_priority = (uint8_t)level;
		break;
	case OCW2_NOP:
		break;
	}
}

static void chip_ocw3(struct pic_chip *c, uint8_t v)
{
	if (v & OCW3_ESMM)
		c->special_mask = v & OCW3_SMM;
	if (v & OCW3_RR)
		c->read_isr = v & OCW3_RIS;
	if (v & OCW3_POLL)
		c->poll = true;
}

static void chip_write_cmd(struct pic_chip *c, uint8_t v)
{
	if (v & ICW1_SELECT)
		chip_icw1(c, v);
	else if (v & OCW3_SELECT)
		chip_ocw3(c, v);
	else
		chip_ocw2(c, v);
}

static void chip_write_data(struct pic_chip *c, uint8_t v)
{
	switch (c->init_step) {
	case PIC_WANT_ICW2:
		c->vector_base = v & ICW2_VECTOR;
		if (!c->single)
			c->init_step = PIC_WANT_ICW3;
		else
			c->init_step = c->icw4_needed ? PIC_WANT_ICW4 : PIC_READY;
		break;
	case PIC_WANT_ICW3:
		c->icw3 = v;
		c->init_step = c->icw4_needed ? PIC_WANT_ICW4 : PIC_READY;
		break;
	case PIC_WANT_ICW4:
		c->aeoi = v & ICW4_AEOI;
		c->sfnm = v & ICW4_SFNM;
		c->init_step = PIC_READY;
		break;
	default:
		c->imr = v;
		break;
	}
}

/* A poll command turns the next read of either port into the poll word. */
static uint8_t chip_read(struct pic_chip *c, bool data_port)
{
	if (c->poll) {
		c->poll = false;
		return chip_poll(c);
	}
	if (data_port)
		return c->imr;
	return c->read_isr ? c->isr : c->irr;
}

static void chip_write_elcr(struct pic_chip *c, uint8_t v)
{
	c->elcr = v & c->elcr_writable;
	c->irr = (uint8_t)((c->irr & ~c->elcr) | (c->lines & c->elcr));
}

static uint8_t port_read(struct pic_pair *p, uint16_t port)
{
	switch (port) {
	case PIC_MASTER_CMD:
	case PIC_MASTER_DATA:
		return chip_read(&p->master, port == PIC_MASTER_DATA);
	case PIC_SLAVE_CMD:
	case PIC_SLAVE_DATA:
		return chip_read(&p->slave, port == PIC_SLAVE_DATA);
	case PIC_ELCR_MASTER:
		return p->master.elcr;
	case PIC_ELCR_SLAVE:
		return p->slave.elcr;
	default:
		return 0xff;
	}
}

static void port_write(struct pic_pair *p, uint16_t port, uint8_t v)
{
	switch (port) {
	case PIC_MASTER_CMD:
		chip_write_cmd(&p->master, v);
		break;
	case PIC_MASTER_DATA:
		chip_write_data(&p->master, v);
		break;
	case PIC_SLAVE_CMD:
		chip_write_cmd(&p->slave, v);
		break;
	case PIC_SLAVE_DATA:
		chip_write_data(&p->slave, v);
		break;
	case PIC_ELCR_MASTER:
		chip_write_elcr(&p->master, v);
		break;
	case PIC_ELCR_SLAVE:
		chip_write_elcr(&p->slave, v);
		break;
	default:
		break;
	}
}

/* Wider accesses reach consecutive ports, one byte each, as on the ISA bus. */
void pic_io(void *pic, struct io_access *a)
{
	struct pic_pair *p = pic;
	uint32_t value = 0;
	for (unsigned i = 0; i < a->size; i++) {
		uint16_t port = (uint16_t)(a->port + i);
		if (a->write)
			port_write(p, port, (uint8_t)(a->value >> (8 * i)));
		else
			value |= (uint32_t)port_read(p, port) << (8 * i);
	}
	if (!a->write)
		a->value = value;
	pic_update(p);
}

static void chip_power_on(struct pic_chip *c, bool is_master, uint8_t vector_base, uint8_t icw3)
{
	c->is_master = is_master;
	c->vector_base = vector_base;
	c->icw3 = icw3;
	c->imr = 0xff;
	c->lowest_priority = 7;
	c->init_step = PIC_READY;
	c->elcr_writable = is_master ? ELCR_MASTER_WRITABLE : ELCR_SLAVE_WRITABLE;
}

static void sink_set_level(void *ctx, unsigned irq, bool level)
{
	pic_set_irq(ctx, irq, level);
}

void pic_init(struct pic_pair *p)
{
	memset(p, 0, sizeof *p);
	chip_power_on(&p->master, true, 0x08, 1u << PIC_CASCADE_IRQ);
	chip_power_on(&p->slave, false, 0x70, PIC_CASCADE_IRQ);
	p->sink.set_level = sink_set_level;
	p->sink.ctx = p;
}

void pic_set_irq(struct pic_pair *p, unsigned irq, bool level)
{
	if (irq >= PIC_IRQS)
		return;
	if (irq < 8)
		chip_set_input(&p->master, irq, level);
	else
		chip_set_input(&p->slave, irq - 8, level);
	pic_update(p);
}

const struct irq_sink *pic_irq_sink(struct pic_pair *p)
{
	return &p->sink;
}

int pic_acknowledge(struct pic_pair *p)
{
	struct pic_chip *m = &p->master;
	int level = chip_request(m);
	int vector;
	if (level < 0) {
		vector = m->vector_base | SPURIOUS_IRQ;
	} else if (!has_slave(m, (unsigned)level)) {
		chip_ack(m, (unsigned)level);
		vector = m->vector_base | level;
	} else {
		chip_ack(m, (unsigned)level);
		int slave_level = chip_request(&p->slave);
		if (slave_level < 0) {
			vector = p->slave.vector_base | SPURIOUS_IRQ;
		} else {
			chip_ack(&p->slave, (unsigned)slave_level);
			vector = p->slave.vector_base | slave_level;
		}
		chip_set_input(m, PIC_CASCADE_IRQ, false);
	}
	pic_update(p);
	return vector;
}

void pic_set_notify(struct pic_pair *p, void (*fn)(void *ctx), void *ctx)
{
	p->notify = fn;
	p->notify_ctx = ctx;
}
