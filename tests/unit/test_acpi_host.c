/* The host's ACPI platform parser (FADT, DSDT \_S5, HPET), fed with the tables mhv builds for
 * its own guests and with hand-made ones: PM timer, reset register, sleep registers, S5 type. */
#include "devices/acpi_pm.h"
#include "devices/acpi_tables.h"
#include "drivers/acpi_host.h"
#include "tests/unit/check.h"

#define BASE 0xe0000u

static uint8_t mem[ACPI_TABLES_MAX_SIZE];

static bool mem_read(void *ctx, uint64_t pa, void *dst, size_t n)
{
	(void)ctx;
	if (pa < BASE || pa - BASE > sizeof mem || n > sizeof mem - (pa - BASE))
		return false;
	memcpy(dst, mem + (pa - BASE), n);
	return true;
}

static void build(void)
{
	struct acpi_config c = {.ncpus = 2,
				.lapic_addr = 0xfee00000u,
				.ioapic_addr = 0xfec00000u,
				.pm_base = ACPI_PM_BASE,
				.pci_mmio_base = 0xc0000000u,
				.pci_mmio_limit = 0xfeafffffu,
				.oem_id = "MHV"};
	memset(mem, 0, sizeof mem);
	CHECK(acpi_build(&c, mem, sizeof mem, BASE) > 0);
}

TEST(platform_from_mhvs_own_tables)
{
	struct acpi_platform p;
	build();
	CHECK(acpi_platform_parse(mem, 36, mem_read, 0, &p));
	CHECK(p.have_fadt);
	CHECK(p.hw_reduced);
	CHECK_EQ(p.pm_timer.space, ACPI_SPACE_IO);
	CHECK_EQ(p.pm_timer.addr, ACPI_PM_BASE + ACPI_PM_TIMER);
	CHECK(p.pm_timer_32bit);
	CHECK(p.reset_supported);
	CHECK_EQ(p.reset_reg.space, ACPI_SPACE_IO);
	CHECK_EQ(p.reset_reg.addr, ACPI_PM_BASE + ACPI_PM_RESET);
	CHECK_EQ(p.reset_value, ACPI_PM_RESET_VALUE);
	CHECK_EQ(p.sleep_control.addr, ACPI_PM_BASE + ACPI_PM_SLEEP_CONTROL);
	CHECK(p.have_s5);
	CHECK_EQ(p.s5_typ_a, ACPI_PM_SLP_TYP_S5);
	CHECK_EQ(p.hpet_base, 0); /* mhv's guests get no HPET */
}

TEST(find_table_and_bad_rsdp)
{
	uint64_t pa;
	uint32_t len;
	build();
	CHECK(acpi_find_table(mem, 36, "APIC", mem_read, 0, &pa, &len));
	CHECK(pa >= BASE && len > 36);
	CHECK(!acpi_find_table(mem, 36, "HPET", mem_read, 0, &pa, &len));
	mem[8] ^= 1; /* RSDP checksum */
	CHECK(!acpi_find_table(mem, 36, "APIC", mem_read, 0, &pa, &len));
	struct acpi_platform p;
	CHECK(acpi_platform_parse(mem, 36, mem_read, 0, &p));
	CHECK(!p.have_fadt);
}

TEST(s5_encodings)
{
	uint8_t a, b;
	/* Name (\_S5_, Package (4) {0x05, 0x05, Zero, Zero}) as firmware writes it. */
	const uint8_t bytes[] = {0x10, 0x08, '\\', '_', 'S', '5', '_', 0x12, 0x0a, 0x04,
				 0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00};
	CHECK(acpi_find_s5(bytes, sizeof bytes, &a, &b));
	CHECK_EQ(a, 5);
	CHECK_EQ(b, 5);
	/* Name (_S5_, Package () {Zero, Zero}): QEMU's PIIX4 S5 */
	const uint8_t zero[] = {0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x00, 0x00};
	CHECK(acpi_find_s5(zero, sizeof zero, &a, &b));
	CHECK_EQ(a, 0);
	/* A reference to _S5_ (no NameOp before it) is not the definition. */
	const uint8_t use[] = {0x70, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x01, 0x01};
	CHECK(!acpi_find_s5(use, sizeof use, &a, &b));
	/* Truncated after the package opcode. */
	const uint8_t cut[] = {0x08, '_', 'S', '5', '_', 0x12};
	CHECK(!acpi_find_s5(cut, sizeof cut, &a, &b));
}

CHECK_MAIN("acpi_host", CASE(platform_from_mhvs_own_tables), CASE(find_table_and_bad_rsdp),
	   CASE(s5_encodings))
