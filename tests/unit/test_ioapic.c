#include "devices/ioapic.h"
#include "tests/unit/check.h"

#define MAX_SENT 64

/* What the fake APIC bus received. */
static struct {
	unsigned n;
	struct apic_msg m[MAX_SENT];
	void *ctx[MAX_SENT];
} sent;

static int bus_token; /* the ctx every test passes to ioapic_init */

static void record(void *ctx, const struct apic_msg *m)
{
	CHECK(sent.n < MAX_SENT);
	if (sent.n >= MAX_SENT)
		return;
	sent.ctx[sent.n] = ctx;
	sent.m[sent.n++] = *m;
}

static void setup(struct ioapic *io)
{
	memset(&sent, 0, sizeof sent);
	memset(io, 0xa5, sizeof *io); /* init must not rely on zeroed memory */
	ioapic_init(io, record, &bus_token);
}

static uint64_t mmio(struct ioapic *io, uint64_t offset, uint8_t size, bool write, uint64_t value)
{
	struct mmio_access a = {.gpa = IOAPIC_DEFAULT_BASE + offset,
				.size = size,
				.write = write,
				.value = write ? value : 0x5a5a5a5a5a5a5a5aull};
	ioapic_mmio(io, offset, &a);
	return a.value;
}

static void wr(struct ioapic *io, unsigned reg, uint32_t value)
{
	mmio(io, 0x00, 4, true, reg);
	mmio(io, 0x10, 4, true, value);
}

static uint32_t rd(struct ioapic *io, unsigned reg)
{
	mmio(io, 0x00, 4, true, reg);
	return (uint32_t)mmio(io, 0x10, 4, false, 0);
}

/* Linux's __ioapic_write_entry(): high dword first, then the low one. */
static void rte_set(struct ioapic *io, unsigned pin, uint64_t rte)
{
	wr(io, 0x11 + 2 * pin, (uint32_t)(rte >> 32));
	wr(io, 0x10 + 2 * pin, (uint32_t)rte);
}

static uint64_t rte_get(struct ioapic *io, unsigned pin)
{
	return (uint64_t)rd(io, 0x11 + 2 * pin) << 32 | rd(io, 0x10 + 2 * pin);
}

static void pulse(struct ioapic *io, unsigned pin)
{
	ioapic_set_irq(io, pin, true);
	ioapic_set_irq(io, pin, false);
}

#define EDGE  0x00000ull
#define LEVEL 0x08000ull /* trigger mode, bit 15 */
#define MASK  0x10000ull /* bit 16 */
#define IRR   0x04000ull /* remote IRR, bit 14 */

TEST(power_on_state)
{
	struct ioapic io;
	setup(&io);
	CHECK_EQ(rd(&io, 0x00), 0);
	CHECK_EQ(rd(&io, 0x01), 0x00170011);
	CHECK_EQ(rd(&io, 0x02), 0);
	for (unsigned pin = 0; pin < 24; pin++) {
		CHECK_EQ(rd(&io, 0x10 + 2 * pin), 0x00010000);
		CHECK_EQ(rd(&io, 0x11 + 2 * pin), 0);
	}
	CHECK_EQ(io.lines, 0);
	for (unsigned pin = 0; pin < 24; pin++)
		pulse(&io, pin);
	CHECK_EQ(sent.n, 0);
}

TEST(id_keeps_bits_27_24_and_arbitration_follows)
{
	struct ioapic io;
	setup(&io);
	wr(&io, 0x00, 0xffffffff);
	CHECK_EQ(rd(&io, 0x00), 0x0f000000);
	CHECK_EQ(rd(&io, 0x02), 0x0f000000);
	wr(&io, 0x00, 0x05000000);
	CHECK_EQ(rd(&io, 0x00), 0x05000000);
	CHECK_EQ(rd(&io, 0x02), 0x05000000);
	wr(&io, 0x00, 0xf0ffffff); /* only reserved bits: the ID becomes 0 */
	CHECK_EQ(rd(&io, 0x00), 0);
	CHECK_EQ(rd(&io, 0x02), 0);
}

TEST(version_and_arbitration_are_read_only)
{
	struct ioapic io;
	setup(&io);
	wr(&io, 0x00, 0x03000000);
	wr(&io, 0x01, 0);
	wr(&io, 0x02, 0x0c000000);
	CHECK_EQ(rd(&io, 0x01), 0x00170011);
	CHECK_EQ(rd(&io, 0x02), 0x03000000);
	CHECK_EQ(rd(&io, 0x00), 0x03000000);
}

TEST(rte_keeps_writable_bits_and_protects_status_and_remote_irr)
{
	struct ioapic io;
	setup(&io);
	wr(&io, 0x10 + 2 * 7, 0xffffffff); /* masked, so nothing is sent */
	wr(&io, 0x11 + 2 * 7, 0xffffffff);
	CHECK_EQ(rd(&io, 0x10 + 2 * 7), 0x0001afff);
	CHECK_EQ(rd(&io, 0x11 + 2 * 7), 0xff000000);
	wr(&io, 0x10 + 2 * 7, 0);
	wr(&io, 0x11 + 2 * 7, 0);
	CHECK_EQ(rte_get(&io, 7), 0);
	/* Unmasked level entry with the line low: remote IRR and status stay clear. */
	wr(&io, 0x10 + 2 * 7, 0x0000d041);
	CHECK_EQ(rd(&io, 0x10 + 2 * 7), 0x00008041);
	CHECK_EQ(sent.n, 0);
}

TEST(rte_halves_are_independent_for_all_24_entries)
{
	struct ioapic io;
	setup(&io);
	for (unsigned pin = 0; pin < 24; pin++) {
		wr(&io, 0x10 + 2 * pin, 0x00010000 | (0x40 + pin));
		wr(&io, 0x11 + 2 * pin, pin << 24 | 0x00ffffff);
	}
	for (unsigned pin = 0; pin < 24; pin++)
		CHECK_EQ(rte_get(&io, pin), (uint64_t)pin << 56 | 0x10000 | (0x40 + pin));
	wr(&io, 0x3f, 0xab000000); /* last register: entry 23, high dword */
	CHECK_EQ(rte_get(&io, 23), 0xab00000000010057ull);
	wr(&io, 0x3e, 0x00010099);
	CHECK_EQ(rte_get(&io, 23), 0xab00000000010099ull);
	CHECK_EQ(rte_get(&io, 22), 0x1600000000010056ull);
}

TEST(unknown_registers_read_zero_and_ignore_writes)
{
	struct ioapic io;
	setup(&io);
	wr(&io, 0x00, 0x02000000);
	const unsigned regs[] = {0x03, 0x0f, 0x40, 0x41, 0x80, 0xff};
	for (unsigned i = 0; i < sizeof regs / sizeof regs[0]; i++) {
		wr(&io, regs[i], 0xffffffff);
		CHECK_EQ(rd(&io, regs[i]), 0);
	}
	CHECK_EQ(rd(&io, 0x00), 0x02000000);
	CHECK_EQ(rd(&io, 0x01), 0x00170011);
	for (unsigned pin = 0; pin < 24; pin++)
		CHECK_EQ(rte_get(&io, pin), 0x10000);
	CHECK_EQ(sent.n, 0);
}

TEST(ioregsel_reads_back_bits_7_0)
{
	struct ioapic io;
	setup(&io);
	mmio(&io, 0x00, 4, true, 0xdeadbe3a);
	CHECK_EQ(mmio(&io, 0x00, 4, false, 0), 0x3a);
	CHECK_EQ(mmio(&io, 0x10, 4, false, 0), 0x10000); /* 0x3a: entry 21, low dword */
	mmio(&io, 0x00, 4, true, 0x01);
	CHECK_EQ(mmio(&io, 0x00, 4, false, 0), 0x01);
}

TEST(narrow_and_wide_reads_return_register_bytes)
{
	struct ioapic io;
	setup(&io);
	mmio(&io, 0x00, 4, true, 0x01);
	CHECK_EQ(mmio(&io, 0x10, 1, false, 0), 0x11);
	CHECK_EQ(mmio(&io, 0x11, 1, false, 0), 0x00);
	CHECK_EQ(mmio(&io, 0x12, 1, false, 0), 0x17);
	CHECK_EQ(mmio(&io, 0x13, 1, false, 0), 0x00);
	CHECK_EQ(mmio(&io, 0x10, 2, false, 0), 0x0011);
	CHECK_EQ(mmio(&io, 0x12, 2, false, 0), 0x0017);
	CHECK_EQ(mmio(&io, 0x11, 2, false, 0), 0x1700);
	CHECK_EQ(mmio(&io, 0x10, 8, false, 0), 0x00170011); /* 0x14-0x17 are not decoded */
	CHECK_EQ(mmio(&io, 0x0c, 8, false, 0), 0x0017001100000000ull);
	CHECK_EQ(mmio(&io, 0x00, 1, false, 0), 0x01);
	CHECK_EQ(mmio(&io, 0x00, 8, false, 0), 0x01);
	CHECK_EQ(mmio(&io, 0x0e, 4, false, 0), 0x00110000); /* straddles a hole and IOWIN */
}

TEST(writes_other_than_32_bit_are_ignored)
{
	struct ioapic io;
	setup(&io);
	wr(&io, 0x10 + 2 * 2, 0x00010033);
	mmio(&io, 0x00, 1, true, 0x00);
	mmio(&io, 0x00, 2, true, 0x00);
	mmio(&io, 0x00, 8, true, 0x00);
	CHECK_EQ(mmio(&io, 0x00, 4, false, 0), 0x14);
	mmio(&io, 0x10, 1, true, 0x44);
	mmio(&io, 0x10, 2, true, 0x0044);
	mmio(&io, 0x10, 8, true, 0x0000000000000044ull);
	CHECK_EQ(mmio(&io, 0x10, 4, false, 0), 0x00010033);
}

TEST(other_offsets_read_zero_and_ignore_writes)
{
	struct ioapic io;
	setup(&io);
	mmio(&io, 0x00, 4, true, 0x01);
	const uint64_t offsets[] = {0x04, 0x08, 0x0c, 0x14, 0x20, 0x40, 0xff0, 0xffc};
	for (unsigned i = 0; i < sizeof offsets / sizeof offsets[0]; i++) {
		mmio(&io, offsets[i], 4, true, 0x00);
		CHECK_EQ(mmio(&io, offsets[i], 4, false, 0), 0);
	}
	CHECK_EQ(mmio(&io, 0x10, 4, false, 0), 0x00170011);
	/* Misaligned dword stores touch neither register. */
	mmio(&io, 0x00, 4, true, 0x12); /* entry 1, low dword */
	mmio(&io, 0x01, 4, true, 0x00000000);
	mmio(&io, 0x11, 4, true, 0x00000000);
	mmio(&io, 0x0e, 4, true, 0x00000000);
	CHECK_EQ(mmio(&io, 0x00, 4, false, 0), 0x12);
	CHECK_EQ(mmio(&io, 0x10, 4, false, 0), 0x00010000);
}

TEST(offset_0x40_is_no_eoi_register)
{
	struct ioapic io;
	setup(&io);
	rte_set(&io, 5, LEVEL | 0x45);
	ioapic_set_irq(&io, 5, true);
	CHECK_EQ(sent.n, 1);
	mmio(&io, 0x40, 4, true, 0x45);
	CHECK_EQ(rte_get(&io, 5), IRR | LEVEL | 0x45);
	CHECK_EQ(sent.n, 1);
}

TEST(edge_sends_on_rising_edge_only)
{
	struct ioapic io;
	setup(&io);
	rte_set(&io, 4, EDGE | 0x34);
	ioapic_set_irq(&io, 4, true);
	CHECK_EQ(sent.n, 1);
	CHECK_EQ(sent.m[0].vector, 0x34);
	ioapic_set_irq(&io, 4, true); /* still high */
	CHECK_EQ(sent.n, 1);
	ioapic_set_irq(&io, 4, false);
	CHECK_EQ(sent.n, 1);
	ioapic_set_irq(&io, 4, true);
	CHECK_EQ(sent.n, 2);
	CHECK_EQ(sent.m[1].vector, 0x34);
	CHECK_EQ(rte_get(&io, 4), 0x34); /* edge entries never show remote IRR */
}

TEST(edge_while_masked_is_lost)
{
	struct ioapic io;
	setup(&io);
	rte_set(&io, 1, MASK | EDGE | 0x31);
	pulse(&io, 1);
	rte_set(&io, 1, EDGE | 0x31);
	CHECK_EQ(sent.n, 0);
	rte_set(&io, 1, MASK | EDGE | 0x31);
	ioapic_set_irq(&io, 1, true); /* high across the unmask: still no edge */
	rte_set(&io, 1, EDGE | 0x31);
	CHECK_EQ(sent.n, 0);
	ioapic_set_irq(&io, 1, false);
	ioapic_set_irq(&io, 1, true);
	CHECK_EQ(sent.n, 1);
	CHECK_EQ(sent.m[0].vector, 0x31);
}

TEST(edge_entry_writes_never_send)
{
	struct ioapic io;
	setup(&io);
	rte_set(&io, 6, EDGE | 0x36);
	ioapic_set_irq(&io, 6, true);
	CHECK_EQ(sent.n, 1);
	rte_set(&io, 6, EDGE | 0x37);
	rte_set(&io, 6, MASK | EDGE | 0x37);
	rte_set(&io, 6, EDGE | 0x37);
	wr(&io, 0x11 + 2 * 6, 0x03000000);
	CHECK_EQ(sent.n, 1);
}

TEST(level_sends_once_until_eoi_and_again_while_asserted)
{
	struct ioapic io;
	setup(&io);
	rte_set(&io, 9, LEVEL | 0x49);
	ioapic_set_irq(&io, 9, true);
	CHECK_EQ(sent.n, 1);
	CHECK_EQ(sent.m[0].vector, 0x49);
	CHECK_EQ(rd(&io, 0x10 + 2 * 9), 0x0000c049);
	ioapic_set_irq(&io, 9, true); /* remote IRR holds it back */
	CHECK_EQ(sent.n, 1);
	ioapic_eoi(&io, 0x49);
	CHECK_EQ(sent.n, 2);
	CHECK_EQ(sent.m[1].vector, 0x49);
	CHECK_EQ(rd(&io, 0x10 + 2 * 9), 0x0000c049);
	ioapic_set_irq(&io, 9, false);
	ioapic_eoi(&io, 0x49);
	CHECK_EQ(sent.n, 2);
	CHECK_EQ(rd(&io, 0x10 + 2 * 9), 0x00008049);
}

TEST(eoi_for_other_vector_does_nothing)
{
	struct ioapic io;
	setup(&io);
	rte_set(&io, 9, LEVEL | 0x49);
	rte_set(&io, 3, EDGE | 0x48);
	ioapic_set_irq(&io, 9, true);
	ioapic_set_irq(&io, 3, true);
	CHECK_EQ(sent.n, 2);
	ioapic_eoi(&io, 0x48);
	ioapic_eoi(&io, 0x4a);
	ioapic_eoi(&io, 0x09);
	CHECK_EQ(sent.n, 2);
	CHECK_EQ(rte_get(&io, 9), IRR | LEVEL | 0x49);
	CHECK_EQ(rte_get(&io, 3), 0x48);
}

TEST(level_line_dropped_before_eoi_is_not_resent)
{
	struct ioapic io;
	setup(&io);
	rte_set(&io, 11, LEVEL | 0x5b);
	ioapic_set_irq(&io, 11, true);
	ioapic_set_irq(&io, 11, false);
	CHECK_EQ(sent.n, 1);
	CHECK_EQ(rte_get(&io, 11), IRR | LEVEL | 0x5b); /* dropping the line does not EOI */
	ioapic_eoi(&io, 0x5b);
	CHECK_EQ(sent.n, 1);
	CHECK_EQ(rte_get(&io, 11), LEVEL | 0x5b);
	ioapic_set_irq(&io, 11, true);
	CHECK_EQ(sent.n, 2);
}

TEST(eoi_clears_every_level_pin_with_the_vector)
{
	struct ioapic io;
	setup(&io);
	rte_set(&io, 5, 0x01ull << 56 | LEVEL | 0x50);
	rte_set(&io, 10, 0x02ull << 56 | LEVEL | 0x50);
	ioapic_set_irq(&io, 5, true);
	ioapic_set_irq(&io, 10, true);
	CHECK_EQ(sent.n, 2);
	ioapic_set_irq(&io, 10, false);
	ioapic_eoi(&io, 0x50);
	CHECK_EQ(sent.n, 3);
	CHECK_EQ(sent.m[2].dest, 0x01);
	CHECK_EQ(rte_get(&io, 5), 0x01ull << 56 | IRR | LEVEL | 0x50);
	CHECK_EQ(rte_get(&io, 10), 0x02ull << 56 | LEVEL | 0x50);
}

TEST(unmasking_an_asserted_level_pin_sends)
{
	struct ioapic io;
	setup(&io);
	rte_set(&io, 8, MASK | LEVEL | 0x38);
	ioapic_set_irq(&io, 8, true);
	CHECK_EQ(sent.n, 0);
	CHECK_EQ(rte_get(&io, 8), MASK | LEVEL | 0x38);
	wr(&io, 0x10 + 2 * 8, LEVEL | 0x38);
	CHECK_EQ(sent.n, 1);
	CHECK_EQ(sent.m[0].vector, 0x38);
	CHECK_EQ(rte_get(&io, 8), IRR | LEVEL | 0x38);
}

TEST(unmasking_a_level_pin_whose_line_dropped_sends_nothing)
{
	struct ioapic io;
	setup(&io);
	rte_set(&io, 8, MASK | LEVEL | 0x38);
	ioapic_set_irq(&io, 8, true);
	ioapic_set_irq(&io, 8, false);
	wr(&io, 0x10 + 2 * 8, LEVEL | 0x38);
	CHECK_EQ(sent.n, 0);
	CHECK_EQ(rte_get(&io, 8), LEVEL | 0x38);
}

TEST(masked_level_pin_waits_after_eoi_until_unmasked)
{
	struct ioapic io;
	setup(&io);
	rte_set(&io, 12, LEVEL | 0x6c);
	ioapic_set_irq(&io, 12, true);
	CHECK_EQ(sent.n, 1);
	wr(&io, 0x10 + 2 * 12, MASK | LEVEL | 0x6c);
	ioapic_eoi(&io, 0x6c);
	CHECK_EQ(sent.n, 1);
	CHECK_EQ(rte_get(&io, 12), MASK | LEVEL | 0x6c);
	wr(&io, 0x10 + 2 * 12, LEVEL | 0x6c);
	CHECK_EQ(sent.n, 2);
	CHECK_EQ(rte_get(&io, 12), IRR | LEVEL | 0x6c);
}

TEST(rewriting_an_in_service_level_entry_does_not_resend)
{
	struct ioapic io;
	setup(&io);
	rte_set(&io, 14, LEVEL | 0x7e);
	ioapic_set_irq(&io, 14, true);
	rte_set(&io, 14, 0x04ull << 56 | LEVEL | 0x7e); /* retarget while in service */
	CHECK_EQ(sent.n, 1);
	CHECK_EQ(rte_get(&io, 14), 0x04ull << 56 | IRR | LEVEL | 0x7e);
	ioapic_eoi(&io, 0x7e);
	CHECK_EQ(sent.n, 2);
	CHECK_EQ(sent.m[1].dest, 0x04);
}

TEST(switching_an_asserted_edge_pin_to_level_sends)
{
	struct ioapic io;
	setup(&io);
	rte_set(&io, 13, EDGE | 0x6d);
	ioapic_set_irq(&io, 13, true);
	CHECK_EQ(sent.n, 1);
	CHECK(!sent.m[0].level);
	wr(&io, 0x10 + 2 * 13, LEVEL | 0x6d);
	CHECK_EQ(sent.n, 2);
	CHECK(sent.m[1].level);
	CHECK_EQ(rte_get(&io, 13), IRR | LEVEL | 0x6d);
}

/* Linux __eoi_ioapic_pin() for version 0x11: read the entry, write it masked and edge,
 * then write back what it read (remote IRR included, which must be ignored). */
static void linux_eoi_pin(struct ioapic *io, unsigned pin)
{
	uint64_t entry = rte_get(io, pin);
	uint64_t edge = (entry | MASK) & ~LEVEL;
	rte_set(io, pin, edge);
	CHECK_EQ(rte_get(io, pin), edge & ~IRR);
	rte_set(io, pin, entry);
}

TEST(linux_mask_edge_restore_rearms_level_pin)
{
	struct ioapic io;
	setup(&io);
	rte_set(&io, 16, 0x03ull << 56 | LEVEL | IOAPIC_RTE_POLARITY_LOW | 0x81);
	ioapic_set_irq(&io, 16, true);
	CHECK_EQ(sent.n, 1);
	linux_eoi_pin(&io, 16);
	CHECK_EQ(sent.n, 2); /* line still asserted: sent again on restore */
	CHECK_EQ(sent.m[1].vector, 0x81);
	CHECK_EQ(sent.m[1].dest, 0x03);
	CHECK_EQ(rte_get(&io, 16), 0x03ull << 56 | IRR | LEVEL | 0x2000 | 0x81);
	ioapic_set_irq(&io, 16, false);
	linux_eoi_pin(&io, 16);
	CHECK_EQ(sent.n, 2);
	CHECK_EQ(rte_get(&io, 16), 0x03ull << 56 | LEVEL | 0x2000 | 0x81);
	ioapic_set_irq(&io, 16, true);
	CHECK_EQ(sent.n, 3);
}

TEST(message_fields_decode_the_entry)
{
	struct ioapic io;
	setup(&io);
	/* Destination 0x5c, level, logical, lowest priority, vector 0xa7. */
	rte_set(&io, 3, 0x5cull << 56 | LEVEL | 0x800 | 0x100 | 0xa7);
	ioapic_set_irq(&io, 3, true);
	CHECK_EQ(sent.n, 1);
	struct apic_msg *m = &sent.m[0];
	CHECK_EQ(m->dest, 0x5c);
	CHECK_EQ(m->vector, 0xa7);
	CHECK_EQ(m->delivery, APIC_DM_LOWEST);
	CHECK_EQ(m->logical, true);
	CHECK_EQ(m->level, true);
	CHECK_EQ(m->assert, true);
	CHECK_EQ(m->shorthand, APIC_SH_NONE);
	CHECK_EQ(m->x2apic_dest, false);
	CHECK_EQ(m->source, 0);
	CHECK(sent.ctx[0] == &bus_token);
	/* Physical, edge, fixed, broadcast destination. */
	rte_set(&io, 20, 0xffull << 56 | EDGE | 0x2f);
	ioapic_set_irq(&io, 20, true);
	CHECK_EQ(sent.n, 2);
	m = &sent.m[1];
	CHECK_EQ(m->dest, 0xff);
	CHECK_EQ(m->vector, 0x2f);
	CHECK_EQ(m->delivery, APIC_DM_FIXED);
	CHECK_EQ(m->logical, false);
	CHECK_EQ(m->level, false);
	CHECK_EQ(m->assert, true);
	CHECK_EQ(m->shorthand, APIC_SH_NONE);
	CHECK_EQ(m->x2apic_dest, false);
	CHECK_EQ(m->source, 0);
}

TEST(every_delivery_mode_passes_through)
{
	struct ioapic io;
	setup(&io);
	for (unsigned mode = 0; mode < 8; mode++) {
		rte_set(&io, 0, (uint64_t)mode << 8 | 0x20);
		pulse(&io, 0);
		CHECK_EQ(sent.n, mode + 1);
		CHECK_EQ(sent.m[mode].delivery, mode);
		CHECK_EQ(sent.m[mode].vector, 0x20);
	}
	CHECK_EQ(sent.m[7].delivery, APIC_DM_EXTINT);
}

TEST(polarity_is_stored_only)
{
	struct ioapic io;
	setup(&io);
	rte_set(&io, 17, IOAPIC_RTE_POLARITY_LOW | EDGE | 0x91);
	CHECK_EQ(rd(&io, 0x10 + 2 * 17), 0x2091);
	ioapic_set_irq(&io, 17, false);
	CHECK_EQ(sent.n, 0);
	ioapic_set_irq(&io, 17, true); /* "asserted" is the logical level */
	CHECK_EQ(sent.n, 1);
}

TEST(pins_out_of_range_are_ignored)
{
	struct ioapic io;
	setup(&io);
	for (unsigned pin = 0; pin < 24; pin++)
		rte_set(&io, pin, EDGE | 0x30);
	const unsigned pins[] = {24, 31, 32, 255, 0xffffffffu};
	for (unsigned i = 0; i < sizeof pins / sizeof pins[0]; i++)
		ioapic_set_irq(&io, pins[i], true);
	CHECK_EQ(sent.n, 0);
	CHECK_EQ(io.lines, 0);
	CHECK_EQ(rd(&io, 0x40), 0); /* there is no entry 24 */
}

TEST(all_24_pins_send_their_own_entry)
{
	struct ioapic io;
	setup(&io);
	for (unsigned pin = 0; pin < 24; pin++)
		rte_set(&io, pin, (uint64_t)pin << 56 | (pin % 2 ? LEVEL : EDGE) | (0x60 + pin));
	for (unsigned pin = 0; pin < 24; pin++)
		ioapic_set_irq(&io, pin, true);
	CHECK_EQ(sent.n, 24);
	CHECK_EQ(io.lines, 0x00ffffff);
	for (unsigned pin = 0; pin < 24; pin++) {
		CHECK_EQ(sent.m[pin].vector, 0x60 + pin);
		CHECK_EQ(sent.m[pin].dest, pin);
		CHECK_EQ(sent.m[pin].level, pin % 2);
	}
}

TEST(irq_sink_drives_pins)
{
	struct ioapic io;
	setup(&io);
	rte_set(&io, 8, EDGE | 0x28);
	const struct irq_sink *s = ioapic_irq_sink(&io);
	struct irq_line line = {.sink = s, .irq = 8};
	irq_line_pulse(&line);
	CHECK_EQ(sent.n, 1);
	CHECK_EQ(sent.m[0].vector, 0x28);
	irq_line_set(&line, true);
	CHECK_EQ(io.lines, 1u << 8);
	struct irq_line bad = {.sink = s, .irq = 24};
	irq_line_set(&bad, true);
	CHECK_EQ(io.lines, 1u << 8);
	CHECK_EQ(sent.n, 2);
}

static uint64_t rte_in_callback;
static void peek_entry(void *ctx, const struct apic_msg *m)
{
	rte_in_callback = rte_get(ctx, 2);
}

TEST(remote_irr_is_set_when_deliver_runs)
{
	struct ioapic io;
	ioapic_init(&io, peek_entry, &io);
	rte_set(&io, 2, LEVEL | 0x22);
	ioapic_set_irq(&io, 2, true);
	CHECK_EQ(rte_in_callback, IRR | LEVEL | 0x22);
}

CHECK_MAIN(
    "ioapic", CASE(power_on_state), CASE(id_keeps_bits_27_24_and_arbitration_follows),
    CASE(version_and_arbitration_are_read_only),
    CASE(rte_keeps_writable_bits_and_protects_status_and_remote_irr),
    CASE(rte_halves_are_independent_for_all_24_entries),
    CASE(unknown_registers_read_zero_and_ignore_writes), CASE(ioregsel_reads_back_bits_7_0),
    CASE(narrow_and_wide_reads_return_register_bytes), CASE(writes_other_than_32_bit_are_ignored),
    CASE(other_offsets_read_zero_and_ignore_writes), CASE(offset_0x40_is_no_eoi_register),
    CASE(edge_sends_on_rising_edge_only), CASE(edge_while_masked_is_lost),
    CASE(edge_entry_writes_never_send), CASE(level_sends_once_until_eoi_and_again_while_asserted),
    CASE(eoi_for_other_vector_does_nothing), CASE(level_line_dropped_before_eoi_is_not_resent),
    CASE(eoi_clears_every_level_pin_with_the_vector), CASE(unmasking_an_asserted_level_pin_sends),
    CASE(unmasking_a_level_pin_whose_line_dropped_sends_nothing),
    CASE(masked_level_pin_waits_after_eoi_until_unmasked),
    CASE(rewriting_an_in_service_level_entry_does_not_resend),
    CASE(switching_an_asserted_edge_pin_to_level_sends),
    CASE(linux_mask_edge_restore_rearms_level_pin), CASE(message_fields_decode_the_entry),
    CASE(every_delivery_mode_passes_through), CASE(polarity_is_stored_only),
    CASE(pins_out_of_range_are_ignored), CASE(all_24_pins_send_their_own_entry),
    CASE(irq_sink_drives_pins), CASE(remote_irr_is_set_when_deliver_runs))
