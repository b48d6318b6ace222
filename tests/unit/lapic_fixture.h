/* Shared by the local APIC tests: one APIC on a page of its own, a simulated TSC (`now`)
 * and ops that record what the APIC sends, broadcasts and reports. */
#pragma once
#include "devices/lapic.h"
#include "tests/unit/check.h"
#include <stdbool.h>
#include <stdint.h>

#define PHYS_BITS   39
#define CLOCK_SHIFT 2		/* count clock = TSC / 4 */
#define TSC_HZ	    10000000ull /* 10 MHz: the 200 us periodic floor is 2000 TSC ticks */
#define FLOOR_TSC   2000
#define TICK	    8 /* TSC ticks per count at the reset divide (2) */
#define BASE_BSP    (LAPIC_DEFAULT_BASE | APIC_BASE_BSP)

#define MSR_ID	      0x802
#define MSR_VERSION   0x803
#define MSR_TPR	      0x808
#define MSR_PPR	      0x80a
#define MSR_EOI	      0x80b
#define MSR_LDR	      0x80d
#define MSR_SVR	      0x80f
#define MSR_ISR1      0x811
#define MSR_TMR2      0x81a
#define MSR_IRR2      0x822
#define MSR_ESR	      0x828
#define MSR_ICR	      0x830
#define MSR_LVTT      0x832
#define MSR_LVT_THERM 0x833
#define MSR_LINT0     0x835
#define MSR_LVT_ERR   0x837
#define MSR_TMICT     0x838
#define MSR_TMCCT     0x839
#define MSR_DCR	      0x83e
#define MSR_SELF_IPI  0x83f

static _Alignas(4096) uint32_t page[1024];
static struct lapic apic;
static uint64_t now;

static struct apic_msg sent[16];
static unsigned nsent;
static uint8_t eoi_vectors[16];
static unsigned neoi;
static unsigned mode_changes;

static void record_send(void *ctx, const struct lapic *from, const struct apic_msg *m)
{
	CHECK(from == &apic);
	if (nsent < 16)
		sent[nsent] = *m;
	nsent++;
}

static void record_eoi(void *ctx, uint8_t vector)
{
	if (neoi < 16)
		eoi_vectors[neoi] = vector;
	neoi++;
}

static void record_mode_change(void *ctx, const struct lapic *l)
{
	CHECK(l == &apic);
	mode_changes++;
}

static const struct lapic_ops ops = {record_send, record_eoi, record_mode_change};

static inline void setup_id(uint32_t id, bool bsp)
{
	nsent = neoi = mode_changes = 0;
	now = 0;
	memset(page, 0xab, sizeof page); /* lapic_init must not trust the page */
	lapic_init(&apic, id, bsp, page, PHYS_BITS, CLOCK_SHIFT, TSC_HZ, &ops, NULL);
}

static inline uint32_t rd(uint32_t offset)
{
	return (uint32_t)lapic_mmio_read(&apic, offset, 4, now);
}

static inline void wr(uint32_t offset, uint32_t value)
{
	lapic_mmio_write(&apic, offset, 4, value, now);
}

static inline void setup(void)
{
	setup_id(0, true);
}

static inline void setup_enabled(void)
{
	setup();
	wr(LAPIC_SVR, 0x1ff);
}

static inline void to_x2apic(void)
{
	CHECK(lapic_base_write(&apic, lapic_base_read(&apic) | APIC_BASE_EXTD, now));
	CHECK_EQ(lapic_mode(&apic), LAPIC_MODE_X2APIC);
}

static inline void disable(void)
{
	CHECK(lapic_base_write(&apic, lapic_base_read(&apic) & ~(APIC_BASE_EN | APIC_BASE_EXTD),
			       now));
}

static inline uint64_t msr_rd(uint32_t msr)
{
	uint64_t v = 0xdeadbeef;
	CHECK(lapic_msr_read(&apic, msr, &v, now));
	return v;
}

static inline bool msr_read_gp(uint32_t msr)
{
	uint64_t v;
	return !lapic_msr_read(&apic, msr, &v, now);
}

static inline bool msr_wr(uint32_t msr, uint64_t value)
{
	return lapic_msr_write(&apic, msr, value, now);
}

static inline void trap(uint32_t offset, uint32_t value)
{
	page[offset / 4] = value;
	lapic_write_trapped(&apic, offset, now);
}

/* Bit `vector` of the 256-bit register at `base`, as the page holds it. */
static inline bool bit_in(uint32_t base, uint8_t vector)
{
	return page[base / 4 + (vector / 32) * 4] >> (vector % 32) & 1;
}

static inline void deliver(uint8_t vector)
{
	CHECK(lapic_accept(&apic, vector, false));
}

/* The CPU takes `vector`: it must be the one the APIC offers. */
static inline void take(uint8_t vector)
{
	CHECK_EQ(lapic_pending_vector(&apic), vector);
	lapic_ack(&apic, vector);
}

static inline uint32_t latched_esr(void)
{
	wr(LAPIC_ESR, 0);
	return rd(LAPIC_ESR);
}
