/* bios=on: the IVT, BDA, EBDA and interrupt stubs in guest RAM, and the PIC and PIT left
 * programmed as a BIOS leaves them. */
#include "kernel/bios.h"
#include "tests/unit/check.h"
#include "tests/unit/test_ram.h"

#define MIB    (1ull << 20)
#define POISON 0xcc

static struct test_ram ram;
static struct gmem mem;

static uint16_t ram16(uint64_t gpa)
{
	return (uint16_t)(ram.bytes[gpa] | ram.bytes[gpa + 1] << 8);
}

static bool ram_all(uint64_t gpa, uint64_t end, uint8_t v)
{
	for (; gpa < end; gpa++)
		if (ram.bytes[gpa] != v)
			return false;
	return true;
}

/* The linear address IVT entry `vector` points to. */
static uint32_t vector_target(unsigned vector)
{
	return (uint32_t)ram16(4 * vector + 2) * 16 + ram16(4 * vector);
}

static bool code_at(uint32_t gpa, const uint8_t *code, size_t n)
{
	return memcmp(ram.bytes + gpa, code, n) == 0;
}

TEST(ivt_points_every_vector_at_a_stub)
{
	test_ram_reset(&ram, &mem, 2 * MIB, POISON);
	CHECK(bios_write_tables(&mem));
	static const uint8_t iret[] = {0xcf};
	static const uint8_t eoi_master[] = {0x50, 0xb0, 0x20, 0xe6, 0x20, 0x58, 0xcf};
	static const uint8_t eoi_slave[] = {0x50, 0xb0, 0x20, 0xe6, 0xa0, 0xe6, 0x20, 0x58, 0xcf};
	for (unsigned v = 0; v < 256; v++) {
		uint32_t at = vector_target(v);
		CHECK_EQ(ram16(4 * v + 2), 0xf000);
		CHECK(at >= LOADER_BIOS_ROM_GPA && at < LOADER_BIOS_ROM_END);
		if (v >= 0x08 && v <= 0x0f)
			CHECK(code_at(at, eoi_master, sizeof eoi_master));
		else if (v >= 0x70 && v <= 0x77)
			CHECK(code_at(at, eoi_slave, sizeof eoi_slave));
		else
			CHECK(code_at(at, iret, sizeof iret));
	}
	CHECK(vector_target(0x08) != vector_target(0x70));
	CHECK_EQ(vector_target(0x07), vector_target(0x10));
}

TEST(bios_data_area)
{
	test_ram_reset(&ram, &mem, 2 * MIB, POISON);
	CHECK(bios_write_tables(&mem));
	CHECK_EQ(ram16(0x400), 0x3f8);	 /* COM1 */
	CHECK(ram_all(0x402, 0x40e, 0)); /* no COM2-4, no LPT */
	CHECK_EQ(ram16(0x40e), 0x9fc0);	 /* EBDA segment */
	CHECK_EQ(ram16(0x410), 0x0222);	 /* FPU, 80x25 colour, one serial port */
	CHECK_EQ(ram16(0x413), 639);
	CHECK_EQ(ram.bytes[0x449], 3);
	CHECK_EQ(ram16(0x44a), 80);
	CHECK_EQ(ram16(0x463), 0x3d4);
	CHECK_EQ(ram.bytes[0x484], 24);
	CHECK(ram_all(0x46c, 0x470, 0)); /* timer ticks since midnight */
	CHECK(ram_all(0x485, 0x500, 0));
	CHECK_EQ(ram.bytes[0x9fc00], 1); /* EBDA size in KiB */
	CHECK(ram_all(0x9fc01, 0xa0000, 0));
}

TEST(nothing_written_outside_the_bios_areas)
{
	test_ram_reset(&ram, &mem, 2 * MIB, POISON);
	CHECK(bios_write_tables(&mem));
	CHECK(ram_all(0x500, 0x9fc00, POISON));
	CHECK(ram_all(0xa0000, 0xff000, POISON)); /* VGA, option ROMs, firmware tables */
	CHECK(ram_all(0x100000, 2 * MIB, POISON));
	CHECK(ram_all(0xff030, 0x100000, 0)); /* the rest of the stub page is cleared */
}

TEST(tables_need_the_first_megabyte)
{
	test_ram_reset(&ram, &mem, 0xff000, POISON); /* RAM ends below the stub page */
	CHECK(!bios_write_tables(&mem));
}

static void pic_out(struct pic_pair *p, uint16_t port, uint8_t v)
{
	struct io_access a = {.port = port, .size = 1, .write = true, .value = v};
	pic_io(p, &a);
}

static uint8_t pic_in(struct pic_pair *p, uint16_t port)
{
	struct io_access a = {.port = port, .size = 1};
	pic_io(p, &a);
	return (uint8_t)a.value;
}

TEST(pic_initialised_with_bios_bases_and_masks)
{
	struct pic_pair pic;
	struct pit pit;
	pic_init(&pic);
	pit_init(&pit, &(struct irq_line){0});
	/* Some other setup first: bases 0x20/0x28, everything unmasked. */
	static const uint8_t other[][2] = {{0x20, 0x11}, {0x21, 0x20}, {0x21, 0x04}, {0x21, 0x01},
					   {0xa0, 0x11}, {0xa1, 0x28}, {0xa1, 0x02}, {0xa1, 0x01},
					   {0x21, 0x00}, {0xa1, 0x00}};
	for (unsigned i = 0; i < sizeof other / sizeof other[0]; i++)
		pic_out(&pic, other[i][0], other[i][1]);
	bios_program_devices(&pic, &pit);
	CHECK_EQ(pic_in(&pic, 0x21), 0xf8);
	CHECK_EQ(pic_in(&pic, 0xa1), 0xff);
	pic_set_irq(&pic, 0, true);
	CHECK(pic_intr_pending(&pic));
	CHECK_EQ(pic_acknowledge(&pic), 0x08);
	pic_out(&pic, 0x20, 0x20); /* EOI */
	pic_set_irq(&pic, 1, true);
	CHECK_EQ(pic_acknowledge(&pic), 0x09);
	pic_out(&pic, 0x20, 0x20);
	pic_set_irq(&pic, 8, true); /* masked at the slave */
	pic_set_irq(&pic, 3, true); /* masked at the master */
	CHECK(!pic_intr_pending(&pic));
	pic_out(&pic, 0xa1, 0xfe); /* unmasking IRQ 8 shows the slave's base */
	CHECK(pic_intr_pending(&pic));
	CHECK_EQ(pic_acknowledge(&pic), 0x70);
}

static uint64_t pit_tick;

static uint64_t fake_pit_clock(void *ctx)
{
	(void)ctx;
	return pit_tick;
}

static int irq0_pulses;

static void count_irq0(void *ctx, unsigned irq, bool level)
{
	(void)ctx;
	CHECK_EQ(irq, 0);
	irq0_pulses += level;
}

TEST(pit_channel_0_at_18_2_hz)
{
	static const struct irq_sink sink = {count_irq0, 0};
	struct pic_pair pic;
	struct pit pit;
	pic_init(&pic);
	pit_init(&pit, &(struct irq_line){&sink, 0});
	pit_tick = 1000;
	irq0_pulses = 0;
	pit_set_time_source(&pit, fake_pit_clock, 0);
	bios_program_devices(&pic, &pit);
	struct io_access a = {.port = 0x43, .size = 1, .write = true, .value = 0xe2};
	pit_io(&pit, &a); /* read back channel 0's status */
	a = (struct io_access){.port = 0x40, .size = 1};
	pit_io(&pit, &a);
	CHECK_EQ(a.value & 0x3f, 0x36); /* LSB then MSB, mode 3, binary */
	uint64_t first = pit_next_irq_tick(&pit);
	CHECK(first > pit_tick && first <= pit_tick + 65537);
	pit_tick = first;
	pit_update(&pit);
	CHECK_EQ(irq0_pulses, 1);
	CHECK_EQ(pit_next_irq_tick(&pit) - first, 65536); /* 1193182 / 65536 = 18.2 Hz */
}

CHECK_MAIN("bios", CASE(ivt_points_every_vector_at_a_stub), CASE(bios_data_area),
	   CASE(nothing_written_outside_the_bios_areas), CASE(tables_need_the_first_megabyte),
	   CASE(pic_initialised_with_bios_bases_and_masks), CASE(pit_channel_0_at_18_2_hz))
