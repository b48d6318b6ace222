/* xAPIC registers at the default base: ID, version, TPR/PPR, LDR/DFR write masks, SVR
 * software disable masking the LVTs, and the ESR latch after an illegal vector. */
#include "guests/apic-test/tests.h"
#include "guests/lib/apic.h"
#include "guests/lib/report.h"
#include "guests/lib/x86.h"

#define LVT_COUNT 6 /* timer, thermal, PMC, LINT0, LINT1, error */

static void check_identity(void)
{
	u32 id = apic_read(APIC_ID), cpuid_id = cpuid(1).b >> 24;
	report(id == 0 && cpuid_id == 0, "xapic: ID register 0x%08x, CPUID.1 APIC ID %u (BSP: 0)",
	       id, cpuid_id);
	u32 version = apic_read(APIC_VERSION);
	report(version == APIC_VERSION_EXPECTED, "xapic: version 0x%08x (want 0x%08x)", version,
	       APIC_VERSION_EXPECTED);
	u64 base = apic_base_read();
	report((base & ~0xfffull) == APIC_DEFAULT_BASE &&
		   (base & (APIC_BASE_EN | APIC_BASE_BSP | APIC_BASE_EXTD)) ==
		       (APIC_BASE_EN | APIC_BASE_BSP),
	       "xapic: IA32_APIC_BASE 0x%llx: default base, enabled, BSP, not x2APIC", base);
	u32 svr = apic_read(APIC_SVR), lint0 = apic_read(APIC_LVT_LINT0);
	u32 lint1 = apic_read(APIC_LVT_LINT1);
	report((svr & APIC_SVR_ENABLE) && lint0 == APIC_LVT_DM_EXTINT && lint1 == APIC_LVT_DM_NMI,
	       "xapic: BIOS state: SVR 0x%x enabled, LINT0 0x%x ExtINT, LINT1 0x%x NMI", svr, lint0,
	       lint1);
}

static void check_tpr_ppr(void)
{
	apic_write(APIC_TPR, 0x1ff);
	u32 tpr = apic_read(APIC_TPR);
	apic_write(APIC_TPR, 0x37);
	u32 tpr2 = apic_read(APIC_TPR), ppr = apic_read(APIC_PPR);
	apic_write(APIC_TPR, 0);
	u32 ppr0 = apic_read(APIC_PPR);
	report(tpr == 0xff && tpr2 == 0x37,
	       "xapic: TPR keeps bits 7:0 (0x1ff -> 0x%x, 0x37 -> 0x%x)", tpr, tpr2);
	report(ppr == 0x37 && ppr0 == 0,
	       "xapic: PPR follows TPR with nothing in service (0x%x, then 0x%x)", ppr, ppr0);
}

static void check_logical_registers(void)
{
	u32 ldr0 = apic_read(APIC_LDR), dfr0 = apic_read(APIC_DFR);
	apic_write(APIC_LDR, 0xffffffff);
	u32 ldr = apic_read(APIC_LDR);
	apic_write(APIC_DFR, 0);
	u32 cluster = apic_read(APIC_DFR);
	apic_write(APIC_DFR, 0xffffffff);
	u32 flat = apic_read(APIC_DFR);
	apic_write(APIC_LDR, ldr0);
	report(ldr0 == 0 && dfr0 == 0xffffffff, "xapic: LDR 0x%x and DFR 0x%x at reset", ldr0,
	       dfr0);
	report(ldr == 0xff000000, "xapic: LDR keeps bits 31:24 (0x%08x)", ldr);
	report(cluster == 0x0fffffff && flat == 0xffffffff,
	       "xapic: DFR model bits only, 27:0 read 1 (0x%08x, 0x%08x)", cluster, flat);
}

static void check_software_disable(void)
{
	u32 svr = apic_read(APIC_SVR);
	apic_write(APIC_LVT_LINT0, APIC_LVT_MASKED); /* the 8259 stays out of these tests */
	apic_write(APIC_LVT_ERROR, ERROR_VECTOR);
	apic_write(APIC_SVR, SPURIOUS_VECTOR);
	bool all_masked = true;
	for (u32 i = 0; i < LVT_COUNT; i++)
		all_masked &= (apic_read(APIC_LVT_TIMER + i * 0x10) & APIC_LVT_MASKED) != 0;
	apic_write(APIC_LVT_TIMER, TIMER_VECTOR);
	u32 timer = apic_read(APIC_LVT_TIMER);
	report(all_masked, "xapic: software disable (SVR 0x%x) masks every LVT",
	       apic_read(APIC_SVR));
	report(timer == (APIC_LVT_MASKED | TIMER_VECTOR),
	       "xapic: an LVT written unmasked while disabled reads masked (0x%x)", timer);

	intr_log_reset();
	self_ipi(0x40);
	let_interrupts_in(1);
	report(intr_count == 0 && !apic_vector_bit(APIC_IRR, 0x40),
	       "xapic: a software-disabled APIC drops a fixed IPI (%u interrupts, first 0x%x)",
	       intr_count, intr_log[0].vector);

	apic_write(APIC_SVR, svr | APIC_SVR_ENABLE);
	u32 error = apic_read(APIC_LVT_ERROR);
	report(error & APIC_LVT_MASKED,
	       "xapic: LVTs stay masked when the APIC is enabled again (error LVT 0x%x)", error);
	apic_write(APIC_LVT_ERROR, ERROR_VECTOR);
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | TIMER_VECTOR);
}

/* ESR: errors collect in a hidden register and become visible at the next ESR write. */
static void check_esr(void)
{
	apic_write(APIC_ESR, 0);
	apic_write(APIC_ESR, 0);
	u32 before = apic_read(APIC_ESR);
	intr_log_reset();
	apic_icr_write(APIC_DM_FIXED | 5, apic_id());
	u32 unlatched = apic_read(APIC_ESR);
	apic_write(APIC_ESR, 0);
	u32 latched = apic_read(APIC_ESR);
	apic_write(APIC_ESR, 0);
	u32 cleared = apic_read(APIC_ESR);
	report(before == 0 && unlatched == 0,
	       "esr: reads 0 before the write that latches it (0x%x, 0x%x)", before, unlatched);
	report(latched & APIC_ESR_SEND_ILLEGAL_VECTOR,
	       "esr: send illegal vector after an IPI with vector 5 (0x%x)", latched);
	report(cleared == 0, "esr: the next write clears it (0x%x)", cleared);

	let_interrupts_in(1);
	report(intr_count_of(ERROR_VECTOR) == 1 && intr_count_of(5) == 0,
	       "esr: one error interrupt (vector 0x%x), vector 5 not delivered (%u interrupts)",
	       ERROR_VECTOR, intr_count);
	apic_write(APIC_ESR, 0);
}

void test_xapic_registers(void)
{
	check_identity();
	check_tpr_ppr();
	check_logical_registers();
	check_software_disable();
	check_esr();
}
