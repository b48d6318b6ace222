#include "devices/lapic.h"
#include "devices/lapic_internal.h"
#include "kernel/kstring.h"

#define APIC_BASE_RESERVED_LOW 0x2ffull /* IA32_APIC_BASE bits 7:0 and 9 */

#define APIC_VECTOR_MASK	  0xffu
#define APIC_FIRST_LEGAL_VECTOR	  16	/* vectors 0-15 are reserved by the APIC */
#define APIC_PRIORITY_CLASS	  0xf0u /* vector bits 7:4 */
#define APIC_TPR_MASK		  0xffu
#define APIC_XAPIC_ID_SHIFT	  24
#define APIC_XAPIC_ID_MASK	  0xff000000u /* xAPIC ID, LDR and ICR_HI: bits 31:24 */
#define APIC_DFR_RESET		  0xffffffffu
#define APIC_DFR_ONES		  0x0fffffffu /* DFR bits 27:0 read as ones */
#define APIC_SVR_RESET		  0xffu	      /* vector 0xff, software-disabled */
#define APIC_SVR_WRITABLE	  0x3ffu      /* vector, enable, focus checking */
#define APIC_X2APIC_CLUSTER_SHIFT 16	      /* x2APIC LDR: cluster in 31:16, member bit in 15:0 */

/* ICR (low half; x2APIC adds the destination in bits 63:32) */
#define APIC_ICR_DELIVERY_SHIFT	 8 /* bits 10:8, enum apic_delivery */
#define APIC_ICR_DELIVERY_MASK	 0x7u
#define APIC_ICR_LOGICAL	 (1u << 11)
#define APIC_ICR_ASSERT		 (1u << 14)
#define APIC_ICR_LEVEL		 (1u << 15)
#define APIC_ICR_SHORTHAND_SHIFT 18 /* bits 19:18, enum apic_shorthand */
#define APIC_ICR_SHORTHAND_MASK	 0x3u
#define APIC_ICR_WRITABLE	 0x000ccfffu /* the fields above; status and reserved read 0 */
#define APIC_X2APIC_ICR_HI	 0x304	     /* page offset of the x2APIC destination */

/* LVT fields */
#define APIC_LVT_VECTOR		 0xffu
#define APIC_LVT_DELIVERY	 0x700u	    /* delivery mode, bits 10:8 */
#define APIC_LVT_DELIVERY_STATUS (1u << 12) /* read-only, always 0 here */
#define APIC_LVT_POLARITY	 (1u << 13)
#define APIC_LVT_EXTINT		 (APIC_DM_EXTINT << APIC_ICR_DELIVERY_SHIFT)

/* What each LVT entry lets software set; the read-only bits are not reserved (no x2APIC
 * #GP) but always read 0. Entries are in offset order from LAPIC_LVT_TIMER. */
struct lvt_fields {
	uint32_t writable;
	uint32_t readonly;
};
static const struct lvt_fields lvt_table[] = {
    /* timer */
    {APIC_LVT_VECTOR | APIC_LVT_MASKED | APIC_LVT_TIMER_MODE_MASK, APIC_LVT_DELIVERY_STATUS},
    /* thermal, performance counters */
    {APIC_LVT_VECTOR | APIC_LVT_DELIVERY | APIC_LVT_MASKED, APIC_LVT_DELIVERY_STATUS},
    {APIC_LVT_VECTOR | APIC_LVT_DELIVERY | APIC_LVT_MASKED, APIC_LVT_DELIVERY_STATUS},
    /* LINT0, LINT1 */
    {APIC_LVT_VECTOR | APIC_LVT_DELIVERY | APIC_LVT_POLARITY | APIC_LVT_LEVEL | APIC_LVT_MASKED,
     APIC_LVT_DELIVERY_STATUS | APIC_LVT_REMOTE_IRR},
    {APIC_LVT_VECTOR | APIC_LVT_DELIVERY | APIC_LVT_POLARITY | APIC_LVT_LEVEL | APIC_LVT_MASKED,
     APIC_LVT_DELIVERY_STATUS | APIC_LVT_REMOTE_IRR},
    /* error: fixed delivery only */
    {APIC_LVT_VECTOR | APIC_LVT_MASKED, APIC_LVT_DELIVERY_STATUS},
};

static bool is_lvt(uint32_t offset)
{
	return offset >= LAPIC_LVT_TIMER && offset <= LAPIC_LVT_ERROR;
}

static const struct lvt_fields *lvt_at(uint32_t offset)
{
	return &lvt_table[(offset - LAPIC_LVT_TIMER) >> 4];
}

/* --- 256-bit registers (ISR, TMR, IRR): vector v is bit v % 32 of the word at
 * base + (v / 32) * 16 --- */

static uint32_t *vec_word(const struct lapic *l, uint32_t base, uint8_t vector)
{
	return &l->regs[base / 4 + (vector >> 5) * 4];
}

static bool vec_test(const struct lapic *l, uint32_t base, uint8_t vector)
{
	return *vec_word(l, base, vector) & (1u << (vector & 31));
}

static void vec_set(struct lapic *l, uint32_t base, uint8_t vector)
{
	*vec_word(l, base, vector) |= 1u << (vector & 31);
}

static void vec_clear(struct lapic *l, uint32_t base, uint8_t vector)
{
	*vec_word(l, base, vector) &= ~(1u << (vector & 31));
}

static int vec_highest(const struct lapic *l, uint32_t base)
{
	for (int word = 7; word >= 0; word--) {
		uint32_t bits = l->regs[base / 4 + (unsigned)word * 4];
		if (bits)
			return word * 32 + 31 - __builtin_clz(bits);
	}
	return -1;
}

/* --- priority --- */

static uint32_t vector_class(int vector)
{
	return vector < 0 ? 0 : (uint32_t)vector & APIC_PRIORITY_CLASS;
}

static uint32_t compute_ppr(const struct lapic *l)
{
	uint32_t tpr = lapic_reg(l, LAPIC_TPR) & APIC_TPR_MASK;
	uint32_t isr_class = vector_class(vec_highest(l, LAPIC_ISR));
	return (tpr & APIC_PRIORITY_CLASS) >= isr_class ? tpr : isr_class;
}

/* The CPU may have changed TPR or ISR in the page since the last look. */
static uint32_t update_ppr(struct lapic *l)
{
	uint32_t ppr = compute_ppr(l);
	lapic_set_reg(l, LAPIC_PPR, ppr);
	return ppr;
}

/* SDM "Arbitration Priority Register", taken literally (the AND is bitwise there too). */
static uint32_t compute_apr(const struct lapic *l)
{
	uint32_t tpr = lapic_reg(l, LAPIC_TPR) & APIC_TPR_MASK;
	uint32_t tpr_class = tpr >> 4;
	uint32_t irr_class = vector_class(vec_highest(l, LAPIC_IRR)) >> 4;
	uint32_t isr_class = vector_class(vec_highest(l, LAPIC_ISR)) >> 4;
	if (tpr_class >= irr_class && tpr_class > isr_class)
		return tpr;
	uint32_t both = tpr_class & isr_class;
	return (both > irr_class ? both : irr_class) << 4;
}

/* --- interrupt acceptance and errors --- */

static void set_irr(struct lapic *l, uint8_t vector, bool level)
{
	vec_set(l, LAPIC_IRR, vector);
	if (level)
		vec_set(l, LAPIC_TMR, vector);
	else
		vec_clear(l, LAPIC_TMR, vector);
}

/* Records errors for the next ESR write and raises the error LVT. An illegal error vector
 * is not reported again (that would loop). */
static bool raise_error(struct lapic *l, uint32_t esr_bits)
{
	l->esr_pending |= esr_bits;
	uint32_t lvt = lapic_reg(l, LAPIC_LVT_ERROR);
	uint8_t vector = lvt & APIC_LVT_VECTOR;
	if ((lvt & APIC_LVT_MASKED) || vector < APIC_FIRST_LEGAL_VECTOR)
		return false;
	set_irr(l, vector, false);
	return true;
}

bool lapic_raise_lvt(struct lapic *l, uint32_t lvt_offset)
{
	uint32_t lvt = lapic_reg(l, lvt_offset);
	if (lvt & APIC_LVT_MASKED)
		return false;
	uint8_t vector = lvt & APIC_LVT_VECTOR;
	if (vector < APIC_FIRST_LEGAL_VECTOR)
		return raise_error(l, APIC_ESR_RECV_ILLEGAL_VECTOR);
	set_irr(l, vector, false);
	return true;
}

bool lapic_accept(struct lapic *l, uint8_t vector, bool level)
{
	if (lapic_mode(l) == LAPIC_MODE_DISABLED || !lapic_sw_enabled(l))
		return false;
	if (vector < APIC_FIRST_LEGAL_VECTOR) {
		raise_error(l, APIC_ESR_RECV_ILLEGAL_VECTOR);
		return false;
	}
	set_irr(l, vector, level);
	return true;
}

int lapic_pending_vector(const struct lapic *l)
{
	int vector = lapic_highest_irr(l);
	if (vector < 0 || vector_class(vector) <= (compute_ppr(l) & APIC_PRIORITY_CLASS))
		return -1;
	return vector;
}

void lapic_ack(struct lapic *l, uint8_t vector)
{
	vec_clear(l, LAPIC_IRR, vector);
	vec_set(l, LAPIC_ISR, vector);
	update_ppr(l);
}

int lapic_highest_irr(const struct lapic *l)
{
	return vec_highest(l, LAPIC_IRR);
}

int lapic_highest_isr(const struct lapic *l)
{
	return vec_highest(l, LAPIC_ISR);
}

/* `vector` just left the ISR. */
static void finish_eoi(struct lapic *l, uint8_t vector)
{
	update_ppr(l);
	if (!vec_test(l, LAPIC_TMR, vector))
		return;
	vec_clear(l, LAPIC_TMR, vector);
	if (l->ops && l->ops->eoi_level)
		l->ops->eoi_level(l->ctx, vector);
}

static void eoi(struct lapic *l)
{
	int vector = lapic_highest_isr(l);
	if (vector < 0)
		return;
	vec_clear(l, LAPIC_ISR, (uint8_t)vector);
	finish_eoi(l, (uint8_t)vector);
}

void lapic_eoi_done(struct lapic *l, uint8_t vector)
{
	finish_eoi(l, vector);
}

void lapic_tmr_words(const struct lapic *l, uint64_t out[4])
{
	for (unsigned i = 0; i < 4; i++) {
		uint32_t low = *vec_word(l, LAPIC_TMR, (uint8_t)(i * 64));
		uint32_t high = *vec_word(l, LAPIC_TMR, (uint8_t)(i * 64 + 32));
		out[i] = (uint64_t)high << 32 | low;
	}
}

bool lapic_accepts_extint(const struct lapic *l)
{
	if (lapic_mode(l) == LAPIC_MODE_DISABLED)
		return true;
	uint32_t lint0 = lapic_reg(l, LAPIC_LVT_LINT0);
	return lapic_sw_enabled(l) && !(lint0 & APIC_LVT_MASKED) &&
	       (lint0 & APIC_LVT_DELIVERY) == APIC_LVT_EXTINT;
}

uint8_t lapic_cr8_read(const struct lapic *l)
{
	return (lapic_reg(l, LAPIC_TPR) >> 4) & 0xf;
}

void lapic_cr8_write(struct lapic *l, uint8_t cr8)
{
	lapic_set_reg(l, LAPIC_TPR, (uint32_t)(cr8 & 0xf) << 4);
	update_ppr(l);
}

/* --- IPIs --- */

static bool ipi_valid(const struct apic_msg *m)
{
	switch (m->delivery) {
	case APIC_DM_FIXED:
		return true;
	case APIC_DM_LOWEST:
		return m->shorthand == APIC_SH_NONE || m->shorthand == APIC_SH_ALL_BUT_SELF;
	case APIC_DM_SMI:
	case APIC_DM_NMI:
	case APIC_DM_INIT:
	case APIC_DM_STARTUP:
		return m->shorthand != APIC_SH_SELF;
	}
	return false; /* 3 and 7 (ExtINT) are reserved in the ICR */
}

static void send_ipi(struct lapic *l, const struct apic_msg *m)
{
	bool takes_vector = m->delivery == APIC_DM_FIXED || m->delivery == APIC_DM_LOWEST;
	if (takes_vector && m->vector < APIC_FIRST_LEGAL_VECTOR) {
		raise_error(l, APIC_ESR_SEND_ILLEGAL_VECTOR);
		return;
	}
	if (ipi_valid(m) && l->ops && l->ops->send)
		l->ops->send(l->ctx, l, m);
}

static void send_icr(struct lapic *l, uint32_t icr, uint32_t dest)
{
	uint8_t delivery = (icr >> APIC_ICR_DELIVERY_SHIFT) & APIC_ICR_DELIVERY_MASK;
	bool level = icr & APIC_ICR_LEVEL;
	struct apic_msg m = {
	    .dest = dest,
	    .vector = icr & APIC_VECTOR_MASK,
	    .delivery = delivery,
	    .logical = icr & APIC_ICR_LOGICAL,
	    .level = level,
	    .assert = !(delivery == APIC_DM_INIT && level && !(icr & APIC_ICR_ASSERT)),
	    .shorthand = (icr >> APIC_ICR_SHORTHAND_SHIFT) & APIC_ICR_SHORTHAND_MASK,
	    .x2apic_dest = lapic_mode(l) == LAPIC_MODE_X2APIC,
	    .source = l->id,
	};
	send_ipi(l, &m);
}

/* x2APIC SELF IPI: a fixed edge IPI to self, through the same path as the ICR. */
static void send_self_ipi(struct lapic *l, uint8_t vector)
{
	struct apic_msg m = {
	    .vector = vector,
	    .delivery = APIC_DM_FIXED,
	    .assert = true,
	    .shorthand = APIC_SH_SELF,
	    .x2apic_dest = true,
	    .source = l->id,
	};
	send_ipi(l, &m);
}

/* --- register access --- */

enum { REG_R = 1, REG_W = 2 };

/* How the register at 16-byte-aligned `offset` may be accessed in xAPIC or x2APIC mode;
 * 0: no register there. */
static unsigned reg_access(uint32_t offset, bool x2apic)
{
	if (offset >= LAPIC_ISR && offset <= LAPIC_IRR + 0x70)
		return REG_R;
	if (is_lvt(offset))
		return REG_R | REG_W;
	switch (offset) {
	case LAPIC_VERSION:
	case LAPIC_PPR:
	case LAPIC_TIMER_CCR:
		return REG_R;
	case LAPIC_TPR:
	case LAPIC_SVR:
	case LAPIC_ESR:
	case LAPIC_ICR_LO:
	case LAPIC_TIMER_ICR:
	case LAPIC_TIMER_DCR:
		return REG_R | REG_W;
	case LAPIC_EOI:
		return REG_W;
	case LAPIC_ID:
	case LAPIC_LDR:
		return x2apic ? REG_R : REG_R | REG_W;
	case LAPIC_APR:
	case LAPIC_RRD:
	case LAPIC_LVT_CMCI:
		return x2apic ? 0 : REG_R;
	case LAPIC_DFR:
	case LAPIC_ICR_HI:
		return x2apic ? 0 : REG_R | REG_W;
	case LAPIC_SELF_IPI:
		return x2apic ? REG_W : 0;
	}
	return 0;
}

static uint32_t reg_read(struct lapic *l, uint32_t offset, uint64_t now)
{
	switch (offset) {
	case LAPIC_PPR:
		return update_ppr(l);
	case LAPIC_APR:
		return compute_apr(l);
	case LAPIC_TIMER_CCR:
		return lapic_timer_current_count(l, now);
	}
	return lapic_reg(l, offset);
}

static void mask_all_lvts(struct lapic *l)
{
	for (uint32_t offset = LAPIC_LVT_TIMER; offset <= LAPIC_LVT_ERROR; offset += 0x10)
		lapic_set_reg(l, offset, lapic_reg(l, offset) | APIC_LVT_MASKED);
}

static void notify_mode_changed(struct lapic *l);

/* The software enable decides how the hypervisor may virtualize the APIC: tell it. (For a
 * trapped write the page already holds the new value, so there is no old one to compare.) */
static void write_svr(struct lapic *l, uint32_t value)
{
	lapic_set_reg(l, LAPIC_SVR, value & APIC_SVR_WRITABLE);
	if (!(value & APIC_SVR_ENABLE))
		mask_all_lvts(l);
	notify_mode_changed(l);
}

static void write_lvt(struct lapic *l, uint32_t offset, uint32_t value, uint64_t now)
{
	uint32_t lvt = value & lvt_at(offset)->writable;
	if (!lapic_sw_enabled(l))
		lvt |= APIC_LVT_MASKED;
	bool timer = offset == LAPIC_LVT_TIMER;
	if (timer && (lvt & APIC_LVT_TIMER_MODE_MASK) == APIC_LVT_TIMER_MODE_MASK)
		lvt &= ~APIC_LVT_TIMER_MODE_MASK; /* reserved mode 3: one-shot */
	lapic_set_reg(l, offset, lvt);
	if (timer)
		lapic_timer_set_mode(l, lvt & APIC_LVT_TIMER_MODE_MASK, now);
}

/* ESR: a write makes the errors gathered since the previous write visible. */
static void write_esr(struct lapic *l)
{
	l->esr_visible = l->esr_pending;
	l->esr_pending = 0;
	lapic_set_reg(l, LAPIC_ESR, l->esr_visible);
}

/* A write the access check allowed. Never relies on the register's old page content: for
 * trapped writes the page already holds the guest's value. */
static void reg_write(struct lapic *l, uint32_t offset, uint32_t value, uint64_t now)
{
	if (is_lvt(offset)) {
		write_lvt(l, offset, value, now);
		return;
	}
	switch (offset) {
	case LAPIC_ID:
	case LAPIC_LDR:
	case LAPIC_ICR_HI:
		lapic_set_reg(l, offset, value & APIC_XAPIC_ID_MASK);
		break;
	case LAPIC_TPR:
		lapic_set_reg(l, LAPIC_TPR, value & APIC_TPR_MASK);
		update_ppr(l);
		break;
	case LAPIC_EOI:
		lapic_set_reg(l, LAPIC_EOI, 0);
		eoi(l);
		break;
	case LAPIC_DFR:
		lapic_set_reg(l, LAPIC_DFR, value | APIC_DFR_ONES);
		break;
	case LAPIC_SVR:
		write_svr(l, value);
		break;
	case LAPIC_ESR:
		write_esr(l);
		break;
	case LAPIC_ICR_LO:
		lapic_set_reg(l, LAPIC_ICR_LO, value & APIC_ICR_WRITABLE);
		send_icr(l, value, lapic_reg(l, LAPIC_ICR_HI) >> APIC_XAPIC_ID_SHIFT);
		break;
	case LAPIC_TIMER_ICR:
		lapic_timer_write_icr(l, value, now);
		break;
	case LAPIC_TIMER_DCR:
		lapic_timer_write_dcr(l, value, now);
		break;
	}
}

/* --- xAPIC MMIO --- */

static uint64_t size_mask(unsigned size)
{
	return size >= 8 ? UINT64_MAX : (1ull << (size * 8)) - 1;
}

uint64_t lapic_mmio_read(struct lapic *l, uint32_t offset, unsigned size, uint64_t now)
{
	if (lapic_mode(l) != LAPIC_MODE_XAPIC)
		return size_mask(size);
	uint32_t reg = offset & ~0xfu, byte = offset & 0xfu;
	if (byte >= 4 || !(reg_access(reg, false) & REG_R))
		return 0;
	return ((uint64_t)reg_read(l, reg, now) >> (byte * 8)) & size_mask(size);
}

static void xapic_write(struct lapic *l, uint32_t offset, uint32_t value, uint64_t now)
{
	if (reg_access(offset, false) & REG_W)
		reg_write(l, offset, value, now);
}

/* A write narrower than the register or not at its start changes the bytes it covers
 * among the register's 4 and writes the register back whole: what the CPU's APIC-write
 * emulation does with the virtual-APIC page, so a guest sees the same at every apicv=
 * level. Bytes 4-15 of a 16-byte slot hold nothing. */
void lapic_mmio_write(struct lapic *l, uint32_t offset, unsigned size, uint64_t value, uint64_t now)
{
	uint32_t reg = offset & ~0xfu, byte = offset & 0xfu;
	if (lapic_mode(l) != LAPIC_MODE_XAPIC || byte >= 4)
		return;
	unsigned covered = size < 4 - byte ? size : 4 - byte;
	uint32_t mask = (uint32_t)size_mask(covered) << (8 * byte);
	uint32_t merged = (lapic_reg(l, reg) & ~mask) | ((uint32_t)(value << (8 * byte)) & mask);
	xapic_write(l, reg, merged, now);
}

/* --- x2APIC MSRs --- */

static uint32_t x2apic_offset(uint32_t msr)
{
	return (msr - MSR_X2APIC_FIRST) << 4;
}

/* Bits a WRMSR may set in the writable register at `offset`; others are reserved (#GP). */
static uint64_t x2apic_allowed_bits(uint32_t offset)
{
	if (is_lvt(offset))
		return lvt_at(offset)->writable | lvt_at(offset)->readonly;
	switch (offset) {
	case LAPIC_TPR:
	case LAPIC_SELF_IPI:
		return APIC_VECTOR_MASK;
	case LAPIC_SVR:
		return APIC_SVR_WRITABLE;
	case LAPIC_ICR_LO:
		return 0xffffffff00000000ull | APIC_ICR_WRITABLE;
	case LAPIC_TIMER_ICR:
		return UINT32_MAX;
	case LAPIC_TIMER_DCR:
		return APIC_DCR_WRITABLE;
	}
	return 0; /* EOI and ESR take only 0 */
}

static bool x2apic_msr_offset(const struct lapic *l, uint32_t msr, unsigned access,
			      uint32_t *offset)
{
	if (lapic_mode(l) != LAPIC_MODE_X2APIC || msr < MSR_X2APIC_FIRST || msr > MSR_X2APIC_LAST)
		return false;
	*offset = x2apic_offset(msr);
	return reg_access(*offset, true) & access;
}

bool lapic_msr_read(struct lapic *l, uint32_t msr, uint64_t *value, uint64_t now)
{
	uint32_t offset;
	if (!x2apic_msr_offset(l, msr, REG_R, &offset))
		return false;
	*value = reg_read(l, offset, now);
	if (offset == LAPIC_ICR_LO)
		*value |= (uint64_t)lapic_reg(l, APIC_X2APIC_ICR_HI) << 32;
	return true;
}

bool lapic_msr_write(struct lapic *l, uint32_t msr, uint64_t value, uint64_t now)
{
	uint32_t offset;
	if (!x2apic_msr_offset(l, msr, REG_W, &offset) || (value & ~x2apic_allowed_bits(offset)))
		return false;
	switch (offset) {
	case LAPIC_ICR_LO:
		lapic_set_reg(l, LAPIC_ICR_LO, (uint32_t)value);
		lapic_set_reg(l, APIC_X2APIC_ICR_HI, (uint32_t)(value >> 32));
		send_icr(l, (uint32_t)value, (uint32_t)(value >> 32));
		break;
	case LAPIC_SELF_IPI:
		send_self_ipi(l, (uint8_t)value);
		break;
	default:
		reg_write(l, offset, (uint32_t)value, now);
	}
	return true;
}

void lapic_write_trapped(struct lapic *l, uint32_t offset, uint64_t now)
{
	offset &= ~0xfu; /* a narrower write: the CPU merged it into the register */
	uint64_t value = lapic_reg(l, offset);
	switch (lapic_mode(l)) {
	case LAPIC_MODE_XAPIC:
		xapic_write(l, offset, (uint32_t)value, now);
		break;
	case LAPIC_MODE_X2APIC:
		if (offset == LAPIC_ICR_LO)
			value |= (uint64_t)lapic_reg(l, APIC_X2APIC_ICR_HI) << 32;
		lapic_msr_write(l, MSR_X2APIC_FIRST + (offset >> 4), value, now);
		break;
	case LAPIC_MODE_DISABLED:
		break;
	}
}

/* --- state --- */

static uint32_t x2apic_ldr(uint32_t id)
{
	return (id >> 4) << APIC_X2APIC_CLUSTER_SHIFT | 1u << (id & 0xf);
}

/* INIT: everything back to power-on except the ID and IA32_APIC_BASE. */
static void reset_registers(struct lapic *l)
{
	uint32_t id = lapic_reg(l, LAPIC_ID);
	memset(l->regs, 0, LAPIC_PAGE_SIZE);
	lapic_set_reg(l, LAPIC_ID, id);
	lapic_set_reg(l, LAPIC_VERSION, LAPIC_VERSION_VALUE);
	lapic_set_reg(l, LAPIC_DFR, APIC_DFR_RESET);
	lapic_set_reg(l, LAPIC_SVR, APIC_SVR_RESET);
	mask_all_lvts(l);
	if (lapic_mode(l) == LAPIC_MODE_X2APIC)
		lapic_set_reg(l, LAPIC_LDR, x2apic_ldr(id));
	l->esr_pending = 0;
	l->esr_visible = 0;
	lapic_timer_reset(l);
}

void lapic_init(struct lapic *l, uint32_t id, bool bsp, uint32_t *regs, unsigned phys_bits,
		unsigned clock_shift, uint64_t tsc_hz, const struct lapic_ops *ops, void *ctx)
{
	*l = (struct lapic){
	    .regs = regs,
	    .id = id,
	    .base = LAPIC_DEFAULT_BASE | APIC_BASE_EN | (bsp ? APIC_BASE_BSP : 0),
	    .phys_bits = phys_bits,
	    .clock_shift = clock_shift,
	    .tsc_hz = tsc_hz,
	    .ops = ops,
	    .ctx = ctx,
	};
	lapic_set_reg(l, LAPIC_ID, id << APIC_XAPIC_ID_SHIFT);
	reset_registers(l);
}

void lapic_set_virtual_wire(struct lapic *l)
{
	lapic_set_reg(l, LAPIC_SVR, APIC_SVR_ENABLE | APIC_SVR_RESET);
	lapic_set_reg(l, LAPIC_LVT_LINT0, APIC_LVT_EXTINT);
	lapic_set_reg(l, LAPIC_LVT_LINT1, APIC_DM_NMI << APIC_ICR_DELIVERY_SHIFT);
}

static void notify_mode_changed(struct lapic *l)
{
	if (l->ops && l->ops->mode_changed)
		l->ops->mode_changed(l->ctx, l);
}

void lapic_init_signal(struct lapic *l)
{
	reset_registers(l);
	notify_mode_changed(l);
}

uint64_t lapic_base_read(const struct lapic *l)
{
	return l->base;
}

/* SDM "x2APIC State Transitions": x2APIC is entered from xAPIC and left through disabled. */
static bool mode_transition_allowed(enum lapic_mode from, enum lapic_mode to)
{
	switch (to) {
	case LAPIC_MODE_DISABLED:
		return true;
	case LAPIC_MODE_XAPIC:
		return from != LAPIC_MODE_X2APIC;
	case LAPIC_MODE_X2APIC:
		return from != LAPIC_MODE_DISABLED;
	}
	return false;
}

bool lapic_base_write(struct lapic *l, uint64_t value, uint64_t now)
{
	uint64_t reserved = APIC_BASE_RESERVED_LOW | ~((1ull << l->phys_bits) - 1);
	if ((value & reserved) || ((value ^ l->base) & APIC_BASE_BSP))
		return false;
	if ((value & APIC_BASE_EXTD) && !(value & APIC_BASE_EN))
		return false;
	enum lapic_mode from = lapic_mode(l), to = lapic_base_mode(value);
	if (!mode_transition_allowed(from, to))
		return false;
	if (value == l->base)
		return true;
	l->base = value;
	if (from != to && to == LAPIC_MODE_DISABLED) {
		reset_registers(l);
		if (from == LAPIC_MODE_X2APIC) /* the page is read in xAPIC form next */
			lapic_set_reg(l, LAPIC_ID, l->id << APIC_XAPIC_ID_SHIFT);
	} else if (from != to && to == LAPIC_MODE_X2APIC) {
		lapic_set_reg(l, LAPIC_ID, l->id);
		lapic_set_reg(l, LAPIC_LDR, x2apic_ldr(l->id));
	}
	notify_mode_changed(l);
	return true;
}
