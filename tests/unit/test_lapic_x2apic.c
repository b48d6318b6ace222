#include "tests/unit/lapic_fixture.h"

/* --- x2APIC --- */

TEST(x2apic_icr_is_one_64bit_msr)
{
	setup_id(1, false);
	wr(LAPIC_SVR, 0x1ff);
	to_x2apic();
	CHECK(msr_wr(MSR_ICR, 7ull << 32 | 0x4031));
	CHECK_EQ(nsent, 1);
	CHECK_EQ(sent[0].dest, 7);
	CHECK(sent[0].x2apic_dest);
	CHECK_EQ(sent[0].source, 1);
	CHECK_EQ(sent[0].vector, 0x31);
	CHECK_EQ(msr_rd(MSR_ICR), 7ull << 32 | 0x4031);
	CHECK_EQ(page[0x304 / 4], 7);
	CHECK(msr_wr(MSR_ICR, 0x12345678ull << 32 | 0x0831));
	CHECK_EQ(sent[1].dest, 0x12345678);
	CHECK(sent[1].logical);
	static const uint32_t reserved[] = {1u << 12, 1u << 13, 1u << 16,
					    1u << 17, 1u << 20, 1u << 31};
	for (unsigned i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
		CHECK(!msr_wr(MSR_ICR, 0x4031 | reserved[i]));
	CHECK_EQ(nsent, 2);
	CHECK_EQ(msr_rd(MSR_ICR), 0x12345678ull << 32 | 0x0831);
	CHECK(msr_read_gp(0x831));
	CHECK(!msr_wr(0x831, 0));
}

TEST(x2apic_self_ipi_msr)
{
	setup_id(2, false);
	wr(LAPIC_SVR, 0x1ff);
	to_x2apic();
	CHECK(msr_wr(MSR_SELF_IPI, 0x45));
	CHECK_EQ(nsent, 1);
	CHECK_EQ(sent[0].vector, 0x45);
	CHECK_EQ(sent[0].delivery, APIC_DM_FIXED);
	CHECK_EQ(sent[0].shorthand, APIC_SH_SELF);
	CHECK(!sent[0].level);
	CHECK(sent[0].assert);
	CHECK_EQ(sent[0].source, 2);
	CHECK(msr_read_gp(MSR_SELF_IPI));
	CHECK(!msr_wr(MSR_SELF_IPI, 0x145));
	CHECK(!msr_wr(MSR_SELF_IPI, 1ull << 32 | 0x45));
	CHECK(msr_wr(MSR_SELF_IPI, 0x05));
	CHECK_EQ(nsent, 1);
	CHECK(msr_wr(MSR_ESR, 0));
	CHECK_EQ(msr_rd(MSR_ESR), APIC_ESR_SEND_ILLEGAL_VECTOR);
}

TEST(x2apic_msrs_gp_outside_x2apic_mode)
{
	setup_enabled();
	CHECK(msr_read_gp(MSR_TPR));
	CHECK(!msr_wr(MSR_TPR, 0));
	CHECK(!msr_wr(MSR_ICR, 0x4031));
	CHECK(!msr_wr(MSR_SELF_IPI, 0x40));
	CHECK_EQ(nsent, 0);
	disable();
	CHECK(msr_read_gp(MSR_VERSION));
	CHECK(!msr_wr(MSR_EOI, 0));
	CHECK(lapic_base_write(&apic, BASE_BSP | APIC_BASE_EN, now));
	to_x2apic();
	CHECK(msr_read_gp(0x7ff));
	CHECK(msr_read_gp(0x900));
	CHECK_EQ(msr_rd(MSR_VERSION), LAPIC_VERSION_VALUE);
}

TEST(x2apic_reads_of_write_only_registers_gp)
{
	setup_enabled();
	to_x2apic();
	CHECK(msr_read_gp(MSR_EOI));
	CHECK(msr_read_gp(MSR_SELF_IPI));
	CHECK(msr_wr(MSR_EOI, 0));
}

TEST(x2apic_writes_to_read_only_registers_gp)
{
	setup_id(4, false);
	wr(LAPIC_SVR, 0x1ff);
	to_x2apic();
	static const uint32_t ro[] = {MSR_ID, MSR_VERSION, MSR_PPR, MSR_LDR, 0x810,    0x817,
				      0x818,  0x81f,	   0x820,   0x827,   MSR_TMCCT};
	for (unsigned i = 0; i < sizeof ro / sizeof ro[0]; i++) {
		CHECK(!msr_wr(ro[i], 0));
		CHECK(!msr_read_gp(ro[i]));
	}
	CHECK_EQ(msr_rd(MSR_ID), 4);
	CHECK_EQ(msr_rd(MSR_LDR), 0x10);
}

TEST(x2apic_missing_registers_gp)
{
	setup_enabled();
	to_x2apic();
	static const uint32_t missing[] = {0x800, 0x801, 0x804, 0x805, 0x806, 0x807, 0x809,
					   0x80c, 0x80e, 0x829, 0x82e, 0x82f, 0x831, 0x83a,
					   0x83b, 0x83c, 0x83d, 0x840, 0x8ff};
	for (unsigned i = 0; i < sizeof missing / sizeof missing[0]; i++) {
		CHECK(msr_read_gp(missing[i]));
		CHECK(!msr_wr(missing[i], 0));
	}
}

TEST(x2apic_reserved_bits_gp)
{
	setup_enabled();
	to_x2apic();
	CHECK(msr_wr(MSR_TPR, 0x3a));
	CHECK(!msr_wr(MSR_TPR, 0x13a));
	CHECK(!msr_wr(MSR_TPR, 1ull << 32));
	CHECK_EQ(msr_rd(MSR_TPR), 0x3a);
	CHECK(!msr_wr(MSR_EOI, 1));
	CHECK(!msr_wr(MSR_ESR, 1));
	CHECK(msr_wr(MSR_ESR, 0));
	CHECK(!msr_wr(MSR_SVR, 0x5ff));
	CHECK(!msr_wr(MSR_SVR, 0x11ff));
	CHECK(!msr_wr(MSR_SVR, 1ull << 32 | 0x1ff));
	CHECK(msr_wr(MSR_SVR, 0x3ff));
	CHECK_EQ(msr_rd(MSR_SVR), 0x3ff);
	CHECK(!msr_wr(MSR_LVTT, 0x130));   /* no delivery mode in the timer LVT */
	CHECK(!msr_wr(MSR_LVTT, 0x80030)); /* bit 19 */
	CHECK(msr_wr(MSR_LVTT, 0x21030));  /* delivery status is read-only, not reserved */
	CHECK_EQ(msr_rd(MSR_LVTT), 0x20030);
	CHECK(!msr_wr(MSR_LINT0, 0x20700));
	CHECK(msr_wr(MSR_LINT0, 0x4700)); /* remote IRR: read-only */
	CHECK_EQ(msr_rd(MSR_LINT0), 0x700);
	CHECK(!msr_wr(MSR_LVT_THERM, 0x2000)); /* polarity exists on LINT0/1 only */
	CHECK(!msr_wr(MSR_LVT_ERR, 0x4fe));    /* error LVT: fixed only */
	CHECK(msr_wr(MSR_LVT_ERR, 0xfe));
	CHECK(!msr_wr(MSR_DCR, 0x4));
	CHECK(!msr_wr(MSR_DCR, 0x10));
	CHECK(msr_wr(MSR_DCR, 0xb));
	CHECK_EQ(msr_rd(MSR_DCR), 0xb);
	CHECK(!msr_wr(MSR_TMICT, 1ull << 32));
	CHECK_EQ(msr_rd(MSR_TMICT), 0);
	CHECK(msr_wr(MSR_TMICT, 0xffffffff));
	CHECK_EQ(msr_rd(MSR_TMICT), 0xffffffff);
}

TEST(x2apic_id_and_ldr_come_from_the_initial_id)
{
	setup_id(5, false);
	wr(LAPIC_ID, 0x0a000000);
	to_x2apic();
	CHECK_EQ(msr_rd(MSR_ID), 5);
	CHECK_EQ(msr_rd(MSR_LDR), 0x20);
	setup_id(19, false);
	to_x2apic();
	CHECK_EQ(msr_rd(MSR_ID), 19);
	CHECK_EQ(msr_rd(MSR_LDR), 1u << 16 | 1u << 3);
}

TEST(x2apic_vector_registers_and_priority)
{
	setup_enabled();
	to_x2apic();
	CHECK(lapic_accept(&apic, 0x45, true));
	CHECK_EQ(msr_rd(MSR_IRR2), 1u << 5);
	CHECK_EQ(msr_rd(MSR_TMR2), 1u << 5);
	take(0x45);
	CHECK_EQ(msr_rd(MSR_IRR2), 0);
	CHECK_EQ(msr_rd(0x812), 1u << 5);
	CHECK_EQ(msr_rd(MSR_ISR1), 0);
	CHECK_EQ(msr_rd(MSR_PPR), 0x40);
	CHECK(msr_wr(MSR_EOI, 0));
	CHECK_EQ(neoi, 1);
	CHECK_EQ(msr_rd(MSR_PPR), 0);
}

/* --- IA32_APIC_BASE --- */

struct base_case {
	uint64_t from, to;
	bool ok;
};

TEST(apic_base_mode_transitions)
{
	const uint64_t xapic = BASE_BSP | APIC_BASE_EN;
	const uint64_t x2apic = BASE_BSP | APIC_BASE_EN | APIC_BASE_EXTD;
	const uint64_t off = BASE_BSP;
	const uint64_t extd_only = BASE_BSP | APIC_BASE_EXTD;
	const struct base_case cases[] = {
	    {xapic, x2apic, true},     {xapic, off, true},	{xapic, xapic, true},
	    {xapic, extd_only, false}, {x2apic, xapic, false},	{x2apic, off, true},
	    {x2apic, x2apic, true},    {off, x2apic, false},	{off, xapic, true},
	    {off, off, true},	       {off, extd_only, false}, {x2apic, extd_only, false},
	};
	for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		setup();
		if (cases[i].from == x2apic)
			to_x2apic();
		if (cases[i].from == off)
			disable();
		CHECK_EQ(lapic_base_read(&apic), cases[i].from);
		mode_changes = 0;
		CHECK_EQ(lapic_base_write(&apic, cases[i].to, now), cases[i].ok);
		CHECK_EQ(lapic_base_read(&apic), cases[i].ok ? cases[i].to : cases[i].from);
		CHECK_EQ(mode_changes, cases[i].ok && cases[i].from != cases[i].to);
	}
}

TEST(apic_base_reserved_bits_and_bsp_gp)
{
	setup();
	static const unsigned reserved[] = {0, 7, 9, PHYS_BITS, 40, 63};
	for (unsigned i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
		CHECK(!lapic_base_write(&apic, BASE_BSP | APIC_BASE_EN | 1ull << reserved[i], now));
	CHECK(!lapic_base_write(&apic, LAPIC_DEFAULT_BASE | APIC_BASE_EN, now)); /* BSP cleared */
	CHECK_EQ(lapic_base_read(&apic), BASE_BSP | APIC_BASE_EN);
	CHECK_EQ(mode_changes, 0);
	CHECK(lapic_base_write(&apic, 1ull << (PHYS_BITS - 1) | BASE_BSP | APIC_BASE_EN, now));
	setup_id(1, false);
	CHECK(!lapic_base_write(&apic, BASE_BSP | APIC_BASE_EN, now)); /* BSP set on an AP */
}

TEST(apic_base_relocation)
{
	setup();
	CHECK(lapic_base_write(&apic, 0xfed00000 | APIC_BASE_BSP | APIC_BASE_EN, now));
	CHECK_EQ(lapic_base_addr(&apic), 0xfed00000);
	CHECK_EQ(mode_changes, 1);
	CHECK(lapic_base_write(&apic, 0xfed00000 | APIC_BASE_BSP | APIC_BASE_EN, now));
	CHECK_EQ(mode_changes, 1);
	CHECK_EQ(rd(LAPIC_VERSION), LAPIC_VERSION_VALUE);
	to_x2apic();
	CHECK_EQ(mode_changes, 2);
	CHECK(lapic_base_write(&apic, BASE_BSP | APIC_BASE_EN | APIC_BASE_EXTD, now));
	CHECK_EQ(lapic_base_addr(&apic), LAPIC_DEFAULT_BASE);
	CHECK_EQ(mode_changes, 3);
}

TEST(disabling_resets_state_and_keeps_xapic_id)
{
	setup_id(2, false);
	wr(LAPIC_SVR, 0x1ff);
	CHECK_EQ(mode_changes, 1); /* the software enable changes how it may be virtualized */
	wr(LAPIC_ID, 0x0a000000);
	wr(LAPIC_TPR, 0x30);
	deliver(0x40);
	take(0x40);
	deliver(0x50);
	wr(LAPIC_LVT_LINT0, 0x700);
	wr(LAPIC_TIMER_ICR, 100);
	CHECK(!lapic_accept(&apic, 3, false));
	disable();
	CHECK_EQ(mode_changes, 2);
	CHECK_EQ(lapic_highest_irr(&apic), -1);
	CHECK_EQ(lapic_highest_isr(&apic), -1);
	CHECK_EQ(page[LAPIC_TPR / 4], 0);
	CHECK_EQ(page[LAPIC_SVR / 4], 0xff);
	CHECK_EQ(page[LAPIC_LVT_LINT0 / 4], APIC_LVT_MASKED);
	CHECK_EQ(lapic_timer_deadline(&apic), UINT64_MAX);
	CHECK_EQ(apic.esr_pending, 0);
	CHECK(lapic_base_write(&apic, LAPIC_DEFAULT_BASE | APIC_BASE_EN, now));
	CHECK_EQ(mode_changes, 3);
	CHECK_EQ(rd(LAPIC_ID), 0x0a000000);
	CHECK_EQ(rd(LAPIC_SVR), 0xff);
	CHECK_EQ(rd(LAPIC_TIMER_ICR), 0);
}

TEST(leaving_x2apic_through_disabled_restores_xapic_id)
{
	setup_id(2, false);
	to_x2apic();
	CHECK(msr_wr(MSR_TPR, 0x20));
	disable();
	CHECK_EQ(page[LAPIC_ID / 4], 0x02000000);
	CHECK_EQ(page[LAPIC_LDR / 4], 0);
	CHECK(lapic_base_write(&apic, LAPIC_DEFAULT_BASE | APIC_BASE_EN, now));
	CHECK_EQ(rd(LAPIC_ID), 0x02000000);
	CHECK_EQ(rd(LAPIC_LDR), 0);
	CHECK_EQ(rd(LAPIC_TPR), 0);
}

CHECK_MAIN("lapic_x2apic", CASE(x2apic_icr_is_one_64bit_msr), CASE(x2apic_self_ipi_msr),
	   CASE(x2apic_msrs_gp_outside_x2apic_mode), CASE(x2apic_reads_of_write_only_registers_gp),
	   CASE(x2apic_writes_to_read_only_registers_gp), CASE(x2apic_missing_registers_gp),
	   CASE(x2apic_reserved_bits_gp), CASE(x2apic_id_and_ldr_come_from_the_initial_id),
	   CASE(x2apic_vector_registers_and_priority), CASE(apic_base_mode_transitions),
	   CASE(apic_base_reserved_bits_and_bsp_gp), CASE(apic_base_relocation),
	   CASE(disabling_resets_state_and_keeps_xapic_id),
	   CASE(leaving_x2apic_through_disabled_restores_xapic_id))
