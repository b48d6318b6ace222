/* One local APIC: MMIO, x2APIC MSRs, IA32_APIC_BASE, TSC deadline, CR8, interrupt accept and
 * acknowledge, APIC-write exits, INIT, and the timer over guest TSC steps. Until the guest
 * TSC jumps (a TSC write), the timer never leaves itself a deadline at or before the
 * present after an update: the timer loop would take it again at once, forever. */
#include "tests/fuzz/fuzz_lapic.h"

static _Alignas(4096) uint32_t page[1024];

static void sent(void *ctx, const struct lapic *from, const struct apic_msg *m)
{
	fuzz_msg_check(m);
}

static void eoi_level(void *ctx, uint8_t vector) {}

static void mode_changed(void *ctx, const struct lapic *l) {}

static const struct lapic_ops ops = {sent, eoi_level, mode_changed};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = fuzz_input(data, size);
	struct lapic apic;
	/* As the hypervisor configures it: MAXPHYADDR 36-52, a TSC of 1 MHz-4 GHz and the
	 * shift that brings the LAPIC clock below 2^32 Hz. */
	unsigned phys_bits = 36 + fuzz_below(&in, 17);
	uint64_t tsc_hz = 1000000 + fuzz_u32(&in);
	unsigned shift = fuzz_below(&in, 4);
	uint32_t id = fuzz_u8(&in);
	bool bsp = fuzz_bool(&in);
	struct fuzz_clock clock = {fuzz_u32(&in)};
	bool tsc_jumped = false;
	lapic_init(&apic, id, bsp, page, phys_bits, shift, tsc_hz, &ops, NULL);
	while (fuzz_more(&in)) {
		switch (fuzz_below(&in, 4)) {
		case 0:
			fuzz_clock_step(&clock, &in);
			break;
		case 1:
			if (fuzz_below(&in, 16) == 0) {
				clock.now = fuzz_u64(&in);
				tsc_jumped = true;
			}
			break;
		case 2:
			(void)lapic_timer_update(&apic, clock.now);
			if (!tsc_jumped)
				FUZZ_CHECK(lapic_timer_deadline(&apic) > clock.now);
			break;
		default:
			fuzz_lapic_op(&apic, &in, clock.now);
			break;
		}
	}
	return 0;
}
