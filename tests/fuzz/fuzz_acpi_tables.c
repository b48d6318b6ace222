/* The ACPI table builder over random configurations, buffer sizes and RSDP addresses. When
 * it builds, the tables are found as an OS finds them (RSDP -> XSDT -> FADT -> DSDT), each
 * inside the bytes it reports, checksums right, and the DSDT's AML decodes; nothing is
 * written past those bytes. */
#include "devices/acpi_tables.h"
#include "tests/fuzz/fuzz.h"
#include "tests/unit/aml_walk.h"

#define BUF_MAX 2048
#define CANARY	0xa5

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;
	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

/* The table `sig` at guest address `gpa`: inside the used bytes, with a right checksum. */
static const uint8_t *table(const uint8_t *buf, size_t used, uint64_t rsdp_gpa, uint64_t gpa,
			    const char *sig)
{
	FUZZ_CHECK(gpa >= rsdp_gpa && gpa - rsdp_gpa + 36 <= used);
	const uint8_t *t = buf + (gpa - rsdp_gpa);
	uint32_t len = le32(t + 4);
	FUZZ_CHECK(memcmp(t, sig, 4) == 0 && len >= 36 && gpa - rsdp_gpa + len <= used);
	FUZZ_CHECK(sum(t, len) == 0);
	return t;
}

static void check_tables(const uint8_t *buf, size_t used, uint64_t rsdp_gpa)
{
	FUZZ_CHECK(used >= 36 && memcmp(buf, "RSD PTR ", 8) == 0);
	FUZZ_CHECK(sum(buf, 20) == 0 && sum(buf, 36) == 0);
	FUZZ_CHECK(rsdp_gpa + used <= (1ull << 32));
	const uint8_t *xsdt = table(buf, used, rsdp_gpa, le64(buf + 24), "XSDT");
	const uint8_t *fadt = table(buf, used, rsdp_gpa, le64(xsdt + 36), "FACP");
	(void)table(buf, used, rsdp_gpa, le64(xsdt + 44), "APIC");
	uint64_t dsdt_gpa = le64(fadt + 140);
	FUZZ_CHECK(le32(fadt + 40) == dsdt_gpa);
	const uint8_t *dsdt = table(buf, used, rsdp_gpa, dsdt_gpa, "DSDT");
	static struct aml_walk w;
	FUZZ_CHECK(aml_walk(&w, dsdt + 36, le32(dsdt + 4) - 36));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = fuzz_input(data, size);
	struct acpi_config c = {
	    .ncpus = fuzz_below(&in, ACPI_MAX_CPUS + 2),
	    .lapic_addr = fuzz_u32(&in),
	    .ioapic_addr = fuzz_u32(&in),
	    .pm_base = fuzz_u16(&in),
	    .pci_mmio_base = fuzz_u32(&in),
	    .pci_mmio_limit = fuzz_u32(&in),
	};
	for (unsigned i = 0; i < 6; i++)
		c.oem_id[i] = (char)fuzz_u8(&in);
	c.oem_id[6] = 0;
	size_t bufsize = fuzz_u16(&in) % BUF_MAX;
	uint64_t rsdp_gpa = fuzz_bool(&in) ? fuzz_u64(&in) : 0x100000000ull - fuzz_u16(&in);
	uint8_t *buf = malloc(bufsize ? bufsize : 1);
	memset(buf, CANARY, bufsize);
	size_t used = acpi_build(&c, buf, bufsize, rsdp_gpa);
	FUZZ_CHECK(used <= bufsize && used <= ACPI_TABLES_MAX_SIZE);
	if (used) {
		check_tables(buf, used, rsdp_gpa);
		for (size_t i = used; i < bufsize; i++)
			FUZZ_CHECK(buf[i] == CANARY);
	}
	free(buf);
	return 0;
}
