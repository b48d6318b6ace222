/* Shared by the local APIC harnesses: one operation on one APIC, as the exit handlers and
 * the timer loop perform them, with the invariants that hold after each. */
#pragma once
#include "devices/lapic.h"
#include "tests/fuzz/fuzz_dev.h"

/* An IA32_APIC_BASE value: usually a well-formed one (default base, EN/EXTD/BSP chosen),
 * sometimes anything. */
static inline uint64_t fuzz_apic_base(struct fuzz_input *in)
{
	uint8_t sel = fuzz_u8(in);
	if (sel & 0x80)
		return fuzz_u64(in);
	return LAPIC_DEFAULT_BASE | (sel & 1 ? APIC_BASE_EN : 0) | (sel & 2 ? APIC_BASE_EXTD : 0) |
	       (sel & 4 ? APIC_BASE_BSP : 0);
}

/* An x2APIC MSR, or now and then any MSR number. */
static inline uint32_t fuzz_x2apic_msr(struct fuzz_input *in)
{
	uint8_t sel = fuzz_u8(in);
	return sel == 0xff ? fuzz_u32(in) : MSR_X2APIC_FIRST + fuzz_u8(in);
}

static inline void fuzz_lapic_check(const struct lapic *l)
{
	int irr = lapic_highest_irr(l), isr = lapic_highest_isr(l), next = lapic_pending_vector(l);
	FUZZ_CHECK(irr >= -1 && irr <= 0xff && isr >= -1 && isr <= 0xff);
	FUZZ_CHECK(next == -1 || (next >= 16 && next <= irr));
	FUZZ_CHECK(lapic_mode(l) <= LAPIC_MODE_X2APIC);
}

static inline void fuzz_msg_check(const struct apic_msg *m)
{
	FUZZ_CHECK(m->delivery <= APIC_DM_EXTINT && m->shorthand <= APIC_SH_ALL_BUT_SELF);
	FUZZ_CHECK(m->x2apic_dest || m->dest <= 0xff);
}

/* One operation at guest TSC `now`. The hypervisor only acknowledges the vector the APIC
 * says is pending, and reaches MMIO offsets inside the page only. */
static inline void fuzz_lapic_op(struct lapic *l, struct fuzz_input *in, uint64_t now)
{
	switch (fuzz_below(in, 12)) {
	case 0: {
		uint32_t offset = fuzz_u16(in) & 0xfff;
		unsigned size = fuzz_width(in, 8);
		if (offset + size <= LAPIC_PAGE_SIZE)
			(void)lapic_mmio_read(l, offset, size, now);
		break;
	}
	case 1: {
		uint32_t offset = fuzz_u16(in) & 0xfff;
		unsigned size = fuzz_width(in, 8);
		uint64_t value = fuzz_u64(in);
		if (offset + size <= LAPIC_PAGE_SIZE)
			lapic_mmio_write(l, offset, size, value, now);
		break;
	}
	case 2: {
		uint64_t value;
		(void)lapic_msr_read(l, fuzz_x2apic_msr(in), &value, now);
		break;
	}
	case 3: {
		uint32_t msr = fuzz_x2apic_msr(in);
		(void)lapic_msr_write(l, msr, fuzz_u64(in), now);
		break;
	}
	case 4: {
		uint64_t before = lapic_base_read(l), value = fuzz_apic_base(in);
		bool ok = lapic_base_write(l, value, now);
		FUZZ_CHECK(lapic_base_read(l) == (ok ? value : before));
		break;
	}
	case 5:
		if (fuzz_bool(in))
			lapic_tsc_deadline_write(
			    l, fuzz_bool(in) ? fuzz_u64(in) : now + fuzz_u16(in), now);
		else
			(void)lapic_tsc_deadline_read(l);
		break;
	case 6:
		lapic_cr8_write(l, fuzz_u8(in) & 0xf);
		FUZZ_CHECK(lapic_cr8_read(l) <= 0xf);
		break;
	case 7:
		(void)lapic_accept(l, fuzz_u8(in), fuzz_bool(in));
		break;
	case 8: {
		int v = lapic_pending_vector(l);
		if (v >= 0)
			lapic_ack(l, (uint8_t)v);
		break;
	}
	case 9:
		lapic_eoi_done(l, fuzz_u8(in));
		break;
	case 10: {
		/* An APIC-write exit: the CPU already stored the guest's value in the page. */
		uint32_t offset = fuzz_u16(in) & 0xff0;
		l->regs[offset / 4] = fuzz_u32(in);
		lapic_write_trapped(l, offset, now);
		break;
	}
	default: {
		uint64_t tmr[4];
		switch (fuzz_below(in, 3)) {
		case 0:
			lapic_init_signal(l);
			break;
		case 1:
			lapic_set_virtual_wire(l);
			break;
		default:
			(void)lapic_accepts_extint(l);
			lapic_tmr_words(l, tmr);
			break;
		}
		break;
	}
	}
	fuzz_lapic_check(l);
}
