/* Interrupt acceptance and priority in xAPIC mode, all by self-IPI: IRR, ISR and TMR around
 * one delivery, PPR while a vector is in service, TPR holding a vector back, nesting of two
 * priority classes and which ISR bit each EOI clears, service order within a class, the
 * destination forms that reach the sender itself, and an NMI IPI. */
#include "guests/apic-test/tests.h"
#include "guests/lib/apic.h"
#include "guests/lib/report.h"
#include "guests/lib/trap.h"
#include "guests/lib/x86.h"

#define VEC_LOW	     0x40 /* class 4 */
#define VEC_HIGH     0x80 /* class 8 */
#define VEC_LOWER    0x30 /* class 3: below VEC_LOW */
#define VEC_SAME_LOW 0x41 /* two vectors of one class (4) */
#define VEC_SAME_HI  0x4f

/* What a handler saw before its EOI. */
struct snapshot {
	bool isr, irr, tmr; /* its own vector's bits */
	u32 ppr;
	bool isr_low, isr_high; /* VEC_LOW's and VEC_HIGH's ISR bits */
};

static volatile struct snapshot in_low, in_high;
static volatile bool eoi_cleared_high_only, high_seen_in_low;
static volatile u32 ppr_with_tpr_above;
static volatile bool nest; /* VEC_LOW's handler sends VEC_HIGH and VEC_LOWER */

static void take(volatile struct snapshot *s, u8 vector)
{
	s->isr = apic_vector_bit(APIC_ISR, vector);
	s->irr = apic_vector_bit(APIC_IRR, vector);
	s->tmr = apic_vector_bit(APIC_TMR, vector);
	s->ppr = apic_read(APIC_PPR);
	s->isr_low = apic_vector_bit(APIC_ISR, VEC_LOW);
	s->isr_high = apic_vector_bit(APIC_ISR, VEC_HIGH);
}

static void on_high(struct trap_frame *f)
{
	(void)f;
	take(&in_high, VEC_HIGH);
	apic_eoi();
	eoi_cleared_high_only =
	    apic_vector_bit(APIC_ISR, VEC_LOW) && !apic_vector_bit(APIC_ISR, VEC_HIGH);
}

static void on_low(struct trap_frame *f)
{
	(void)f;
	take(&in_low, VEC_LOW);
	apic_write(APIC_TPR, 0x65);
	ppr_with_tpr_above = apic_read(APIC_PPR);
	apic_write(APIC_TPR, 0);
	if (nest) {
		u32 before = intr_count;
		self_ipi(VEC_LOWER); /* class 3 < PPR class 4: must wait for the EOI */
		self_ipi(VEC_HIGH);  /* class 8 > 4: preempts as soon as IF is on */
		sti();
		for (u32 i = 0; i < 1000 && !in_high.isr; i++)
			cpu_relax();
		cli();
		high_seen_in_low = in_high.isr && intr_count == before;
	}
	apic_eoi();
}

static void reset_snapshots(void)
{
	static const struct snapshot none;
	in_low = none;
	in_high = none;
	eoi_cleared_high_only = high_seen_in_low = false;
}

static void check_one_delivery(void)
{
	intr_log_reset();
	reset_snapshots();
	nest = false;
	trap_set_handler(VEC_LOW, on_low);
	self_ipi(VEC_LOW);
	bool irr = apic_vector_bit(APIC_IRR, VEC_LOW), isr = apic_vector_bit(APIC_ISR, VEC_LOW);
	bool tmr = apic_vector_bit(APIC_TMR, VEC_LOW);
	report(irr && !isr && !tmr, "xapic: self-IPI with IF=0 waits in IRR (IRR %d ISR %d TMR %d)",
	       irr, isr, tmr);
	let_interrupts_in(1);
	report(in_low.isr && !in_low.irr && !in_low.tmr,
	       "xapic: in the handler ISR is set, IRR clear, TMR clear (edge) (%d %d %d)",
	       in_low.isr, in_low.irr, in_low.tmr);
	report(in_low.ppr == VEC_LOW, "xapic: PPR = in-service class with TPR 0 (0x%x)",
	       in_low.ppr);
	report(ppr_with_tpr_above == 0x65,
	       "xapic: PPR = TPR when TPR's class is above the in-service one (0x%x)",
	       ppr_with_tpr_above);
	isr = apic_vector_bit(APIC_ISR, VEC_LOW);
	u32 ppr = apic_read(APIC_PPR);
	report(!isr && ppr == 0, "xapic: EOI clears ISR and PPR (ISR %d PPR 0x%x)", isr, ppr);
}

static void check_tpr_blocks(void)
{
	intr_log_reset();
	apic_write(APIC_TPR, 0x40);
	self_ipi(0x45);
	let_interrupts_in(1);
	u32 held = intr_count;
	bool irr = apic_vector_bit(APIC_IRR, 0x45);
	apic_write(APIC_TPR, 0x3f);
	let_interrupts_in(1);
	report(held == 0 && irr,
	       "xapic: TPR 0x40 holds vector 0x45 in IRR with IF=1 (%u interrupts)", held);
	report(intr_count == 1 && intr_log[0].vector == 0x45,
	       "xapic: lowering TPR to 0x3f delivers it (%u interrupts)", intr_count);
	apic_write(APIC_TPR, 0);
}

static void check_nesting(void)
{
	intr_log_reset();
	reset_snapshots();
	nest = true;
	trap_set_handler(VEC_LOW, on_low);
	trap_set_handler(VEC_HIGH, on_high);
	self_ipi(VEC_LOW);
	let_interrupts_in(1);
	report(high_seen_in_low && in_high.isr_low && in_high.isr_high && in_high.ppr == VEC_HIGH,
	       "xapic: class 8 nests in class 4's handler, both in ISR, PPR 0x%x", in_high.ppr);
	report(eoi_cleared_high_only,
	       "xapic: the nested EOI clears the higher vector's ISR bit, not the lower");
	report(intr_count == 1 && intr_log[0].vector == VEC_LOWER,
	       "xapic: class 3 waited for the class-4 EOI, then came (%u interrupts)", intr_count);
	intr_log_reset(); /* VEC_LOW and VEC_HIGH back to the logging handler */
}

static void check_same_class_order(void)
{
	intr_log_reset();
	self_ipi(VEC_SAME_LOW);
	self_ipi(VEC_SAME_HI);
	let_interrupts_in(1);
	report(intr_count == 2 && intr_log[0].vector == VEC_SAME_HI &&
		   intr_log[1].vector == VEC_SAME_LOW,
	       "xapic: two pending vectors of one class: higher first (0x%x, 0x%x)",
	       intr_log[0].vector, intr_log[1].vector);
}

static void check_destinations(void)
{
	u32 ldr = apic_read(APIC_LDR);
	intr_log_reset();
	apic_icr_write(APIC_DM_FIXED | 0x50, apic_id());
	apic_icr_write(APIC_DM_FIXED | 0x51, APIC_XAPIC_BROADCAST);
	apic_icr_write(APIC_DEST_ALL | APIC_DM_FIXED | 0x52, 0);
	apic_write(APIC_LDR, 0x01000000);
	apic_icr_write(APIC_DEST_LOGICAL | APIC_DM_FIXED | 0x53, 0x01);
	apic_icr_write(APIC_DEST_LOGICAL | APIC_DM_FIXED | 0x54, 0x02);
	apic_write(APIC_DFR, 0x0fffffff); /* cluster model: cluster 1, member bit 0 */
	apic_write(APIC_LDR, 0x11000000);
	apic_icr_write(APIC_DEST_LOGICAL | APIC_DM_FIXED | 0x55, 0x13);
	apic_icr_write(APIC_DEST_LOGICAL | APIC_DM_FIXED | 0x56, 0x21);
	apic_icr_write(APIC_DEST_ALL_BUT_SELF | APIC_DM_FIXED | 0x57, 0);
	apic_write(APIC_DFR, 0xffffffff);
	apic_write(APIC_LDR, ldr);
	let_interrupts_in(1);
	report(intr_count_of(0x50) == 1 && intr_count_of(0x51) == 1 && intr_count_of(0x52) == 1,
	       "xapic: own physical ID, broadcast 0xff and ALL shorthand reach the sender");
	report(intr_count_of(0x53) == 1 && intr_count_of(0x54) == 0,
	       "xapic: flat logical: LDR 0x01 matches 0x01, not 0x02 (%u, %u)", intr_count_of(0x53),
	       intr_count_of(0x54));
	report(intr_count_of(0x55) == 1 && intr_count_of(0x56) == 0,
	       "xapic: cluster logical: 0x13 reaches cluster 1 member 0, 0x21 does not (%u, %u)",
	       intr_count_of(0x55), intr_count_of(0x56));
	report(intr_count_of(0x57) == 0 && intr_count == 5,
	       "xapic: ALL-BUT-SELF does not reach the sender (%u interrupts in all)", intr_count);
	u32 icr = apic_icr_read_low();
	report(!(icr & APIC_ICR_BUSY), "xapic: ICR delivery status idle after sending (0x%x)", icr);
}

static void check_nmi_to_self(void)
{
	intr_log_reset();
	apic_icr_write(APIC_DM_NMI, apic_id());
	for (u32 i = 0; i < 1000 && !nmi_count; i++)
		cpu_relax();
	report(nmi_count == 1 && intr_count == 0,
	       "xapic: NMI IPI to the own ID runs the NMI handler with IF=0 (%u NMIs)", nmi_count);
}

void test_xapic_interrupts(void)
{
	check_one_delivery();
	check_tpr_blocks();
	check_nesting();
	check_same_class_order();
	check_destinations();
	check_nmi_to_self();
}
