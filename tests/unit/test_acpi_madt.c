/* The host's MADT parser, fed with the tables mhv builds for its own guests (and corrupted
 * copies of them): the two sides of the ACPI contract check each other. */
#include "devices/acpi_tables.h"
#include "drivers/acpi_madt.h"
#include "tests/unit/check.h"

#define BASE 0xe0000u /* where the tables "are" in physical memory */

static uint8_t mem[ACPI_TABLES_MAX_SIZE];
static size_t used;

static bool mem_read(void *ctx, uint64_t pa, void *dst, size_t n)
{
	(void)ctx;
	if (pa < BASE || pa - BASE > sizeof mem || n > sizeof mem - (pa - BASE))
		return false;
	memcpy(dst, mem + (pa - BASE), n);
	return true;
}

static void build(unsigned ncpus)
{
	struct acpi_config c = {.ncpus = ncpus,
				.lapic_addr = 0xfee00000u,
				.ioapic_addr = 0xfec00000u,
				.pm_base = 0x600,
				.pci_mmio_base = 0xc0000000u,
				.pci_mmio_limit = 0xfeafffffu,
				.oem_id = "MHV"};
	memset(mem, 0, sizeof mem);
	used = acpi_build(&c, mem, sizeof mem, BASE);
	CHECK(used > 0);
}

static char err[128];

static bool parse(struct madt_info *m)
{
	return madt_parse(mem, 36, mem_read, 0, m, err, sizeof err);
}

/* The offset of the table with this signature in `mem`, found by scanning. */
static size_t find(const char *sig)
{
	for (size_t off = 0; off + 4 <= used; off += 16)
		if (!memcmp(mem + off, sig, 4))
			return off;
	return 0;
}

TEST(one_and_eight_cpus)
{
	struct madt_info m;
	build(1);
	CHECK(parse(&m));
	CHECK_EQ(m.ncpus, 1);
	CHECK_EQ(m.apic_id[0], 0);
	CHECK_EQ(m.lapic_addr, 0xfee00000u);
	CHECK_EQ(m.ioapic_addr, 0xfec00000u);
	CHECK(m.pcat_compat);
	build(8);
	CHECK(parse(&m));
	CHECK_EQ(m.ncpus, 8);
	for (unsigned i = 0; i < 8; i++)
		CHECK_EQ(m.apic_id[i], i);
	CHECK_EQ(m.ignored_cpus, 0);
}

TEST(bad_rsdp_refused)
{
	struct madt_info m;
	build(2);
	mem[8] ^= 1; /* first checksum */
	CHECK(!parse(&m));
	CHECK_STR(err, "no valid ACPI RSDP from the boot loader");
	CHECK(!madt_parse(0, 0, mem_read, 0, &m, err, sizeof err));
	build(2);
	CHECK(!madt_parse(mem, 19, mem_read, 0, &m, err, sizeof err)); /* one byte short */
}

TEST(corrupt_madt_checksum_refused)
{
	struct madt_info m;
	build(2);
	size_t madt = find("APIC");
	CHECK(madt);
	mem[madt + 40] ^= 0x80; /* flags, without fixing the checksum */
	CHECK(!parse(&m));
	CHECK_STR(err, "ACPI MADT corrupt (bad length or checksum)");
}

/* Recomputes the checksum of the table at `off` after an edit. */
static void fix_checksum(size_t off)
{
	uint32_t len = mem[off + 4] | mem[off + 5] << 8 | mem[off + 6] << 16 | (uint32_t)mem[off + 7] << 24;
	mem[off + 9] = 0;
	uint8_t sum = 0;
	for (uint32_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + mem[off + i]);
	mem[off + 9] = (uint8_t)-sum;
}

TEST(entry_lengths_are_bounded)
{
	struct madt_info m;
	build(2);
	size_t madt = find("APIC");
	/* An entry claiming to run past the table's end. */
	mem[madt + 44 + 1] = 0xff;
	fix_checksum(madt);
	CHECK(!parse(&m));
	/* A zero-length entry would loop for ever. */
	build(2);
	madt = find("APIC");
	mem[madt + 44 + 1] = 0;
	fix_checksum(madt);
	CHECK(!parse(&m));
	/* A table length past what can be read. */
	build(2);
	madt = find("APIC");
	mem[madt + 4] = 0xf0;
	mem[madt + 5] = 0xff;
	CHECK(!parse(&m));
}

TEST(disabled_cpus_are_skipped)
{
	struct madt_info m;
	build(3);
	size_t madt = find("APIC");
	/* The second Local APIC entry (each is 8 bytes after the header): flags to 0. */
	CHECK_EQ(mem[madt + 44 + 8], 0);
	mem[madt + 44 + 8 + 4] = 0;
	fix_checksum(madt);
	CHECK(parse(&m));
	CHECK_EQ(m.ncpus, 2);
	CHECK_EQ(m.apic_id[0], 0);
	CHECK_EQ(m.apic_id[1], 2);
}

TEST(no_madt_in_the_root_table)
{
	struct madt_info m;
	build(1);
	size_t madt = find("APIC");
	memcpy(mem + madt, "APIX", 4);
	CHECK(!parse(&m));
	CHECK_STR(err, "no ACPI MADT");
}

CHECK_MAIN("acpi_madt", CASE(one_and_eight_cpus), CASE(bad_rsdp_refused),
	   CASE(corrupt_madt_checksum_refused), CASE(entry_lengths_are_bounded),
	   CASE(disabled_cpus_are_skipped), CASE(no_madt_in_the_root_table))
