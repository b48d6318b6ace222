#include "tests/unit/lapic_fixture.h"

/* --- power-on, INIT, virtual wire --- */

TEST(power_on_state)
{
	setup_id(3, false);
	CHECK_EQ(lapic_base_read(&apic), LAPIC_DEFAULT_BASE | APIC_BASE_EN);
	CHECK_EQ(lapic_mode(&apic), LAPIC_MODE_XAPIC);
	CHECK_EQ(rd(LAPIC_ID), 0x03000000);
	CHECK_EQ(rd(LAPIC_VERSION), LAPIC_VERSION_VALUE);
	CHECK_EQ(rd(LAPIC_DFR), 0xffffffff);
	CHECK_EQ(rd(LAPIC_SVR), 0xff);
	CHECK_EQ(rd(LAPIC_LDR), 0);
	CHECK_EQ(rd(LAPIC_TPR), 0);
	CHECK_EQ(rd(LAPIC_PPR), 0);
	CHECK_EQ(rd(LAPIC_ESR), 0);
	for (uint32_t off = LAPIC_LVT_TIMER; off <= LAPIC_LVT_ERROR; off += 0x10)
		CHECK_EQ(rd(off), APIC_LVT_MASKED);
	CHECK_EQ(rd(LAPIC_ISR + 0x70), 0);
	CHECK_EQ(page[0x40 / 4], 0);
	CHECK_EQ(lapic_timer_deadline(&apic), UINT64_MAX);
	CHECK_EQ(lapic_highest_irr(&apic), -1);
	setup_id(0, true);
	CHECK_EQ(lapic_base_read(&apic), LAPIC_DEFAULT_BASE | APIC_BASE_EN | APIC_BASE_BSP);
}

TEST(virtual_wire_enables_lint0_extint_and_lint1_nmi)
{
	setup();
	lapic_set_virtual_wire(&apic);
	CHECK_EQ(rd(LAPIC_SVR), 0x1ff);
	CHECK_EQ(rd(LAPIC_LVT_LINT0), 0x700);
	CHECK_EQ(rd(LAPIC_LVT_LINT1), 0x400);
	CHECK_EQ(rd(LAPIC_LVT_TIMER), APIC_LVT_MASKED);
	CHECK(lapic_accept(&apic, 0x30, false));
}

TEST(init_signal_resets_all_but_id_and_base)
{
	setup_id(1, false);
	wr(LAPIC_SVR, 0x1ff);
	wr(LAPIC_ID, 0x07000000);
	CHECK(lapic_base_write(&apic, 0xfed00000 | APIC_BASE_EN, now));
	wr(LAPIC_LDR, 0x01000000);
	wr(LAPIC_DFR, 0x0fffffff);
	wr(LAPIC_TPR, 0x20);
	wr(LAPIC_LVT_LINT0, 0x700);
	wr(LAPIC_TIMER_DCR, 0xb);
	wr(LAPIC_TIMER_ICR, 100);
	deliver(0x40);
	take(0x40);
	deliver(0x50);
	CHECK(!lapic_accept(&apic, 2, false));
	mode_changes = 0;
	lapic_init_signal(&apic);
	CHECK_EQ(mode_changes, 1);
	CHECK_EQ(lapic_base_read(&apic), 0xfed00000 | APIC_BASE_EN);
	CHECK_EQ(rd(LAPIC_ID), 0x07000000);
	CHECK_EQ(rd(LAPIC_VERSION), LAPIC_VERSION_VALUE);
	CHECK_EQ(rd(LAPIC_LDR), 0);
	CHECK_EQ(rd(LAPIC_DFR), 0xffffffff);
	CHECK_EQ(rd(LAPIC_SVR), 0xff);
	CHECK_EQ(rd(LAPIC_TPR), 0);
	CHECK_EQ(rd(LAPIC_PPR), 0);
	CHECK_EQ(rd(LAPIC_LVT_LINT0), APIC_LVT_MASKED);
	CHECK_EQ(rd(LAPIC_TIMER_DCR), 0);
	CHECK_EQ(rd(LAPIC_TIMER_ICR), 0);
	CHECK_EQ(lapic_timer_deadline(&apic), UINT64_MAX);
	CHECK_EQ(lapic_highest_irr(&apic), -1);
	CHECK_EQ(lapic_highest_isr(&apic), -1);
	CHECK_EQ(latched_esr(), 0);
}

TEST(init_signal_in_x2apic_mode_keeps_x2apic_id_and_ldr)
{
	setup_id(3, false);
	to_x2apic();
	CHECK(msr_wr(MSR_TPR, 0x40));
	lapic_init_signal(&apic);
	CHECK_EQ(lapic_mode(&apic), LAPIC_MODE_X2APIC);
	CHECK_EQ(msr_rd(MSR_ID), 3);
	CHECK_EQ(msr_rd(MSR_LDR), 0x8);
	CHECK_EQ(msr_rd(MSR_TPR), 0);
	CHECK_EQ(msr_rd(MSR_SVR), 0xff);
}

/* --- priority, acceptance, EOI --- */

TEST(ppr_is_tpr_when_tpr_class_is_at_least_isr_class)
{
	setup_enabled();
	deliver(0x31);
	take(0x31);
	CHECK_EQ(page[LAPIC_PPR / 4], 0x30);
	wr(LAPIC_TPR, 0x35); /* equal class: TPR */
	CHECK_EQ(rd(LAPIC_PPR), 0x35);
	CHECK_EQ(page[LAPIC_PPR / 4], 0x35);
	wr(LAPIC_TPR, 0x45);
	CHECK_EQ(rd(LAPIC_PPR), 0x45);
	wr(LAPIC_TPR, 0x25);
	CHECK_EQ(rd(LAPIC_PPR), 0x30);
	wr(LAPIC_TPR, 0);
	CHECK_EQ(rd(LAPIC_PPR), 0x30);
}

TEST(ppr_recomputed_from_page_changed_by_cpu)
{
	setup_enabled();
	page[LAPIC_TPR / 4] = 0x60; /* TPR shadow write, no exit */
	CHECK_EQ(rd(LAPIC_PPR), 0x60);
	page[(LAPIC_ISR + 0x70) / 4] = 1u << 31; /* vector 0xff put in service by the CPU */
	CHECK_EQ(rd(LAPIC_PPR), 0xf0);
	CHECK_EQ(lapic_highest_isr(&apic), 0xff);
}

TEST(nested_in_service_vectors_and_eoi_order)
{
	setup_enabled();
	deliver(0x40);
	take(0x40);
	deliver(0x80);
	take(0x80);
	CHECK_EQ(rd(LAPIC_PPR), 0x80);
	CHECK_EQ(lapic_highest_isr(&apic), 0x80);
	deliver(0x85);
	CHECK_EQ(lapic_pending_vector(&apic), -1); /* same class as in service */
	deliver(0x91);
	CHECK_EQ(lapic_pending_vector(&apic), 0x91);
	wr(LAPIC_EOI, 0);
	CHECK(!bit_in(LAPIC_ISR, 0x80));
	CHECK(bit_in(LAPIC_ISR, 0x40));
	CHECK_EQ(rd(LAPIC_PPR), 0x40);
	wr(LAPIC_EOI, 0);
	CHECK_EQ(lapic_highest_isr(&apic), -1);
	CHECK_EQ(rd(LAPIC_PPR), 0);
	CHECK_EQ(lapic_pending_vector(&apic), 0x91);
	CHECK_EQ(neoi, 0);
}

TEST(eoi_with_nothing_in_service_does_nothing)
{
	setup_enabled();
	CHECK(lapic_accept(&apic, 0x50, true));
	wr(LAPIC_EOI, 0);
	CHECK_EQ(neoi, 0);
	CHECK(bit_in(LAPIC_IRR, 0x50));
	CHECK(bit_in(LAPIC_TMR, 0x50));
}

TEST(pending_vector_needs_class_above_tpr)
{
	setup_enabled();
	deliver(0x45);
	wr(LAPIC_TPR, 0x40);
	CHECK_EQ(lapic_pending_vector(&apic), -1);
	wr(LAPIC_TPR, 0x3f);
	CHECK_EQ(lapic_pending_vector(&apic), 0x45);
	wr(LAPIC_TPR, 0x50);
	CHECK_EQ(lapic_pending_vector(&apic), -1);
	CHECK_EQ(lapic_highest_irr(&apic), 0x45);
}

TEST(eoi_broadcasts_only_level_triggered_vectors)
{
	setup_enabled();
	CHECK(lapic_accept(&apic, 0x50, true));
	CHECK(bit_in(LAPIC_TMR, 0x50));
	take(0x50);
	wr(LAPIC_EOI, 0);
	CHECK_EQ(neoi, 1);
	CHECK_EQ(eoi_vectors[0], 0x50);
	CHECK(!bit_in(LAPIC_TMR, 0x50));
	deliver(0x60);
	take(0x60);
	wr(LAPIC_EOI, 0);
	CHECK_EQ(neoi, 1);
	CHECK_EQ(lapic_highest_isr(&apic), -1);
}

TEST(accept_sets_tmr_for_level_and_clears_it_for_edge)
{
	setup_enabled();
	CHECK(lapic_accept(&apic, 0x77, true));
	CHECK(bit_in(LAPIC_IRR, 0x77));
	CHECK(bit_in(LAPIC_TMR, 0x77));
	CHECK(lapic_accept(&apic, 0x77, false));
	CHECK(!bit_in(LAPIC_TMR, 0x77));
}

TEST(eoi_done_broadcasts_level_vector_after_virtual_eoi)
{
	setup_enabled();
	CHECK(lapic_accept(&apic, 0x70, true));
	take(0x70);
	CHECK_EQ(page[LAPIC_PPR / 4], 0x70);
	page[(LAPIC_ISR + 0x30) / 4] &= ~(1u << (0x70 % 32)); /* the CPU's EOI virtualization */
	lapic_eoi_done(&apic, 0x70);
	CHECK_EQ(neoi, 1);
	CHECK_EQ(eoi_vectors[0], 0x70);
	CHECK(!bit_in(LAPIC_TMR, 0x70));
	CHECK_EQ(page[LAPIC_PPR / 4], 0);
	deliver(0x71);
	take(0x71);
	page[(LAPIC_ISR + 0x30) / 4] = 0;
	lapic_eoi_done(&apic, 0x71);
	CHECK_EQ(neoi, 1);
}

TEST(tmr_words_and_highest_vectors)
{
	setup_enabled();
	CHECK(lapic_accept(&apic, 0x21, true));
	CHECK(lapic_accept(&apic, 0x45, true));
	CHECK(lapic_accept(&apic, 0xff, true));
	CHECK(lapic_accept(&apic, 0x30, false));
	uint64_t words[4];
	lapic_tmr_words(&apic, words);
	CHECK_EQ(words[0], 1ull << 0x21);
	CHECK_EQ(words[1], 1ull << (0x45 - 64));
	CHECK_EQ(words[2], 0);
	CHECK_EQ(words[3], 1ull << 63);
	CHECK_EQ(lapic_highest_irr(&apic), 0xff);
	CHECK_EQ(lapic_highest_isr(&apic), -1);
	take(0xff);
	CHECK_EQ(lapic_highest_isr(&apic), 0xff);
	CHECK_EQ(lapic_highest_irr(&apic), 0x45);
}

TEST(accept_dropped_while_software_or_hardware_disabled)
{
	setup();
	CHECK(!lapic_accept(&apic, 0x30, false));
	CHECK(!lapic_accept(&apic, 0x05, false)); /* dropped before the vector check */
	CHECK_EQ(lapic_highest_irr(&apic), -1);
	wr(LAPIC_SVR, 0x1ff);
	CHECK_EQ(latched_esr(), 0);
	disable();
	CHECK(!lapic_accept(&apic, 0x30, false));
	CHECK_EQ(lapic_highest_irr(&apic), -1);
}

/* --- errors --- */

TEST(received_illegal_vector_sets_esr_and_raises_error_lvt)
{
	setup_enabled();
	wr(LAPIC_LVT_ERROR, 0xfe);
	CHECK(!lapic_accept(&apic, 5, false));
	CHECK(!bit_in(LAPIC_IRR, 5));
	CHECK(bit_in(LAPIC_IRR, 0xfe));
	CHECK_EQ(rd(LAPIC_ESR), 0); /* not latched yet */
	CHECK_EQ(latched_esr(), APIC_ESR_RECV_ILLEGAL_VECTOR);
	CHECK_EQ(latched_esr(), 0);
}

TEST(error_lvt_masked_or_illegal_raises_nothing)
{
	setup_enabled();
	CHECK(!lapic_accept(&apic, 1, false));
	CHECK_EQ(lapic_highest_irr(&apic), -1);
	wr(LAPIC_LVT_ERROR, 0x05);
	CHECK(!lapic_accept(&apic, 2, false));
	CHECK_EQ(lapic_highest_irr(&apic), -1);
	CHECK_EQ(latched_esr(), APIC_ESR_RECV_ILLEGAL_VECTOR);
}

TEST(esr_write_latches_accumulated_errors)
{
	setup_enabled();
	CHECK(!lapic_accept(&apic, 1, false));
	wr(LAPIC_ICR_LO, 0x4002);
	CHECK_EQ(apic.esr_pending, 0x60);
	wr(LAPIC_ESR, 0x12345678);
	CHECK_EQ(rd(LAPIC_ESR), 0x60);
	CHECK_EQ(apic.esr_pending, 0);
	CHECK(!lapic_accept(&apic, 1, false));
	CHECK_EQ(rd(LAPIC_ESR), 0x60); /* new errors wait for the next write */
	CHECK_EQ(latched_esr(), 0x40);
}

TEST(icr_illegal_vector_is_not_sent)
{
	setup_enabled();
	wr(LAPIC_ICR_HI, 0x01000000);
	wr(LAPIC_ICR_LO, 0x4005);
	wr(LAPIC_ICR_LO, 0x410f);
	CHECK_EQ(nsent, 0);
	CHECK_EQ(latched_esr(), APIC_ESR_SEND_ILLEGAL_VECTOR);
	wr(LAPIC_ICR_LO, 0x4400); /* NMI and SIPI carry no interrupt vector */
	wr(LAPIC_ICR_LO, 0x4600);
	CHECK_EQ(nsent, 2);
	CHECK_EQ(latched_esr(), 0);
}

/* --- LVTs and software disable --- */

TEST(software_disable_masks_every_lvt_until_rewritten)
{
	setup_enabled();
	wr(LAPIC_LVT_LINT0, 0x700);
	wr(LAPIC_LVT_TIMER, 0x20);
	CHECK_EQ(rd(LAPIC_LVT_LINT0), 0x700);
	wr(LAPIC_SVR, 0xff);
	CHECK_EQ(rd(LAPIC_LVT_LINT0), 0x10700);
	CHECK_EQ(rd(LAPIC_LVT_TIMER), 0x10020);
	for (uint32_t off = LAPIC_LVT_THERMAL; off <= LAPIC_LVT_ERROR; off += 0x10)
		CHECK(rd(off) & APIC_LVT_MASKED);
	wr(LAPIC_LVT_LINT0, 0x700);
	CHECK_EQ(rd(LAPIC_LVT_LINT0), 0x10700);
	wr(LAPIC_SVR, 0x1ff);
	CHECK_EQ(rd(LAPIC_LVT_LINT0), 0x10700);
	wr(LAPIC_LVT_LINT0, 0x700);
	CHECK_EQ(rd(LAPIC_LVT_LINT0), 0x700);
}

TEST(lvt_writable_bits_per_entry)
{
	setup_enabled();
	for (uint32_t off = LAPIC_LVT_TIMER; off <= LAPIC_LVT_ERROR; off += 0x10)
		wr(off, 0xffffffff);
	CHECK_EQ(rd(LAPIC_LVT_TIMER), 0x000100ff); /* mode 3 stored as one-shot */
	CHECK_EQ(rd(LAPIC_LVT_THERMAL), 0x000107ff);
	CHECK_EQ(rd(LAPIC_LVT_PMC), 0x000107ff);
	CHECK_EQ(rd(LAPIC_LVT_LINT0), 0x0001a7ff);
	CHECK_EQ(rd(LAPIC_LVT_LINT1), 0x0001a7ff);
	CHECK_EQ(rd(LAPIC_LVT_ERROR), 0x000100ff);
	wr(LAPIC_LVT_CMCI, 0xffffffff);
	CHECK_EQ(rd(LAPIC_LVT_CMCI), 0);
	wr(LAPIC_LVT_TIMER, 0x21030); /* delivery status is read-only */
	CHECK_EQ(rd(LAPIC_LVT_TIMER), 0x20030);
}

TEST(svr_writable_bits)
{
	setup();
	wr(LAPIC_SVR, 0xfffff1ff);
	CHECK_EQ(rd(LAPIC_SVR), 0x1ff);
	wr(LAPIC_SVR, 0x20f);
	CHECK_EQ(rd(LAPIC_SVR), 0x20f);
}

TEST(accepts_extint_cases)
{
	setup();
	CHECK(!lapic_accepts_extint(&apic)); /* software-disabled at power-on */
	lapic_set_virtual_wire(&apic);
	CHECK(lapic_accepts_extint(&apic));
	wr(LAPIC_LVT_LINT0, 0x10700);
	CHECK(!lapic_accepts_extint(&apic));
	wr(LAPIC_LVT_LINT0, 0x000);
	CHECK(!lapic_accepts_extint(&apic));
	wr(LAPIC_LVT_LINT0, 0x700);
	CHECK(lapic_accepts_extint(&apic));
	wr(LAPIC_SVR, 0xff);
	CHECK(!lapic_accepts_extint(&apic));
	disable();
	CHECK(lapic_accepts_extint(&apic));
}

/* --- xAPIC registers and MMIO --- */

TEST(xapic_register_write_masks)
{
	setup_enabled();
	wr(LAPIC_ID, 0x05ffffff);
	CHECK_EQ(rd(LAPIC_ID), 0x05000000);
	wr(LAPIC_LDR, 0x12345678);
	CHECK_EQ(rd(LAPIC_LDR), 0x12000000);
	wr(LAPIC_DFR, 0x0abcdef0);
	CHECK_EQ(rd(LAPIC_DFR), 0x0fffffff);
	wr(LAPIC_DFR, 0xf0000000);
	CHECK_EQ(rd(LAPIC_DFR), 0xffffffff);
	wr(LAPIC_TPR, 0xffffff3a);
	CHECK_EQ(rd(LAPIC_TPR), 0x3a);
	wr(LAPIC_ICR_HI, 0x12345678);
	CHECK_EQ(rd(LAPIC_ICR_HI), 0x12000000);
	wr(LAPIC_TIMER_DCR, 0xfffffff4);
	CHECK_EQ(rd(LAPIC_TIMER_DCR), 0);
	wr(LAPIC_TIMER_DCR, 0xffffffff);
	CHECK_EQ(rd(LAPIC_TIMER_DCR), 0xb);
}

TEST(xapic_read_only_registers_ignore_writes)
{
	setup_enabled();
	deliver(0x40);
	wr(LAPIC_VERSION, 0);
	wr(LAPIC_PPR, 0xff);
	wr(LAPIC_APR, 0xff);
	wr(LAPIC_IRR + 0x20, 0);
	wr(LAPIC_ISR, 0xffffffff);
	wr(LAPIC_TIMER_CCR, 5);
	CHECK_EQ(rd(LAPIC_VERSION), LAPIC_VERSION_VALUE);
	CHECK_EQ(rd(LAPIC_PPR), 0);
	CHECK_EQ(rd(LAPIC_IRR + 0x20), 1);
	CHECK_EQ(rd(LAPIC_ISR), 0);
	CHECK_EQ(rd(LAPIC_TIMER_CCR), 0);
}

TEST(xapic_offsets_without_register_read_zero)
{
	setup_enabled();
	page[0x40 / 4] = 0xdeadbeef;
	page[LAPIC_EOI / 4] = 0x1234; /* as EOI virtualization may leave it */
	page[LAPIC_SELF_IPI / 4] = 0x55;
	CHECK_EQ(rd(0x00), 0);
	CHECK_EQ(rd(0x40), 0);
	CHECK_EQ(rd(LAPIC_EOI), 0);
	CHECK_EQ(rd(LAPIC_RRD), 0);
	CHECK_EQ(rd(LAPIC_LVT_CMCI), 0);
	CHECK_EQ(rd(LAPIC_SELF_IPI), 0);
	CHECK_EQ(rd(0x3a0), 0);
	CHECK_EQ(rd(0xff0), 0);
	wr(LAPIC_SELF_IPI, 0x40); /* x2APIC only */
	CHECK_EQ(nsent, 0);
}

TEST(mmio_read_widths_return_bytes_of_the_register)
{
	setup_enabled();
	wr(LAPIC_TIMER_ICR, 0x12345678);
	CHECK_EQ(lapic_mmio_read(&apic, 0x380, 1, now), 0x78);
	CHECK_EQ(lapic_mmio_read(&apic, 0x381, 1, now), 0x56);
	CHECK_EQ(lapic_mmio_read(&apic, 0x383, 1, now), 0x12);
	CHECK_EQ(lapic_mmio_read(&apic, 0x382, 2, now), 0x1234);
	CHECK_EQ(lapic_mmio_read(&apic, 0x383, 2, now), 0x12);
	CHECK_EQ(lapic_mmio_read(&apic, 0x380, 8, now), 0x12345678);
	CHECK_EQ(lapic_mmio_read(&apic, 0x384, 4, now), 0);
	CHECK_EQ(lapic_mmio_read(&apic, 0x38f, 1, now), 0);
}

/* As APIC-register virtualization does it: the bytes a write covers replace those of the
 * register, which is then written whole; bytes 4-15 of a slot take nothing. */
TEST(mmio_narrow_writes_merge_into_the_register)
{
	setup_enabled();
	lapic_mmio_write(&apic, LAPIC_TPR + 4, 4, 0x55, now);
	lapic_mmio_write(&apic, LAPIC_TPR + 8, 8, ~0ull, now);
	CHECK_EQ(rd(LAPIC_TPR), 0);
	CHECK_EQ(page[(LAPIC_TPR + 4) / 4], 0);
	lapic_mmio_write(&apic, LAPIC_TPR, 1, 0x55, now);
	CHECK_EQ(rd(LAPIC_TPR), 0x55);
	lapic_mmio_write(&apic, LAPIC_TPR + 1, 1, 0x77, now); /* bits 31:8 are reserved */
	CHECK_EQ(rd(LAPIC_TPR), 0x55);
	lapic_mmio_write(&apic, LAPIC_TIMER_ICR + 2, 2, 0x1234, now);
	CHECK_EQ(rd(LAPIC_TIMER_ICR), 0x12340000);
	lapic_mmio_write(&apic, LAPIC_TIMER_ICR + 3, 4, 0xab, now); /* only byte 3 is covered */
	CHECK_EQ(rd(LAPIC_TIMER_ICR), 0xab340000);
	lapic_mmio_write(&apic, LAPIC_SVR + 1, 1, 0, now); /* a byte can disable the APIC */
	CHECK(!lapic_sw_enabled(&apic));
	CHECK_EQ(mode_changes, 2); /* setup's SVR write, then this one */
	lapic_mmio_write(&apic, LAPIC_TPR, 8, 0xffffffff00000042ull, now);
	CHECK_EQ(rd(LAPIC_TPR), 0x42);
}

TEST(mmio_reads_all_ones_outside_xapic_mode)
{
	setup_enabled();
	disable();
	CHECK_EQ(lapic_mmio_read(&apic, LAPIC_VERSION, 4, now), 0xffffffff);
	CHECK_EQ(lapic_mmio_read(&apic, LAPIC_VERSION, 1, now), 0xff);
	CHECK_EQ(lapic_mmio_read(&apic, LAPIC_VERSION, 2, now), 0xffff);
	CHECK_EQ(lapic_mmio_read(&apic, LAPIC_VERSION, 8, now), UINT64_MAX);
	wr(LAPIC_TPR, 0x50);
	CHECK_EQ(page[LAPIC_TPR / 4], 0);
	CHECK(lapic_base_write(&apic, BASE_BSP | APIC_BASE_EN, now));
	to_x2apic();
	CHECK_EQ(rd(LAPIC_ID), 0xffffffff);
	wr(LAPIC_TPR, 0x50);
	CHECK_EQ(msr_rd(MSR_TPR), 0);
}

TEST(apr_follows_the_sdm_formula)
{
	setup_enabled();
	deliver(0x31);
	wr(LAPIC_TPR, 0x20);
	CHECK_EQ(rd(LAPIC_APR), 0x30); /* IRR class above TPR */
	wr(LAPIC_TPR, 0x45);
	CHECK_EQ(rd(LAPIC_APR), 0x45);
	wr(LAPIC_TPR, 0);
	take(0x31);
	deliver(0x51);
	take(0x51);
	deliver(0x31);
	wr(LAPIC_TPR, 0x45); /* ISR class 5 above TPR 4: max(4 & 5, 3) */
	CHECK_EQ(rd(LAPIC_APR), 0x40);
	wr(LAPIC_TPR, 0x65);
	CHECK_EQ(rd(LAPIC_APR), 0x65);
	wr(LAPIC_TPR, 0x25); /* max(2 & 5, 3) */
	CHECK_EQ(rd(LAPIC_APR), 0x30);
}

TEST(cr8_is_the_tpr_priority_class)
{
	setup_enabled();
	lapic_cr8_write(&apic, 7);
	CHECK_EQ(rd(LAPIC_TPR), 0x70);
	CHECK_EQ(page[LAPIC_PPR / 4], 0x70);
	wr(LAPIC_TPR, 0x5c);
	CHECK_EQ(lapic_cr8_read(&apic), 5);
	lapic_cr8_write(&apic, 0xf);
	CHECK_EQ(rd(LAPIC_TPR), 0xf0);
	disable(); /* CR8 is a CPU register: it works without the APIC */
	lapic_cr8_write(&apic, 3);
	CHECK_EQ(lapic_cr8_read(&apic), 3);
}

/* --- ICR --- */

TEST(icr_fixed_physical_decode)
{
	setup_id(2, false);
	wr(LAPIC_SVR, 0x1ff);
	wr(LAPIC_ICR_HI, 0x03000000);
	wr(LAPIC_ICR_LO, 0x00004031);
	CHECK_EQ(nsent, 1);
	CHECK_EQ(sent[0].dest, 3);
	CHECK_EQ(sent[0].vector, 0x31);
	CHECK_EQ(sent[0].delivery, APIC_DM_FIXED);
	CHECK(!sent[0].logical);
	CHECK(!sent[0].level);
	CHECK(sent[0].assert);
	CHECK_EQ(sent[0].shorthand, APIC_SH_NONE);
	CHECK(!sent[0].x2apic_dest);
	CHECK_EQ(sent[0].source, 2);
	CHECK_EQ(rd(LAPIC_ICR_LO), 0x4031);
	wr(LAPIC_ICR_LO, 0xfff35031); /* delivery status and reserved bits read 0 */
	CHECK_EQ(rd(LAPIC_ICR_LO), 0x4031);
	CHECK_EQ(nsent, 2);
	CHECK_EQ(sent[1].vector, 0x31);
	CHECK_EQ(sent[1].shorthand, APIC_SH_NONE);
	wr(LAPIC_ICR_LO, 0x00000831);
	CHECK(sent[2].logical);
	CHECK_EQ(sent[2].dest, 3);
}

struct icr_case {
	uint32_t icr;
	bool sent;
	uint8_t delivery, vector, shorthand;
	bool level, assert;
};

static void check_icr_cases(const struct icr_case *c, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		setup_enabled();
		wr(LAPIC_ICR_HI, 0x01000000);
		wr(LAPIC_ICR_LO, c[i].icr);
		CHECK_EQ(nsent, c[i].sent);
		if (!nsent || !c[i].sent)
			continue;
		CHECK_EQ(sent[0].delivery, c[i].delivery);
		CHECK_EQ(sent[0].vector, c[i].vector);
		CHECK_EQ(sent[0].shorthand, c[i].shorthand);
		CHECK_EQ(sent[0].level, c[i].level);
		CHECK_EQ(sent[0].assert, c[i].assert);
		CHECK_EQ(sent[0].dest, 1);
	}
}

TEST(icr_decode_of_each_delivery_mode)
{
	static const struct icr_case cases[] = {
	    {0x00004131, true, APIC_DM_LOWEST, 0x31, APIC_SH_NONE, false, true},
	    {0x00004200, true, APIC_DM_SMI, 0x00, APIC_SH_NONE, false, true},
	    {0x00004400, true, APIC_DM_NMI, 0x00, APIC_SH_NONE, false, true},
	    {0x0000c500, true, APIC_DM_INIT, 0x00, APIC_SH_NONE, true, true},
	    {0x00008500, true, APIC_DM_INIT, 0x00, APIC_SH_NONE, true, false}, /* de-assert */
	    {0x00004500, true, APIC_DM_INIT, 0x00, APIC_SH_NONE, false, true},
	    {0x00000500, true, APIC_DM_INIT, 0x00, APIC_SH_NONE, false, true}, /* edge INIT */
	    {0x00004608, true, APIC_DM_STARTUP, 0x08, APIC_SH_NONE, false, true},
	    {0x0000c031, true, APIC_DM_FIXED, 0x31, APIC_SH_NONE, true, true},
	    {.icr = 0x00004331}, /* delivery mode 3: reserved */
	    {.icr = 0x00004731}, /* ExtINT: reserved in the ICR */
	};
	check_icr_cases(cases, sizeof cases / sizeof cases[0]);
}

TEST(icr_destination_shorthands)
{
	static const struct icr_case cases[] = {
	    {0x00044031, true, APIC_DM_FIXED, 0x31, APIC_SH_SELF, false, true},
	    {0x00084031, true, APIC_DM_FIXED, 0x31, APIC_SH_ALL, false, true},
	    {0x000c4031, true, APIC_DM_FIXED, 0x31, APIC_SH_ALL_BUT_SELF, false, true},
	    {.icr = 0x00044131}, /* lowest priority to self */
	    {.icr = 0x00084131}, /* lowest priority to all */
	    {0x000c4131, true, APIC_DM_LOWEST, 0x31, APIC_SH_ALL_BUT_SELF, false, true},
	    {.icr = 0x00044400}, /* NMI to self */
	    {.icr = 0x00044500}, /* INIT to self */
	    {0x00084400, true, APIC_DM_NMI, 0x00, APIC_SH_ALL, false, true},
	    {0x000cc500, true, APIC_DM_INIT, 0x00, APIC_SH_ALL_BUT_SELF, true, true},
	    {0x000c4699, true, APIC_DM_STARTUP, 0x99, APIC_SH_ALL_BUT_SELF, false, true},
	};
	check_icr_cases(cases, sizeof cases / sizeof cases[0]);
}

TEST(software_disabled_apic_still_sends)
{
	setup();
	wr(LAPIC_ICR_LO, 0x000cc500);
	CHECK_EQ(nsent, 1);
}

TEST(null_ops_are_allowed)
{
	lapic_init(&apic, 0, true, page, PHYS_BITS, CLOCK_SHIFT, TSC_HZ, NULL, NULL);
	wr(LAPIC_SVR, 0x1ff);
	CHECK(lapic_accept(&apic, 0x50, true));
	take(0x50);
	wr(LAPIC_EOI, 0);
	wr(LAPIC_ICR_LO, 0x4031);
	CHECK(lapic_base_write(&apic, BASE_BSP, now));
	lapic_init_signal(&apic);
	CHECK_EQ(lapic_highest_isr(&apic), -1);
}

CHECK_MAIN(
    "lapic", CASE(power_on_state), CASE(virtual_wire_enables_lint0_extint_and_lint1_nmi),
    CASE(init_signal_resets_all_but_id_and_base),
    CASE(init_signal_in_x2apic_mode_keeps_x2apic_id_and_ldr),
    CASE(ppr_is_tpr_when_tpr_class_is_at_least_isr_class),
    CASE(ppr_recomputed_from_page_changed_by_cpu), CASE(nested_in_service_vectors_and_eoi_order),
    CASE(eoi_with_nothing_in_service_does_nothing), CASE(pending_vector_needs_class_above_tpr),
    CASE(eoi_broadcasts_only_level_triggered_vectors),
    CASE(accept_sets_tmr_for_level_and_clears_it_for_edge),
    CASE(eoi_done_broadcasts_level_vector_after_virtual_eoi), CASE(tmr_words_and_highest_vectors),
    CASE(accept_dropped_while_software_or_hardware_disabled),
    CASE(received_illegal_vector_sets_esr_and_raises_error_lvt),
    CASE(error_lvt_masked_or_illegal_raises_nothing), CASE(esr_write_latches_accumulated_errors),
    CASE(icr_illegal_vector_is_not_sent), CASE(software_disable_masks_every_lvt_until_rewritten),
    CASE(lvt_writable_bits_per_entry), CASE(svr_writable_bits), CASE(accepts_extint_cases),
    CASE(xapic_register_write_masks), CASE(xapic_read_only_registers_ignore_writes),
    CASE(xapic_offsets_without_register_read_zero),
    CASE(mmio_read_widths_return_bytes_of_the_register),
    CASE(mmio_narrow_writes_merge_into_the_register),
    CASE(mmio_reads_all_ones_outside_xapic_mode), CASE(apr_follows_the_sdm_formula),
    CASE(cr8_is_the_tpr_priority_class), CASE(icr_fixed_physical_decode),
    CASE(icr_decode_of_each_delivery_mode), CASE(icr_destination_shorthands),
    CASE(software_disabled_apic_still_sends), CASE(null_ops_are_allowed))
