#include "devices/apic_bus.h"
#include "tests/unit/check.h"

#define NCPUS 4

static _Alignas(4096) uint32_t pages[APIC_BUS_MAX_CPUS][1024];
static struct lapic apics[APIC_BUS_MAX_CPUS];
static struct apic_bus bus;

static unsigned kicked; /* bit per vCPU */
static unsigned nkicks;
static struct {
	unsigned cpu;
	uint8_t delivery, vector;
} specials[16];
static unsigned nspecials;

static void record_kick(void *ctx, unsigned cpu)
{
	kicked |= 1u << cpu;
	nkicks++;
}

static void record_special(void *ctx, unsigned cpu, uint8_t delivery, uint8_t vector)
{
	if (nspecials < 16) {
		specials[nspecials].cpu = cpu;
		specials[nspecials].delivery = delivery;
		specials[nspecials].vector = vector;
	}
	nspecials++;
}

static const struct apic_bus_ops ops = {record_kick, record_special};

static void wr(unsigned cpu, uint32_t offset, uint32_t value)
{
	lapic_mmio_write(&apics[cpu], offset, 4, value, 0);
}

static void setup_n(unsigned n)
{
	kicked = nkicks = nspecials = 0;
	apic_bus_init(&bus, &ops, NULL);
	for (unsigned i = 0; i < n; i++) {
		lapic_init(&apics[i], i, i == 0, pages[i], 39, 2, 10000000, NULL, NULL);
		wr(i, LAPIC_SVR, 0x1ff);
		CHECK(apic_bus_attach(&bus, &apics[i]));
	}
}

static void setup(void)
{
	setup_n(NCPUS);
}

static void all_to_x2apic(void)
{
	for (unsigned i = 0; i < NCPUS; i++)
		CHECK(lapic_base_write(&apics[i], lapic_base_read(&apics[i]) | APIC_BASE_EXTD, 0));
}

/* Bit per vCPU whose IRR holds `vector`. */
static unsigned irr_mask(uint8_t vector)
{
	unsigned mask = 0;
	for (unsigned i = 0; i < NCPUS; i++)
		if (pages[i][LAPIC_IRR / 4 + (vector / 32) * 4] >> (vector % 32) & 1)
			mask |= 1u << i;
	return mask;
}

static struct apic_msg fixed(uint32_t dest, uint8_t vector)
{
	return (struct apic_msg){.dest = dest, .vector = vector, .assert = true};
}

static struct apic_msg logical(uint32_t dest, uint8_t vector)
{
	struct apic_msg m = fixed(dest, vector);
	m.logical = true;
	return m;
}

static unsigned send(struct apic_msg m)
{
	return apic_bus_deliver(&bus, &m);
}

TEST(attach_until_full)
{
	setup_n(0);
	for (unsigned i = 0; i < APIC_BUS_MAX_CPUS; i++)
		CHECK(apic_bus_attach(&bus, &apics[i]));
	CHECK(!apic_bus_attach(&bus, &apics[0]));
	CHECK_EQ(bus.ncpus, APIC_BUS_MAX_CPUS);
	CHECK(bus.lapic[3] == &apics[3]);
}

TEST(physical_fixed_reaches_one_apic_and_kicks_it)
{
	setup();
	CHECK_EQ(send(fixed(2, 0x31)), 1);
	CHECK_EQ(irr_mask(0x31), 0x4);
	CHECK_EQ(kicked, 0x4);
	CHECK_EQ(nkicks, 1);
	struct apic_msg m = fixed(1, 0x32);
	m.level = true;
	CHECK_EQ(send(m), 1);
	CHECK_EQ(irr_mask(0x32), 0x2);
	uint64_t tmr[4];
	lapic_tmr_words(&apics[1], tmr);
	CHECK_EQ(tmr[0], 1ull << 0x32);
	CHECK_EQ(send(fixed(5, 0x33)), 0);
	CHECK_EQ(irr_mask(0x33), 0);
}

TEST(physical_destination_is_the_xapic_id_register)
{
	setup();
	wr(1, LAPIC_ID, 0x09000000);
	CHECK_EQ(send(fixed(9, 0x40)), 1);
	CHECK_EQ(irr_mask(0x40), 0x2);
	CHECK_EQ(send(fixed(1, 0x41)), 0);
}

TEST(physical_broadcast)
{
	setup();
	CHECK_EQ(send(fixed(0xff, 0x31)), NCPUS);
	CHECK_EQ(irr_mask(0x31), 0xf);
	CHECK_EQ(kicked, 0xf);
}

TEST(flat_logical_destination)
{
	setup();
	for (unsigned i = 0; i < NCPUS; i++)
		wr(i, LAPIC_LDR, (1u << i) << 24);
	CHECK_EQ(send(logical(0x05, 0x50)), 2);
	CHECK_EQ(irr_mask(0x50), 0x5);
	CHECK_EQ(send(logical(0x10, 0x51)), 0);
	CHECK_EQ(send(fixed(0x05, 0x52)), 0); /* physical 5: no such ID */
}

TEST(cluster_logical_destination)
{
	setup();
	static const uint32_t ldr[NCPUS] = {0x11, 0x12, 0x21, 0x22};
	for (unsigned i = 0; i < NCPUS; i++) {
		wr(i, LAPIC_DFR, 0x0fffffff);
		wr(i, LAPIC_LDR, ldr[i] << 24);
	}
	CHECK_EQ(send(logical(0x13, 0x50)), 2);
	CHECK_EQ(irr_mask(0x50), 0x3);
	CHECK_EQ(send(logical(0x22, 0x51)), 1);
	CHECK_EQ(irr_mask(0x51), 0x8);
	CHECK_EQ(send(logical(0x23, 0x52)), 2);
	CHECK_EQ(irr_mask(0x52), 0xc);
	CHECK_EQ(send(logical(0x31, 0x53)), 0);
}

TEST(logical_0xff_is_a_broadcast)
{
	setup(); /* LDRs are 0: no flat match otherwise */
	CHECK_EQ(send(logical(0x01, 0x50)), 0);
	CHECK_EQ(send(logical(0xff, 0x51)), NCPUS);
	CHECK_EQ(irr_mask(0x51), 0xf);
}

TEST(x2apic_physical_destination)
{
	setup();
	all_to_x2apic();
	struct apic_msg m = fixed(3, 0x31);
	m.x2apic_dest = true;
	CHECK_EQ(send(m), 1);
	CHECK_EQ(irr_mask(0x31), 0x8);
	m.dest = 0x103;
	m.vector = 0x32;
	CHECK_EQ(send(m), 0);
	m.dest = 0xffffffff;
	m.vector = 0x33;
	CHECK_EQ(send(m), NCPUS);
	CHECK_EQ(send(fixed(0xff, 0x34)), NCPUS); /* 8-bit broadcast from an I/O APIC */
	CHECK_EQ(send(fixed(2, 0x35)), 1);
	CHECK_EQ(irr_mask(0x35), 0x4);
}

TEST(x2apic_logical_destination)
{
	setup();
	all_to_x2apic(); /* LDR = cluster 0, member bit = ID */
	struct apic_msg m = logical(0x00000006, 0x50);
	m.x2apic_dest = true;
	CHECK_EQ(send(m), 2);
	CHECK_EQ(irr_mask(0x50), 0x6);
	m.dest = 0x00010006; /* cluster 1 */
	m.vector = 0x51;
	CHECK_EQ(send(m), 0);
	m.dest = 0xffffffff;
	m.vector = 0x52;
	CHECK_EQ(send(m), NCPUS);
}

TEST(x2apic_sender_reaches_xapic_targets_with_small_destinations)
{
	setup();
	struct apic_msg m = fixed(2, 0x31);
	m.x2apic_dest = true;
	CHECK_EQ(send(m), 1);
	CHECK_EQ(irr_mask(0x31), 0x4);
	m.dest = 0x102;
	m.vector = 0x32;
	CHECK_EQ(send(m), 0);
	m.dest = 0xffffffff;
	m.vector = 0x33;
	CHECK_EQ(send(m), NCPUS);
}

TEST(shorthands_override_the_destination)
{
	setup();
	struct apic_msg m = fixed(3, 0x31);
	m.source = 1;
	m.shorthand = APIC_SH_SELF;
	CHECK_EQ(send(m), 1);
	CHECK_EQ(irr_mask(0x31), 0x2);
	m.shorthand = APIC_SH_ALL;
	m.vector = 0x32;
	CHECK_EQ(send(m), NCPUS);
	CHECK_EQ(irr_mask(0x32), 0xf);
	m.shorthand = APIC_SH_ALL_BUT_SELF;
	m.vector = 0x33;
	CHECK_EQ(send(m), 3);
	CHECK_EQ(irr_mask(0x33), 0xd);
}

TEST(lowest_priority_round_robin_among_matches)
{
	setup();
	for (unsigned i = 0; i < NCPUS; i++)
		wr(i, LAPIC_LDR, (1u << i) << 24);
	static const unsigned all[] = {0, 1, 2, 3, 0};
	for (unsigned k = 0; k < 5; k++) {
		struct apic_msg m = logical(0x0f, (uint8_t)(0x40 + k));
		m.delivery = APIC_DM_LOWEST;
		CHECK_EQ(send(m), 1);
		CHECK_EQ(irr_mask((uint8_t)(0x40 + k)), 1u << all[k]);
	}
	static const unsigned odd[] = {1, 3, 1};
	for (unsigned k = 0; k < 3; k++) {
		struct apic_msg m = logical(0x0a, (uint8_t)(0x50 + k));
		m.delivery = APIC_DM_LOWEST;
		CHECK_EQ(send(m), 1);
		CHECK_EQ(irr_mask((uint8_t)(0x50 + k)), 1u << odd[k]);
	}
	CHECK_EQ(nkicks, 8);
}

TEST(lowest_priority_skips_software_disabled_apics)
{
	setup();
	wr(1, LAPIC_SVR, 0xff);
	struct apic_msg m = fixed(0xff, 0x40);
	m.delivery = APIC_DM_LOWEST;
	CHECK_EQ(send(m), 1);
	CHECK_EQ(irr_mask(0x40), 0x1);
	m.vector = 0x41;
	CHECK_EQ(send(m), 1);
	CHECK_EQ(irr_mask(0x41), 0x4);
	CHECK_EQ(bus.lowest_next, 3);
}

TEST(disabled_apics_receive_nothing)
{
	setup();
	CHECK(lapic_base_write(&apics[2], LAPIC_DEFAULT_BASE, 0));
	CHECK_EQ(send(fixed(0xff, 0x31)), 3);
	CHECK_EQ(irr_mask(0x31), 0xb);
	CHECK_EQ(send(fixed(2, 0x32)), 0);
	struct apic_msg m = fixed(0xff, 0);
	m.delivery = APIC_DM_NMI;
	CHECK_EQ(send(m), 3);
	CHECK_EQ(nspecials, 3);
	for (unsigned i = 0; i < nspecials; i++)
		CHECK(specials[i].cpu != 2);
}

TEST(software_disabled_apic_takes_init_but_not_fixed)
{
	setup();
	wr(3, LAPIC_SVR, 0xff);
	CHECK_EQ(send(fixed(0xff, 0x31)), 3);
	CHECK_EQ(irr_mask(0x31), 0x7);
	CHECK_EQ(kicked, 0x7);
	struct apic_msg m = fixed(3, 0);
	m.delivery = APIC_DM_INIT;
	CHECK_EQ(send(m), 1);
	CHECK_EQ(nspecials, 1);
	CHECK_EQ(specials[0].cpu, 3);
	CHECK_EQ(specials[0].delivery, APIC_DM_INIT);
}

TEST(nmi_init_sipi_smi_extint_go_to_special)
{
	setup();
	static const struct {
		uint8_t delivery, vector;
		unsigned cpu;
	} cases[] = {{APIC_DM_NMI, 0, 1},
		     {APIC_DM_INIT, 0, 2},
		     {APIC_DM_STARTUP, 0x9a, 3},
		     {APIC_DM_SMI, 0, 0},
		     {APIC_DM_EXTINT, 0, 1}};
	for (unsigned i = 0; i < 5; i++) {
		struct apic_msg m = fixed(cases[i].cpu, cases[i].vector);
		m.delivery = cases[i].delivery;
		CHECK_EQ(send(m), 1);
		CHECK_EQ(specials[i].cpu, cases[i].cpu);
		CHECK_EQ(specials[i].delivery, cases[i].delivery);
		CHECK_EQ(specials[i].vector, cases[i].vector);
	}
	CHECK_EQ(nspecials, 5);
	CHECK_EQ(nkicks, 0);
	for (unsigned i = 0; i < NCPUS; i++)
		CHECK_EQ(lapic_highest_irr(&apics[i]), -1);
}

TEST(init_level_deassert_goes_nowhere)
{
	setup();
	struct apic_msg m = fixed(0, 0);
	m.delivery = APIC_DM_INIT;
	m.level = true;
	m.assert = false;
	m.shorthand = APIC_SH_ALL;
	CHECK_EQ(send(m), 0);
	CHECK_EQ(nspecials, 0);
}

TEST(reserved_delivery_mode_goes_nowhere)
{
	setup();
	struct apic_msg m = fixed(0xff, 0x31);
	m.delivery = 3;
	CHECK_EQ(send(m), 0);
	CHECK_EQ(irr_mask(0x31), 0);
	CHECK_EQ(nspecials, 0);
}

TEST(illegal_vector_is_refused_by_targets)
{
	setup();
	CHECK_EQ(send(fixed(1, 0x05)), 0);
	CHECK_EQ(apics[1].esr_pending, APIC_ESR_RECV_ILLEGAL_VECTOR);
	CHECK_EQ(apics[0].esr_pending, 0);
	CHECK_EQ(nkicks, 0);
}

TEST(null_ops_deliver_without_callbacks)
{
	setup();
	apic_bus_init(&bus, NULL, NULL);
	for (unsigned i = 0; i < NCPUS; i++)
		CHECK(apic_bus_attach(&bus, &apics[i]));
	CHECK_EQ(send(fixed(0xff, 0x31)), NCPUS);
	struct apic_msg m = fixed(1, 0);
	m.delivery = APIC_DM_NMI;
	CHECK_EQ(send(m), 1);
}

TEST(msi_decode)
{
	struct apic_msg m;
	CHECK(apic_msg_from_msi(0xfee03000, 0x4031, &m));
	CHECK_EQ(m.dest, 3);
	CHECK_EQ(m.vector, 0x31);
	CHECK_EQ(m.delivery, APIC_DM_FIXED);
	CHECK(!m.logical);
	CHECK(!m.level);
	CHECK(m.assert);
	CHECK_EQ(m.shorthand, APIC_SH_NONE);
	CHECK(!m.x2apic_dest);
	CHECK(apic_msg_from_msi(0xfee0f00c, 0x0141, &m)); /* logical, redirection hint */
	CHECK_EQ(m.dest, 0x0f);
	CHECK(m.logical);
	CHECK_EQ(m.delivery, APIC_DM_LOWEST);
	CHECK_EQ(m.vector, 0x41);
	CHECK(apic_msg_from_msi(0xfee01008, 0x0041, &m)); /* redirection hint alone */
	CHECK_EQ(m.dest, 1);
	CHECK(!m.logical);
	CHECK(apic_msg_from_msi(0xfeeff000, 0xc031, &m));
	CHECK_EQ(m.dest, 0xff);
	CHECK(m.level);
	CHECK(m.assert);
	CHECK(apic_msg_from_msi(0xfee00000, 0x8031, &m));
	CHECK(m.level);
	CHECK(!m.assert);
	CHECK(apic_msg_from_msi(0xfee00000, 0x0031, &m)); /* edge: always an assert */
	CHECK(m.assert);
	CHECK(apic_msg_from_msi(0xfee00000, 0x0400, &m));
	CHECK_EQ(m.delivery, APIC_DM_NMI);
}

TEST(msi_outside_the_interrupt_window_is_not_an_interrupt)
{
	struct apic_msg m = {.vector = 0x77, .dest = 0x12};
	CHECK(!apic_msg_from_msi(0xfed00000, 0x4031, &m));
	CHECK(!apic_msg_from_msi(0xfef00000, 0x4031, &m));
	CHECK(!apic_msg_from_msi(0x1fee00000ull, 0x4031, &m));
	CHECK_EQ(m.vector, 0x77);
	CHECK_EQ(m.dest, 0x12);
}

TEST(msi_end_to_end)
{
	setup();
	struct apic_msg m;
	CHECK(apic_msg_from_msi(0xfee02000, 0x0041, &m));
	CHECK_EQ(apic_bus_deliver(&bus, &m), 1);
	CHECK_EQ(irr_mask(0x41), 0x4);
	CHECK_EQ(kicked, 0x4);
}

CHECK_MAIN("apic_bus", CASE(attach_until_full), CASE(physical_fixed_reaches_one_apic_and_kicks_it),
	   CASE(physical_destination_is_the_xapic_id_register), CASE(physical_broadcast),
	   CASE(flat_logical_destination), CASE(cluster_logical_destination),
	   CASE(logical_0xff_is_a_broadcast), CASE(x2apic_physical_destination),
	   CASE(x2apic_logical_destination),
	   CASE(x2apic_sender_reaches_xapic_targets_with_small_destinations),
	   CASE(shorthands_override_the_destination),
	   CASE(lowest_priority_round_robin_among_matches),
	   CASE(lowest_priority_skips_software_disabled_apics),
	   CASE(disabled_apics_receive_nothing),
	   CASE(software_disabled_apic_takes_init_but_not_fixed),
	   CASE(nmi_init_sipi_smi_extint_go_to_special), CASE(init_level_deassert_goes_nowhere),
	   CASE(reserved_delivery_mode_goes_nowhere), CASE(illegal_vector_is_refused_by_targets),
	   CASE(null_ops_deliver_without_callbacks), CASE(msi_decode),
	   CASE(msi_outside_the_interrupt_window_is_not_an_interrupt), CASE(msi_end_to_end))
