/* The I/O APIC: MMIO of any width and offset, pin levels and EOI broadcasts. A message goes
 * out only for an unmasked pin whose entry it was built from; one change of one pin sends
 * at most one. */
#include "devices/ioapic.h"
#include "tests/fuzz/fuzz_dev.h"

static unsigned messages;

static void deliver(void *ctx, const struct apic_msg *m)
{
	const struct ioapic *io = ctx;
	bool from_entry = false;
	for (unsigned pin = 0; pin < IOAPIC_PINS; pin++) {
		uint64_t rte = io->rte[pin];
		from_entry |= !(rte & IOAPIC_RTE_MASKED) && (uint8_t)rte == m->vector &&
			      ((rte >> 8) & 7) == m->delivery;
	}
	FUZZ_CHECK(from_entry);
	FUZZ_CHECK(m->shorthand == APIC_SH_NONE && !m->x2apic_dest && m->dest <= 0xff);
	messages++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = fuzz_input(data, size);
	struct ioapic io;
	struct mmio_bus bus = {0};
	ioapic_init(&io, deliver, &io);
	FUZZ_CHECK(
	    mmio_bus_register(&bus, IOAPIC_DEFAULT_BASE, IOAPIC_MMIO_SIZE, ioapic_mmio, &io));
	while (fuzz_more(&in)) {
		unsigned before = messages;
		switch (fuzz_below(&in, 4)) {
		case 0:
		case 1: {
			/* IOREGSEL or IOWIN, or anywhere up to just past the window */
			uint8_t sel = fuzz_u8(&in);
			uint64_t offset = sel & 0x80 ? fuzz_u16(&in) % (IOAPIC_MMIO_SIZE + 16)
						     : (sel & 1 ? IOAPIC_WINDOW : IOAPIC_REGSEL);
			struct mmio_access a = {.gpa = IOAPIC_DEFAULT_BASE + offset,
						.size = fuzz_width(&in, 8),
						.write = fuzz_bool(&in)};
			a.value = a.write ? (fuzz_bool(&in) ? fuzz_u64(&in) : fuzz_u8(&in)) : 0;
			(void)mmio_bus_dispatch(&bus, &a);
			break;
		}
		case 2:
			ioapic_set_irq(&io, fuzz_below(&in, IOAPIC_PINS + 8), fuzz_bool(&in));
			FUZZ_CHECK(messages - before <= 1);
			break;
		default:
			ioapic_eoi(&io, fuzz_u8(&in));
			FUZZ_CHECK(messages - before <= IOAPIC_PINS);
			break;
		}
	}
	return 0;
}
