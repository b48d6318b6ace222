/* x2APIC mode: entered from xAPIC through IA32_APIC_BASE, the ID and LDR the MSRs show,
 * the accesses that raise #GP, self-IPIs through SELF_IPI and the 64-bit ICR, TPR/PPR, a
 * one-shot timer through the MSRs, and the way out (only through disabled). */
#include "guests/apic-test/tests.h"
#include "guests/lib/apic.h"
#include "guests/lib/report.h"
#include "guests/lib/safe.h"
#include "guests/lib/trap.h"
#include "guests/lib/tsc.h"
#include "guests/lib/x86.h"

#define MSR_ID		    0x802
#define MSR_VERSION	    0x803
#define MSR_TPR		    0x808
#define MSR_PPR		    0x80a
#define MSR_EOI		    0x80b
#define MSR_LDR		    0x80d
#define MSR_DFR		    0x80e /* no such register in x2APIC mode */
#define MSR_ICR		    0x830
#define MSR_ICR2	    0x831 /* no such register: the ICR is one 64-bit MSR */
#define MSR_SELF_IPI	    0x83f
#define CPUID_LEAF_TOPOLOGY 0xb

static bool read_faults(u32 msr)
{
	u64 v;
	return !rdmsr_safe(msr, &v) && trap_caught_vector == VEC_GP;
}

static bool write_faults(u32 msr, u64 value)
{
	return !wrmsr_safe(msr, value) && trap_caught_vector == VEC_GP;
}

static void check_identity(void)
{
	u64 id = rdmsr(MSR_ID), version = rdmsr(MSR_VERSION), ldr = rdmsr(MSR_LDR);
	u32 topo_id = cpuid(CPUID_LEAF_TOPOLOGY).d;
	report(id == topo_id && id == 0, "x2apic: ID MSR %llu = CPUID.0xB:EDX %u", id, topo_id);
	report(version == APIC_VERSION_EXPECTED, "x2apic: version 0x%llx", version);
	report(ldr == 0x1, "x2apic: LDR derived from the ID: cluster 0, bit 0 (0x%llx)", ldr);
	u32 mmio = *(volatile u32 *)(APIC_DEFAULT_BASE + APIC_VERSION);
	report(mmio == 0xffffffff, "x2apic: the xAPIC page reads all-ones (0x%x)", mmio);
}

static void check_faults(void)
{
	report(read_faults(MSR_EOI), "x2apic: reading EOI (0x80b) raises #GP");
	report(write_faults(MSR_EOI, 1), "x2apic: a non-zero EOI write raises #GP");
	report(write_faults(MSR_ID, 5), "x2apic: writing the ID (0x802) raises #GP");
	report(write_faults(MSR_LDR, 0), "x2apic: writing the LDR (0x80d) raises #GP");
	report(read_faults(MSR_ICR2) && write_faults(MSR_ICR2, 0),
	       "x2apic: reading and writing 0x831 raise #GP");
	report(read_faults(MSR_DFR), "x2apic: DFR (0x80e) is gone: #GP");
	report(read_faults(MSR_SELF_IPI), "x2apic: reading SELF_IPI (0x83f) raises #GP");
	report(write_faults(MSR_TPR, 0x100), "x2apic: reserved TPR bits raise #GP");
	report(write_faults(MSR_SELF_IPI, 0x100), "x2apic: reserved SELF_IPI bits raise #GP");
	u64 base = apic_base_read();
	report(write_faults(MSR_IA32_APIC_BASE, base & ~(u64)APIC_BASE_EXTD),
	       "x2apic: x2APIC -> xAPIC directly raises #GP");
	report(write_faults(MSR_IA32_APIC_BASE, base & ~(u64)APIC_BASE_EN),
	       "x2apic: EXTD without EN raises #GP");
}

static void check_ipis(void)
{
	intr_log_reset();
	wrmsr(MSR_SELF_IPI, 0x61);
	bool irr = apic_vector_bit(APIC_IRR, 0x61);
	let_interrupts_in(1);
	report(irr && intr_count == 1 && intr_log[0].vector == 0x61,
	       "x2apic: SELF_IPI 0x61 waits in IRR with IF=0, then arrives (%u interrupts)",
	       intr_count);

	intr_log_reset();
	u64 icr = (u64)apic_id() << 32 | APIC_DM_FIXED | 0x62;
	wrmsr(MSR_ICR, icr);
	u64 back = rdmsr(MSR_ICR);
	wrmsr(MSR_ICR, APIC_DEST_SELF | APIC_DM_FIXED | 0x63);
	wrmsr(MSR_ICR, 0xffffffffull << 32 | APIC_DM_FIXED | 0x64);	       /* broadcast */
	wrmsr(MSR_ICR, 1ull << 32 | APIC_DEST_LOGICAL | APIC_DM_FIXED | 0x65); /* cluster 0 bit 0 */
	wrmsr(MSR_ICR, 2ull << 32 | APIC_DEST_LOGICAL | APIC_DM_FIXED | 0x66);
	let_interrupts_in(1);
	report(back == icr, "x2apic: ICR reads back the 64-bit value (0x%llx)", back);
	report(intr_count_of(0x62) == 1 && intr_count_of(0x63) == 1 && intr_count_of(0x64) == 1,
	       "x2apic: ICR to the own ID, SELF shorthand and broadcast arrive");
	report(intr_count_of(0x65) == 1 && intr_count_of(0x66) == 0,
	       "x2apic: logical: member bit 0 reaches it, bit 1 does not (%u, %u)",
	       intr_count_of(0x65), intr_count_of(0x66));

	wrmsr(MSR_TPR, 0x44);
	u64 tpr = rdmsr(MSR_TPR), ppr = rdmsr(MSR_PPR);
	wrmsr(MSR_TPR, 0);
	report(tpr == 0x44 && ppr == 0x44, "x2apic: TPR 0x%llx, PPR 0x%llx", tpr, ppr);
}

static void check_timer(void)
{
	intr_log_reset();
	u32 count = apic_timer_hz() / 500; /* 2 ms */
	apic_write(APIC_TIMER_DCR, APIC_DCR_DIV1);
	apic_write(APIC_LVT_TIMER, APIC_TIMER_ONESHOT | TIMER_VECTOR);
	u64 t0 = rdtsc();
	apic_write(APIC_TIMER_ICR, count);
	u32 ccr = apic_read(APIC_TIMER_CCR);
	let_interrupts_in(6);
	u64 took = intr_count ? intr_log[0].tsc - t0 : 0;
	report(ccr > 0 && ccr <= count && intr_count == 1 &&
		   within_20_percent(took, tsc_for_ticks(count)),
	       "x2apic: one-shot timer through the MSRs (count %u, %u interrupts after %llu TSC "
	       "ticks)",
	       ccr, intr_count, took);
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | TIMER_VECTOR);
}

void test_x2apic(void)
{
	bool on = apic_enter_x2apic();
	u64 base = apic_base_read();
	report(on && (base & APIC_BASE_EXTD),
	       "x2apic: xAPIC -> x2APIC through IA32_APIC_BASE (0x%llx)", base);
	if (!on)
		return;
	apic_x2apic = true;
	check_identity();
	check_faults();
	check_ipis();
	check_timer();

	bool off = apic_leave_x2apic();
	apic_x2apic = false;
	base = apic_base_read();
	u32 version = apic_read(APIC_VERSION), svr = apic_read(APIC_SVR);
	report(off && !(base & APIC_BASE_EXTD) && version == APIC_VERSION_EXPECTED && svr == 0xff,
	       "x2apic: back to xAPIC through disabled: page readable, APIC reset (SVR 0x%x)", svr);
}
