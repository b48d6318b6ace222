/* A VM's APIC bus with 1-8 local APICs: random messages and MSIs, and random operations on
 * the APICs, whose IPIs go back onto the bus as in the hypervisor. Kicks and special
 * deliveries name existing vCPUs only; lowest priority reaches one APIC at most. */
#include "devices/apic_bus.h"
#include "tests/fuzz/fuzz_lapic.h"

static _Alignas(4096) uint32_t pages[APIC_BUS_MAX_CPUS][1024];
static struct apic_bus bus;
static struct lapic apics[APIC_BUS_MAX_CPUS];
static unsigned depth;

static void kick(void *ctx, unsigned cpu)
{
	FUZZ_CHECK(cpu < bus.ncpus);
}

static void special(void *ctx, unsigned cpu, uint8_t delivery, uint8_t vector)
{
	FUZZ_CHECK(cpu < bus.ncpus);
	FUZZ_CHECK(delivery != APIC_DM_FIXED && delivery != APIC_DM_LOWEST && delivery <= 7);
}

static const struct apic_bus_ops bus_ops = {kick, special};

static void deliver(const struct apic_msg *m)
{
	fuzz_msg_check(m);
	FUZZ_CHECK(++depth < 4); /* an IPI cannot trigger further IPIs */
	unsigned n = apic_bus_deliver(&bus, m);
	depth--;
	FUZZ_CHECK(n <= bus.ncpus);
	if (m->delivery == APIC_DM_LOWEST && m->shorthand == APIC_SH_NONE)
		FUZZ_CHECK(n <= 1);
}

static void send(void *ctx, const struct lapic *from, const struct apic_msg *m)
{
	FUZZ_CHECK(m->source == (unsigned)(from - apics));
	deliver(m);
}

static void eoi_level(void *ctx, uint8_t vector) {}

static void mode_changed(void *ctx, const struct lapic *l) {}

static const struct lapic_ops lapic_ops = {send, eoi_level, mode_changed};

static struct apic_msg random_msg(struct fuzz_input *in)
{
	uint8_t flags = fuzz_u8(in);
	return (struct apic_msg){
	    .dest = flags & 0x80 ? fuzz_u32(in) : fuzz_u8(in),
	    .vector = fuzz_u8(in),
	    .delivery = fuzz_below(in, 8),
	    .logical = flags & 1,
	    .level = flags & 2,
	    .assert = !(flags & 4),
	    .shorthand = flags >> 3 & 3,
	    .x2apic_dest = flags & 0x80,
	    .source = fuzz_below(in, bus.ncpus),
	};
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = fuzz_input(data, size);
	unsigned ncpus = 1 + fuzz_below(&in, APIC_BUS_MAX_CPUS);
	uint64_t now = 0;
	apic_bus_init(&bus, &bus_ops, NULL);
	for (unsigned i = 0; i < ncpus; i++) {
		lapic_init(&apics[i], i, i == 0, pages[i], 39, 0, 1000000000, &lapic_ops, NULL);
		FUZZ_CHECK(apic_bus_attach(&bus, &apics[i]));
	}
	while (fuzz_more(&in)) {
		switch (fuzz_below(&in, 4)) {
		case 0: {
			struct apic_msg m = random_msg(&in);
			deliver(&m);
			break;
		}
		case 1: {
			struct apic_msg m;
			uint64_t address =
			    fuzz_bool(&in) ? MSI_ADDR_BASE | fuzz_u32(&in) >> 12 : fuzz_u64(&in);
			uint32_t value = fuzz_u32(&in);
			if (apic_msg_from_msi(address, value, &m))
				deliver(&m);
			break;
		}
		case 2:
			now += fuzz_u16(&in);
			for (unsigned i = 0; i < ncpus; i++)
				(void)lapic_timer_update(&apics[i], now);
			break;
		default:
			fuzz_lapic_op(&apics[fuzz_below(&in, ncpus)], &in, now);
			break;
		}
	}
	return 0;
}
