/* Choices the 82093AA datasheet leaves open (the contract is devices/ioapic.h):
 * - The window decodes only IOREGSEL (0x00) and IOWIN (0x10); both are dwords. A read of
 *   any width and alignment returns, byte by byte, the bytes of those dwords it covers and 0
 *   for every other byte. A write acts only as a 4-byte store at exactly 0x00 or 0x10.
 * - Remote IRR is set just before the message is handed to `deliver` (which cannot refuse
 *   it), so a callback that looks at the entry already sees it in service.
 * - Only level pins ever hold remote IRR: delivery sets it for level entries alone and
 *   writing an entry as edge clears it. */
#include "devices/ioapic.h"
#include "kernel/kstring.h"

#define IOAPIC_ID_MASK	   0x0f000000u /* ID register: APIC ID in bits 27:24, rest reserved */
#define IOAPIC_REGSEL_MASK 0xffu       /* IOREGSEL: register index in bits 7:0, rest reserved */
#define IOAPIC_REG_BYTES   4	       /* IOREGSEL and IOWIN are dwords */
#define IOAPIC_REDIR_END   (IOAPIC_REG_REDIR + 2 * IOAPIC_PINS) /* first index past the table */

#define RTE_VECTOR_MASK	   0xffull /* bits 7:0 */
#define RTE_DELIVERY_SHIFT 8	   /* delivery mode, bits 10:8 */
#define RTE_DELIVERY_MASK  (7ull << RTE_DELIVERY_SHIFT)
#define RTE_DEST_MASK	   (0xffull << IOAPIC_RTE_DEST_SHIFT) /* bits 63:56 */
/* What software may change; delivery status and remote IRR belong to the IOAPIC and every
 * other bit is reserved (reads 0). */
#define RTE_WRITABLE                                                                               \
	(RTE_VECTOR_MASK | RTE_DELIVERY_MASK | IOAPIC_RTE_DEST_LOGICAL | IOAPIC_RTE_POLARITY_LOW | \
	 IOAPIC_RTE_LEVEL | IOAPIC_RTE_MASKED | RTE_DEST_MASK)

static void send(struct ioapic *io, unsigned pin)
{
	uint64_t rte = io->rte[pin];
	struct apic_msg m = {
	    .dest = (uint32_t)(rte >> IOAPIC_RTE_DEST_SHIFT),
	    .vector = (uint8_t)(rte & RTE_VECTOR_MASK),
	    .delivery = (uint8_t)((rte & RTE_DELIVERY_MASK) >> RTE_DELIVERY_SHIFT),
	    .logical = rte & IOAPIC_RTE_DEST_LOGICAL,
	    .level = rte & IOAPIC_RTE_LEVEL,
	    .assert = true,
	    .shorthand = APIC_SH_NONE,
	    .x2apic_dest = false,
	    .source = 0,
	};
	if (rte & IOAPIC_RTE_LEVEL)
		io->rte[pin] = rte | IOAPIC_RTE_REMOTE_IRR;
	io->deliver(io->ctx, &m);
}

/* A level pin keeps asking while its line is asserted: one message per EOI. */
static void service_level(struct ioapic *io, unsigned pin)
{
	uint64_t rte = io->rte[pin];
	if ((rte & IOAPIC_RTE_LEVEL) && !(rte & (IOAPIC_RTE_MASKED | IOAPIC_RTE_REMOTE_IRR)) &&
	    (io->lines & (1u << pin)))
		send(io, pin);
}

static uint32_t reg_read(const struct ioapic *io)
{
	unsigned reg = io->regsel;
	if (reg == IOAPIC_REG_ID || reg == IOAPIC_REG_ARB)
		return io->id;
	if (reg == IOAPIC_REG_VERSION)
		return IOAPIC_VERSION_VALUE;
	if (reg >= IOAPIC_REG_REDIR && reg < IOAPIC_REDIR_END) {
		unsigned index = reg - IOAPIC_REG_REDIR;
		return (uint32_t)(io->rte[index / 2] >> (32 * (index % 2)));
	}
	return 0;
}

static void rte_write(struct ioapic *io, unsigned index, uint32_t value)
{
	unsigned pin = index / 2;
	unsigned shift = 32 * (index % 2);
	uint64_t half = 0xffffffffull << shift;
	uint64_t rte = io->rte[pin];
	uint64_t wanted = (rte & ~half) | ((uint64_t)value << shift);
	rte = (rte & ~RTE_WRITABLE) | (wanted & RTE_WRITABLE);
	/* Linux's EOI for parts without an EOI register: rewrite the entry as edge. */
	if (!(rte & IOAPIC_RTE_LEVEL))
		rte &= ~IOAPIC_RTE_REMOTE_IRR;
	io->rte[pin] = rte;
	service_level(io, pin);
}

static void reg_write(struct ioapic *io, uint32_t value)
{
	unsigned reg = io->regsel;
	if (reg == IOAPIC_REG_ID)
		io->id = value & IOAPIC_ID_MASK;
	else if (reg >= IOAPIC_REG_REDIR && reg < IOAPIC_REDIR_END)
		rte_write(io, reg - IOAPIC_REG_REDIR, value);
}

/* The dword holding the byte at `offset`: IOREGSEL, IOWIN or an undecoded hole. */
static uint32_t dword_at(const struct ioapic *io, uint64_t offset)
{
	if (offset - IOAPIC_REGSEL < IOAPIC_REG_BYTES)
		return io->regsel;
	if (offset - IOAPIC_WINDOW < IOAPIC_REG_BYTES)
		return reg_read(io);
	return 0;
}

void ioapic_mmio(void *ioapic, uint64_t offset, struct mmio_access *a)
{
	struct ioapic *io = ioapic;
	if (a->write) {
		if (a->size != IOAPIC_REG_BYTES)
			return;
		if (offset == IOAPIC_REGSEL)
			io->regsel = (uint8_t)(a->value & IOAPIC_REGSEL_MASK);
		else if (offset == IOAPIC_WINDOW)
			reg_write(io, (uint32_t)a->value);
		return;
	}
	uint64_t value = 0;
	for (unsigned i = 0; i < a->size; i++) {
		uint64_t byte_offset = offset + i;
		uint32_t dword = dword_at(io, byte_offset);
		uint8_t byte = (uint8_t)(dword >> (8 * (byte_offset % IOAPIC_REG_BYTES)));
		value |= (uint64_t)byte << (8 * i);
	}
	a->value = value;
}

static void sink_set_level(void *ctx, unsigned irq, bool level)
{
	ioapic_set_irq(ctx, irq, level);
}

void ioapic_init(struct ioapic *io, void (*deliver)(void *ctx, const struct apic_msg *m), void *ctx)
{
	memset(io, 0, sizeof *io);
	for (unsigned pin = 0; pin < IOAPIC_PINS; pin++)
		io->rte[pin] = IOAPIC_RTE_MASKED;
	io->deliver = deliver;
	io->ctx = ctx;
	io->sink.set_level = sink_set_level;
	io->sink.ctx = io;
}

void ioapic_set_irq(struct ioapic *io, unsigned pin, bool asserted)
{
	if (pin >= IOAPIC_PINS)
		return;
	uint32_t bit = 1u << pin;
	bool rising = asserted && !(io->lines & bit);
	if (asserted)
		io->lines |= bit;
	else
		io->lines &= ~bit;
	uint64_t rte = io->rte[pin];
	if (rte & IOAPIC_RTE_LEVEL)
		service_level(io, pin);
	else if (rising && !(rte & IOAPIC_RTE_MASKED))
		send(io, pin);
}

void ioapic_eoi(struct ioapic *io, uint8_t vector)
{
	for (unsigned pin = 0; pin < IOAPIC_PINS; pin++) {
		uint64_t rte = io->rte[pin];
		if (!(rte & IOAPIC_RTE_REMOTE_IRR) || (rte & RTE_VECTOR_MASK) != vector)
			continue;
		io->rte[pin] = rte & ~IOAPIC_RTE_REMOTE_IRR;
		service_level(io, pin);
	}
}

const struct irq_sink *ioapic_irq_sink(struct ioapic *io)
{
	return &io->sink;
}
