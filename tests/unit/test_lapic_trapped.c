#include "tests/unit/lapic_fixture.h"

/* --- trapped writes (VMX APIC-write exits) --- */

TEST(trapped_id_ldr_dfr_icr_hi_restore_read_only_bits)
{
	setup_enabled();
	trap(LAPIC_ID, 0x0affffff);
	CHECK_EQ(page[LAPIC_ID / 4], 0x0a000000);
	trap(LAPIC_LDR, 0x12345678);
	CHECK_EQ(page[LAPIC_LDR / 4], 0x12000000);
	trap(LAPIC_DFR, 0);
	CHECK_EQ(page[LAPIC_DFR / 4], 0x0fffffff);
	trap(LAPIC_ICR_HI, 0x03ffffff);
	CHECK_EQ(page[LAPIC_ICR_HI / 4], 0x03000000);
}

TEST(trapped_tpr_updates_ppr)
{
	setup_enabled();
	trap(LAPIC_TPR, 0xffffff45);
	CHECK_EQ(page[LAPIC_TPR / 4], 0x45);
	CHECK_EQ(page[LAPIC_PPR / 4], 0x45);
}

TEST(trapped_eoi_ends_the_interrupt_and_reads_zero)
{
	setup_enabled();
	CHECK(lapic_accept(&apic, 0x50, true));
	take(0x50);
	trap(LAPIC_EOI, 0x1234);
	CHECK_EQ(lapic_highest_isr(&apic), -1);
	CHECK_EQ(page[LAPIC_EOI / 4], 0);
	CHECK_EQ(neoi, 1);
	CHECK_EQ(eoi_vectors[0], 0x50);
}

TEST(trapped_svr_and_lvts)
{
	setup_enabled();
	wr(LAPIC_LVT_LINT0, 0x700);
	trap(LAPIC_LVT_LINT1, 0xffffffff);
	CHECK_EQ(page[LAPIC_LVT_LINT1 / 4], 0x1a7ff);
	trap(LAPIC_SVR, 0xfffff0ff);
	CHECK_EQ(page[LAPIC_SVR / 4], 0xff);
	CHECK_EQ(page[LAPIC_LVT_LINT0 / 4], 0x10700);
	trap(LAPIC_LVT_LINT0, 0x700);
	CHECK_EQ(page[LAPIC_LVT_LINT0 / 4], 0x10700);
}

/* A byte the CPU merged into SVR at offset 0xf1: the register is applied whole. */
TEST(trapped_narrow_write_applies_its_register)
{
	setup_enabled();
	wr(LAPIC_LVT_LINT0, 0x700);
	page[LAPIC_SVR / 4] = 0x0ff;
	lapic_write_trapped(&apic, LAPIC_SVR + 1, now);
	CHECK(!lapic_sw_enabled(&apic));
	CHECK_EQ(page[LAPIC_LVT_LINT0 / 4], 0x10700);
}

TEST(trapped_esr_reads_back_latched_errors)
{
	setup_enabled();
	CHECK(!lapic_accept(&apic, 3, false));
	trap(LAPIC_ESR, 0xdead);
	CHECK_EQ(page[LAPIC_ESR / 4], APIC_ESR_RECV_ILLEGAL_VECTOR);
	CHECK_EQ(apic.esr_pending, 0);
	trap(LAPIC_ESR, 0xffffffff);
	CHECK_EQ(page[LAPIC_ESR / 4], 0);
}

TEST(trapped_icr_lo_sends)
{
	setup_enabled();
	wr(LAPIC_ICR_HI, 0x02000000);
	trap(LAPIC_ICR_LO, 0x00005031);
	CHECK_EQ(nsent, 1);
	CHECK_EQ(sent[0].dest, 2);
	CHECK_EQ(sent[0].vector, 0x31);
	CHECK_EQ(page[LAPIC_ICR_LO / 4], 0x4031);
}

TEST(trapped_timer_registers)
{
	setup_enabled();
	trap(LAPIC_LVT_TIMER, 0x30);
	trap(LAPIC_TIMER_ICR, 100);
	CHECK_EQ(lapic_timer_deadline(&apic), 100 * TICK);
	trap(LAPIC_LVT_TIMER, 0x20030); /* one-shot -> periodic: keeps counting */
	CHECK_EQ(lapic_timer_deadline(&apic), 100 * TICK);
	trap(LAPIC_LVT_TIMER, 0x40030); /* the old mode comes from the model, not the page */
	CHECK_EQ(lapic_timer_deadline(&apic), UINT64_MAX);
	CHECK_EQ(page[LAPIC_TIMER_ICR / 4], 0);
	trap(LAPIC_TIMER_ICR, 100); /* ignored in TSC-deadline mode */
	CHECK_EQ(page[LAPIC_TIMER_ICR / 4], 0);
	CHECK_EQ(lapic_timer_deadline(&apic), UINT64_MAX);
	trap(LAPIC_LVT_TIMER, 0x30);
	trap(LAPIC_TIMER_DCR, 0xfffffff1);
	CHECK_EQ(page[LAPIC_TIMER_DCR / 4], 0x1);
	trap(LAPIC_TIMER_ICR, 10);
	CHECK_EQ(lapic_timer_deadline(&apic), 10 * 4 << CLOCK_SHIFT);
}

TEST(trapped_x2apic_self_ipi)
{
	setup_enabled();
	to_x2apic();
	trap(LAPIC_SELF_IPI, 0x05);
	CHECK_EQ(nsent, 0);
	CHECK(msr_wr(MSR_ESR, 0));
	CHECK_EQ(msr_rd(MSR_ESR), APIC_ESR_SEND_ILLEGAL_VECTOR);
	trap(LAPIC_SELF_IPI, 0x40);
	CHECK_EQ(nsent, 1);
	CHECK_EQ(sent[0].vector, 0x40);
	CHECK_EQ(sent[0].shorthand, APIC_SH_SELF);
}

TEST(trapped_x2apic_icr_uses_the_64bit_page_layout)
{
	setup_enabled();
	to_x2apic();
	page[0x304 / 4] = 5;
	trap(LAPIC_ICR_LO, 0x4031);
	CHECK_EQ(nsent, 1);
	CHECK_EQ(sent[0].dest, 5);
	CHECK(sent[0].x2apic_dest);
	CHECK_EQ(msr_rd(MSR_ICR), 5ull << 32 | 0x4031);
}

CHECK_MAIN("lapic_trapped", CASE(trapped_id_ldr_dfr_icr_hi_restore_read_only_bits),
	   CASE(trapped_tpr_updates_ppr), CASE(trapped_eoi_ends_the_interrupt_and_reads_zero),
	   CASE(trapped_svr_and_lvts), CASE(trapped_narrow_write_applies_its_register),
	   CASE(trapped_esr_reads_back_latched_errors),
	   CASE(trapped_icr_lo_sends), CASE(trapped_timer_registers), CASE(trapped_x2apic_self_ipi),
	   CASE(trapped_x2apic_icr_uses_the_64bit_page_layout))
