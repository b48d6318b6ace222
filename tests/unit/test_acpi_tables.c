/* ACPI tables: found the way an OS finds them (RSDP -> XSDT -> FADT -> DSDT), then every
 * field checked at its ACPI 6.3 offset, the DSDT decoded by a small AML walker, and, when
 * acpica-tools is installed, each table disassembled by iasl and loaded by acpiexec (the
 * ACPICA code Linux runs). Expected values come from the spec and from guest-platform.md,
 * never from the builder's own constants. */
#define _POSIX_C_SOURCE 200809L
#include "devices/acpi_tables.h"
#include "tests/unit/aml_walk.h"
#include "tests/unit/check.h"
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define RSDP_GPA 0xe0000ull

static uint8_t buf[4096];

static struct acpi_config config(unsigned ncpus)
{
	return (struct acpi_config){.ncpus = ncpus,
				    .lapic_addr = 0xfee00000,
				    .ioapic_addr = 0xfec00000,
				    .pm_base = 0x600,
				    .pci_mmio_base = 0xc0000000,
				    .pci_mmio_limit = 0xfebfffff,
				    .oem_id = "MHV"};
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return le16(p) | (uint32_t)le16(p + 2) << 16;
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

struct tables {
	size_t used;
	const uint8_t *rsdp, *xsdt, *fadt, *madt, *dsdt;
};

/* The table at `gpa`, which must lie wholly inside the built bytes, 16-byte aligned. */
static const uint8_t *table_at(const struct tables *t, uint64_t gpa, const char *sig)
{
	uint64_t off = gpa - RSDP_GPA;
	if (gpa < RSDP_GPA || off + 36 > t->used || off % 16 || memcmp(buf + off, sig, 4) ||
	    off + le32(buf + off + 4) > t->used) {
		check_fail(__FILE__, __LINE__, sig);
		return 0;
	}
	return buf + off;
}

static bool find_tables(const struct acpi_config *c, struct tables *t)
{
	memset(buf, 0xcc, sizeof buf);
	t->used = acpi_build(c, buf, sizeof buf, RSDP_GPA);
	CHECK(t->used > 0 && t->used <= ACPI_TABLES_MAX_SIZE);
	CHECK_EQ(buf[t->used], 0xcc); /* nothing written past the tables */
	t->rsdp = buf;
	t->xsdt = table_at(t, le64(buf + 24), "XSDT");
	if (!t->xsdt)
		return false;
	t->fadt = table_at(t, le64(t->xsdt + 36), "FACP");
	t->madt = table_at(t, le64(t->xsdt + 44), "APIC");
	t->dsdt = t->fadt ? table_at(t, le64(t->fadt + 140), "DSDT") : 0;
	return t->fadt && t->madt && t->dsdt;
}

TEST(rsdp_has_both_checksums_and_points_at_xsdt)
{
	struct acpi_config c = config(1);
	struct tables t;
	CHECK(find_tables(&c, &t));
	CHECK(memcmp(buf, "RSD PTR ", 8) == 0);
	CHECK_EQ(sum(buf, 20), 0);
	CHECK_EQ(sum(buf, 36), 0);
	CHECK(memcmp(buf + 9, "MHV   ", 6) == 0);
	CHECK_EQ(buf[15], 2);		   /* revision */
	CHECK_EQ(le32(buf + 16), 0);	   /* no RSDT */
	CHECK_EQ(le32(buf + 20), 36);	   /* length */
	CHECK_EQ(le64(buf + 24), 0xe0030); /* XSDT right behind it, 16-aligned */
	CHECK_EQ(buf[33] | buf[34] | buf[35], 0);
}

static void check_header(const uint8_t *t, const char *sig, uint32_t len, uint8_t rev)
{
	CHECK(memcmp(t, sig, 4) == 0);
	CHECK_EQ(le32(t + 4), len);
	CHECK_EQ(t[8], rev);
	CHECK_EQ(sum(t, len), 0);
	CHECK(memcmp(t + 10, "MHV   ", 6) == 0);
	CHECK(memcmp(t + 16, "MHVGUEST", 8) == 0);
	CHECK_EQ(le32(t + 24), 1);
	CHECK(memcmp(t + 28, "MHV ", 4) == 0);
	CHECK_EQ(le32(t + 32), 1);
}

TEST(every_table_has_a_valid_header)
{
	for (unsigned n = 1; n <= 8; n += 7) {
		struct acpi_config c = config(n);
		struct tables t;
		if (!find_tables(&c, &t))
			return;
		check_header(t.xsdt, "XSDT", 36 + 2 * 8, 1);
		check_header(t.fadt, "FACP", 276, 6);
		check_header(t.madt, "APIC", 44 + 8 * n + 12 + 10 + 6, 5);
		check_header(t.dsdt, "DSDT", le32(t.dsdt + 4), 2);
		/* In this order, without overlap, the DSDT last and ending the used bytes. */
		CHECK(t.xsdt >= buf + 36 && t.fadt >= t.xsdt + 52 && t.madt >= t.fadt + 276);
		CHECK(t.dsdt >= t.madt + le32(t.madt + 4));
		CHECK_EQ(t.dsdt + le32(t.dsdt + 4), buf + t.used);
	}
}

TEST(xsdt_lists_fadt_then_madt_only)
{
	struct acpi_config c = config(2);
	struct tables t;
	CHECK(find_tables(&c, &t));
	CHECK_EQ(le32(t.xsdt + 4), 52);
	CHECK_EQ(le64(t.xsdt + 36), RSDP_GPA + (uint64_t)(t.fadt - buf));
	CHECK_EQ(le64(t.xsdt + 44), RSDP_GPA + (uint64_t)(t.madt - buf));
}

TEST(fadt_fields_at_spec_offsets)
{
	struct acpi_config c = config(2);
	struct tables t;
	CHECK(find_tables(&c, &t));
	const uint8_t *f = t.fadt;
	uint64_t dsdt = RSDP_GPA + (uint64_t)(t.dsdt - buf);
	CHECK_EQ(le32(f + 36), 0);	     /* FIRMWARE_CTRL: no FACS */
	CHECK_EQ(le32(f + 40), dsdt);	     /* DSDT */
	CHECK_EQ(le16(f + 46), 9);	     /* SCI_INT: not 0, see guest-platform.md */
	CHECK_EQ(le32(f + 48), 0);	     /* SMI_CMD */
	CHECK_EQ(le32(f + 76), 0x608);	     /* PM_TMR_BLK */
	CHECK_EQ(f[91], 4);		     /* PM_TMR_LEN */
	CHECK_EQ(f[108], 0x32);		     /* CENTURY */
	CHECK_EQ(le16(f + 109), 0x0003);     /* IAPC_BOOT_ARCH: legacy devices, 8042 */
	CHECK_EQ(le32(f + 112), 0x00100531); /* WBINVD, PWR/SLP_BUTTON, TMR_VAL_EXT,
						RESET_REG_SUP, HW_REDUCED_ACPI */
	CHECK_EQ(f[128], 0x01);		     /* RESET_VALUE */
	CHECK_EQ(f[131], 3);		     /* FADT minor version: ACPI 6.3 */
	CHECK_EQ(le64(f + 132), 0);	     /* X_FIRMWARE_CTRL */
	CHECK_EQ(le64(f + 140), dsdt);	     /* X_DSDT */
	CHECK(memcmp(f + 268, "MHVMHVMH", 8) == 0);
	/* HW-reduced: the PM1, PM2 and GPE blocks are absent, in both address forms. */
	for (unsigned off = 56; off < 76; off++)
		CHECK_EQ(f[off], 0);
	for (unsigned off = 80; off < 91; off++)
		CHECK_EQ(f[off], 0);
	for (unsigned off = 148; off < 208; off++)
		CHECK_EQ(f[off], 0);
	for (unsigned off = 220; off < 244; off++)
		CHECK_EQ(f[off], 0);
}

/* A Generic Address Structure in system I/O space. */
static void check_gas(const uint8_t *g, uint8_t bits, uint8_t access, uint64_t port)
{
	CHECK_EQ(g[0], 1);
	CHECK_EQ(g[1], bits);
	CHECK_EQ(g[2], 0);
	CHECK_EQ(g[3], access);
	CHECK_EQ(le64(g + 4), port);
}

TEST(fadt_registers_follow_pm_base)
{
	static const uint16_t bases[] = {0x600, 0xb000};
	for (size_t i = 0; i < 2; i++) {
		struct acpi_config c = config(1);
		c.pm_base = bases[i];
		struct tables t;
		CHECK(find_tables(&c, &t));
		const uint8_t *f = t.fadt;
		CHECK_EQ(le32(f + 76), bases[i] + 8u);
		check_gas(f + 116, 8, 1, bases[i] + 4u);  /* RESET_REG, byte */
		check_gas(f + 208, 32, 3, bases[i] + 8u); /* X_PM_TMR_BLK, dword */
		check_gas(f + 244, 8, 1, bases[i] + 0u);  /* SLEEP_CONTROL_REG */
		check_gas(f + 256, 8, 1, bases[i] + 1u);  /* SLEEP_STATUS_REG */
	}
}

TEST(madt_for_one_cpu)
{
	struct acpi_config c = config(1);
	struct tables t;
	CHECK(find_tables(&c, &t));
	static const uint8_t entries[] = {
	    0, 8,  0,	 0,    1,    0,	   0,	 0, /* Local APIC: UID 0, ID 0, enabled */
	    1, 12, 0,	 0,    0x00, 0x00, 0xc0, 0xfe, 0,    0,	   0,
	    0, /* I/O APIC 0 at 0xfec00000, GSI 0 */
	    2, 10, 0,	 0,    2,    0,	   0,	 0,    0x05, 0x00, /* ISA IRQ 0 -> GSI 2, edge, high
								    */
	    4, 6,  0xff, 0x00, 0x00, 1,				   /* NMI on LINT1 of all CPUs */
	};
	const uint8_t *m = t.madt;
	CHECK_EQ(le32(m + 4), 44 + sizeof entries);
	CHECK_EQ(le32(m + 36), 0xfee00000);
	CHECK_EQ(le32(m + 40), 1); /* PCAT_COMPAT */
	CHECK(memcmp(m + 44, entries, sizeof entries) == 0);
}

TEST(madt_for_eight_cpus)
{
	struct acpi_config c = config(8);
	c.ioapic_addr = 0xfec01000;
	c.lapic_addr = 0xfee10000;
	struct tables t;
	CHECK(find_tables(&c, &t));
	const uint8_t *m = t.madt, *e = m + 44, *end = m + le32(m + 4);
	CHECK_EQ(le32(m + 36), 0xfee10000);
	unsigned seen[5] = {0};
	for (unsigned i = 0; e < end; i++, e += e[1]) {
		CHECK(e[1] >= 2 && e + e[1] <= end);
		if (e[0] > 4 || e[1] < 2)
			return;
		seen[e[0]]++;
		if (i < 8) { /* the CPUs come first, the boot CPU leading */
			CHECK_EQ(e[0], 0);
			CHECK_EQ(e[1], 8);
			CHECK_EQ(e[2], i);
			CHECK_EQ(e[3], i);
			CHECK_EQ(le32(e + 4), 1);
		} else if (i == 8) {
			CHECK_EQ(e[0], 1);
			CHECK_EQ(le32(e + 4), 0xfec01000);
		} else {
			CHECK_EQ(e[0], i == 9 ? 2 : 4);
		}
	}
	CHECK_EQ(e, end);
	CHECK_EQ(seen[0], 8);
	CHECK_EQ(seen[1], 1);
	CHECK_EQ(seen[2], 1);
	CHECK_EQ(seen[3], 0);
	CHECK_EQ(seen[4], 1);
}

static struct aml_walk dsdt;

static bool walk_dsdt(const struct tables *t)
{
	return aml_walk(&dsdt, t->dsdt + 36, le32(t->dsdt + 4) - 36);
}

static const struct aml_obj *find(const char *path, char type)
{
	const struct aml_obj *o = aml_walk_find(&dsdt, path, type);
	if (!o)
		check_fail(__FILE__, __LINE__, path);
	return o;
}

static void check_buffer(const char *path, const uint8_t *want, size_t n)
{
	const struct aml_obj *o = find(path, 'B');
	if (o) {
		CHECK_EQ(o->len, n);
		CHECK(o->len == n && memcmp(o->data, want, n) == 0);
	}
}

#define CHECK_BUFFER(path, ...)                                                                    \
	do {                                                                                       \
		static const uint8_t want_[] = {__VA_ARGS__};                                      \
		check_buffer(path, want_, sizeof want_);                                           \
	} while (0)

TEST(dsdt_declares_the_expected_objects)
{
	static const struct {
		const char *path;
		char type;
	} want[] = {
	    {"\\_SB_.PCI0", 'D'},      {"\\_SB_.PCI0._HID", 'I'}, {"\\_SB_.PCI0._UID", 'I'},
	    {"\\_SB_.PCI0._CRS", 'B'}, {"\\_SB_.COM1", 'D'},	  {"\\_SB_.COM1._HID", 'I'},
	    {"\\_SB_.COM1._UID", 'I'}, {"\\_SB_.COM1._CRS", 'B'}, {"\\_SB_.PS2_", 'D'},
	    {"\\_SB_.PS2_._HID", 'I'}, {"\\_SB_.PS2_._CRS", 'B'}, {"\\_SB_.RTC_", 'D'},
	    {"\\_SB_.RTC_._HID", 'I'}, {"\\_SB_.RTC_._CRS", 'B'}, {"\\_S5_", 'P'},
	};
	struct acpi_config c = config(2);
	struct tables t;
	CHECK(find_tables(&c, &t));
	CHECK(walk_dsdt(&t));
	CHECK_EQ(dsdt.n, sizeof want / sizeof want[0]);
	for (int i = 0; i < dsdt.n && i < (int)(sizeof want / sizeof want[0]); i++) {
		CHECK_STR(dsdt.objs[i].path, want[i].path);
		CHECK_EQ(dsdt.objs[i].type, want[i].type);
	}
}

TEST(dsdt_values_and_resources)
{
	struct acpi_config c = config(2);
	struct tables t;
	CHECK(find_tables(&c, &t));
	CHECK(walk_dsdt(&t));
	const struct aml_obj *o;
	/* EISAID("PNP0A03") etc. as the DWord values ACPICA reports for them. */
	if ((o = find("\\_SB_.PCI0._HID", 'I')))
		CHECK_EQ(o->value, 0x030ad041);
	if ((o = find("\\_SB_.PCI0._UID", 'I')))
		CHECK_EQ(o->value, 0);
	if ((o = find("\\_SB_.COM1._HID", 'I')))
		CHECK_EQ(o->value, 0x0105d041);
	if ((o = find("\\_SB_.COM1._UID", 'I')))
		CHECK_EQ(o->value, 1);
	if ((o = find("\\_SB_.PS2_._HID", 'I')))
		CHECK_EQ(o->value, 0x0303d041);
	if ((o = find("\\_SB_.RTC_._HID", 'I')))
		CHECK_EQ(o->value, 0x000bd041);
	if ((o = find("\\_S5_", 'P'))) {
		CHECK_EQ(o->len, 4);
		CHECK_EQ(o->elems[0], 5);
		CHECK_EQ(o->elems[1] | o->elems[2] | o->elems[3], 0);
	}
	CHECK_BUFFER(
	    "\\_SB_.PCI0._CRS",
	    /* WordBusNumber 0-0 */
	    0x88, 0x0d, 0x00, 0x02, 0x0c, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x00,
	    /* IO(Decode16, 0xCF8, 0xCF8, 1, 8) */
	    0x47, 0x01, 0xf8, 0x0c, 0xf8, 0x0c, 0x01, 0x08,
	    /* WordIO 0x0000-0x0CF7, EntireRange */
	    0x88, 0x0d, 0x00, 0x01, 0x0c, 0x03, 0, 0, 0x00, 0x00, 0xf7, 0x0c, 0, 0, 0xf8, 0x0c,
	    /* WordIO 0x0D00-0xFFFF */
	    0x88, 0x0d, 0x00, 0x01, 0x0c, 0x03, 0, 0, 0x00, 0x0d, 0xff, 0xff, 0, 0, 0x00, 0xf3,
	    /* DWordMemory 0xC0000000-0xFEBFFFFF, non-cacheable, read-write */
	    0x87, 0x17, 0x00, 0x00, 0x0c, 0x01, 0, 0, 0, 0, 0x00, 0x00, 0x00, 0xc0, 0xff, 0xff,
	    0xbf, 0xfe, 0, 0, 0, 0, 0x00, 0x00, 0xc0, 0x3e,
	    /* end tag */
	    0x79, 0x00);
	CHECK_BUFFER("\\_SB_.COM1._CRS", 0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x01, 0x08, 0x22, 0x10,
		     0x00, 0x79, 0x00);
	CHECK_BUFFER("\\_SB_.PS2_._CRS", 0x47, 0x01, 0x60, 0x00, 0x60, 0x00, 0x01, 0x01, 0x47, 0x01,
		     0x64, 0x00, 0x64, 0x00, 0x01, 0x01, 0x22, 0x02, 0x00, 0x79, 0x00);
	CHECK_BUFFER("\\_SB_.RTC_._CRS", 0x47, 0x01, 0x70, 0x00, 0x70, 0x00, 0x01, 0x02, 0x22, 0x00,
		     0x01, 0x79, 0x00);
}

TEST(dsdt_mmio_window_follows_config)
{
	struct acpi_config c = config(1);
	c.pci_mmio_base = 0x80000000;
	c.pci_mmio_limit = 0x80000fff;
	struct tables t;
	CHECK(find_tables(&c, &t));
	CHECK(walk_dsdt(&t));
	const struct aml_obj *o = find("\\_SB_.PCI0._CRS", 'B');
	if (!o || o->len != 54)
		return;
	const uint8_t *d = o->data + 16 + 8 + 16 + 16; /* the DWordMemory descriptor */
	CHECK_EQ(d[0], 0x87);
	CHECK_EQ(le32(d + 10), 0x80000000); /* min */
	CHECK_EQ(le32(d + 14), 0x80000fff); /* max */
	CHECK_EQ(le32(d + 22), 0x1000);	    /* length */
}

TEST(oem_id_is_space_padded_to_six)
{
	struct acpi_config c = config(1);
	memcpy(c.oem_id, "ABCDEF", 7);
	CHECK(acpi_build(&c, buf, sizeof buf, RSDP_GPA) > 0);
	CHECK(memcmp(buf + 9, "ABCDEF", 6) == 0);
	memcpy(c.oem_id, "AB\0\0\0\0", 7);
	struct tables t;
	CHECK(find_tables(&c, &t));
	CHECK(memcmp(buf + 9, "AB    ", 6) == 0);
	CHECK(memcmp(t.fadt + 10, "AB    ", 6) == 0);
	CHECK_EQ(sum(buf, 20), 0);
	CHECK_EQ(sum(t.fadt, 276), 0);
}

TEST(too_small_buffer_returns_zero_without_overrun)
{
	struct acpi_config c = config(8);
	memset(buf, 0xcc, sizeof buf);
	size_t used = acpi_build(&c, buf, sizeof buf, RSDP_GPA);
	CHECK(used > 0 && used <= ACPI_TABLES_MAX_SIZE);
	static const size_t smaller[] = {0, 1, 35, 36, 300, 600};
	for (size_t i = 0; i < sizeof smaller / sizeof smaller[0] + 1; i++) {
		size_t size = i < sizeof smaller / sizeof smaller[0] ? smaller[i] : used - 1;
		memset(buf, 0xcc, sizeof buf);
		CHECK_EQ(acpi_build(&c, buf, size, RSDP_GPA), 0);
		CHECK_EQ(buf[size], 0xcc);
	}
	memset(buf, 0xcc, sizeof buf);
	CHECK_EQ(acpi_build(&c, buf, used, RSDP_GPA), used);
	CHECK_EQ(buf[used], 0xcc);
}

TEST(invalid_configs_return_zero)
{
	struct acpi_config c = config(0);
	CHECK_EQ(acpi_build(&c, buf, sizeof buf, RSDP_GPA), 0);
	c = config(9);
	CHECK_EQ(acpi_build(&c, buf, sizeof buf, RSDP_GPA), 0);
	c = config(1);
	c.pci_mmio_base = c.pci_mmio_limit + 1;
	CHECK_EQ(acpi_build(&c, buf, sizeof buf, RSDP_GPA), 0);
	c = config(1);
	c.pm_base = 0xfff8; /* the 12-port block would run past port 0xffff */
	CHECK_EQ(acpi_build(&c, buf, sizeof buf, RSDP_GPA), 0);
	c = config(1);
	size_t used = acpi_build(&c, buf, sizeof buf, RSDP_GPA);
	CHECK_EQ(acpi_build(&c, buf, sizeof buf, 0x100000000ull - used), used);
	CHECK_EQ(acpi_build(&c, buf, sizeof buf, 0x100000000ull - used + 16), 0);
}

/* --- cross-checks with acpica-tools: files go to acpi/ beside this binary --- */

static bool tool_missing(const char *tool)
{
	static char why[96];
	char cmd[96];
	snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", tool);
	if (system(cmd) == 0)
		return false;
	snprintf(why, sizeof why, "%s not on PATH (Debian package acpica-tools)", tool);
	check_skip(why);
	return true;
}

/* $(BUILD)/unit/acpi: the directory of this binary, found through /proc, plus acpi/. */
static bool work_dir(char *dir, size_t n)
{
	ssize_t len = readlink("/proc/self/exe", dir, n - 8);
	if (len <= 0 || (size_t)len >= n - 8)
		return false;
	dir[len] = '\0';
	char *slash = strrchr(dir, '/');
	if (!slash || strchr(dir, '\''))
		return false;
	strcpy(slash, "/acpi");
	return mkdir(dir, 0755) == 0 || errno == EEXIST;
}

static void write_table(const char *dir, const char *name, const uint8_t *table, size_t len)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/%s.dat", dir, name);
	FILE *f = fopen(path, "wb");
	CHECK(f && fwrite(table, 1, len, f) == len);
	if (f)
		fclose(f);
}

/* Runs `cmd` in `dir`; returns its exit status and, in *out, what it printed (to free). */
static int run(const char *dir, const char *cmd, char **out)
{
	char line[4400];
	snprintf(line, sizeof line, "cd '%s' && %s 2>&1", dir, cmd);
	FILE *f = popen(line, "r");
	size_t len = 0, cap = 1 << 16;
	*out = calloc(1, cap);
	if (!f)
		return -1;
	size_t got;
	while ((got = fread(*out + len, 1, cap - 1 - len, f)) > 0)
		len += got;
	int status = pclose(f);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static char *read_text(const char *dir, const char *name)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "r");
	char *text = calloc(1, 1 << 16);
	if (f) {
		size_t n = fread(text, 1, (1 << 16) - 1, f);
		text[n] = '\0';
		fclose(f);
	}
	return text;
}

static int count(const char *text, const char *needle)
{
	int n = 0;
	for (const char *p = text; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

#define CHECK_HAS(text, needle)                                                                    \
	do {                                                                                       \
		if (!strstr((text), (needle)))                                                     \
			check_fail(__FILE__, __LINE__, "missing: " needle);                        \
	} while (0)

/* `iasl -d` on one table: exit status 0, no complaint, and its disassembly (to free). */
static char *disassemble(const char *dir, const char *name, const uint8_t *table)
{
	char cmd[64], *log, dsl[16], path[4200];
	write_table(dir, name, table, le32(table + 4));
	snprintf(dsl, sizeof dsl, "%s.dsl", name);
	snprintf(path, sizeof path, "%s/%s", dir, dsl);
	unlink(path); /* so a stale disassembly is never read */
	snprintf(cmd, sizeof cmd, "iasl -d %s.dat", name);
	CHECK_EQ(run(dir, cmd, &log), 0);
	CHECK(strstr(log, "Binary file appears to be a valid ACPI table") != NULL);
	CHECK_EQ(count(log, "Incorrect checksum") + count(log, "Warning") + count(log, "Error"), 0);
	free(log);
	char *text = read_text(dir, dsl);
	CHECK_EQ(count(text, "Incorrect checksum"), 0);
	return text;
}

/* iasl cannot read a lone RSDP (it takes "PTR " for a table length), so the RSDP is checked
 * above only. */
TEST(iasl_disassembles_every_table)
{
	char dir[4096], want[64];
	if (tool_missing("iasl"))
		return;
	CHECK(work_dir(dir, sizeof dir));
	struct acpi_config c = config(8);
	struct tables t;
	if (!find_tables(&c, &t))
		return;
	char *x = disassemble(dir, "xsdt", t.xsdt);
	CHECK_HAS(x, "Signature : \"XSDT\"");
	snprintf(want, sizeof want, "ACPI Table Address   0 : %016llX",
		 (unsigned long long)le64(t.xsdt + 36));
	CHECK(strstr(x, want) != NULL);
	snprintf(want, sizeof want, "ACPI Table Address   1 : %016llX",
		 (unsigned long long)le64(t.xsdt + 44));
	CHECK(strstr(x, want) != NULL);
	free(x);
	char *f = disassemble(dir, "facp", t.fadt);
	CHECK_HAS(f, "Signature : \"FACP\"");
	CHECK_HAS(f, "Revision : 06");
	CHECK_HAS(f, "FADT Minor Revision : 03");
	CHECK_HAS(f, "Hardware Reduced (V5) : 1");
	CHECK_HAS(f, "SCI Interrupt : 0009");
	CHECK_HAS(f, "PM Timer Block Address : 00000608");
	CHECK_HAS(f, "32-bit PM Timer (V1) : 1");
	CHECK_HAS(f, "Legacy Devices Supported (V2) : 1");
	CHECK_HAS(f, "8042 Present on ports 60/64 (V2) : 1");
	CHECK_HAS(f, "MSI Not Supported (V4) : 0");
	CHECK_HAS(f, "CMOS RTC Not Present (V5) : 0");
	CHECK_HAS(f, "Reset Register Supported (V2) : 1");
	CHECK_HAS(f, "Value to cause reset : 01");
	CHECK_HAS(f, "Hypervisor ID : 484D56484D56484D");
	snprintf(want, sizeof want, "DSDT Address : %016llX",
		 (unsigned long long)le64(t.fadt + 140));
	CHECK(strstr(f, want) != NULL);
	free(f);
	char *m = disassemble(dir, "apic", t.madt);
	CHECK_HAS(m, "Signature : \"APIC\"");
	CHECK_HAS(m, "PC-AT Compatibility : 1");
	CHECK_EQ(count(m, "[Processor Local APIC]"), 8);
	CHECK_EQ(count(m, "[I/O APIC]"), 1);
	CHECK_EQ(count(m, "[Interrupt Source Override]"), 1);
	CHECK_EQ(count(m, "[Local APIC NMI]"), 1);
	CHECK_HAS(m, "Interrupt Input LINT : 01");
	free(m);
	char *d = disassemble(dir, "dsdt", t.dsdt);
	CHECK_HAS(d, "DefinitionBlock (\"\", \"DSDT\", 2, \"MHV   \", \"MHVGUEST\", 0x00000001)");
	CHECK_HAS(d, "Device (PCI0)");
	CHECK_HAS(d, "EisaId (\"PNP0A03\")");
	CHECK_HAS(d, "WordBusNumber (ResourceProducer, MinFixed, MaxFixed, PosDecode,");
	CHECK_EQ(count(d, "WordIO (ResourceProducer"), 2);
	CHECK_HAS(d, "DWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, NonCacheable");
	CHECK_HAS(d, "0xFEBFFFFF,         // Range Maximum");
	CHECK_HAS(d, "EisaId (\"PNP0501\")");
	CHECK_HAS(d, "EisaId (\"PNP0303\")");
	CHECK_HAS(d, "EisaId (\"PNP0B00\")");
	CHECK_HAS(d, "{4}");
	CHECK_HAS(d, "{1}");
	CHECK_HAS(d, "{8}");
	CHECK_HAS(d, "Name (\\_S5, Package (0x04)  // _S5_: S5 System State");
	free(d);
}

/* acpiexec runs ACPICA's table manager and interpreter, as Linux does at boot: the FADT
 * conversion checks (register widths, 32/64-bit address pairs), checksums and AML. */
TEST(acpiexec_loads_the_tables)
{
	char dir[4096], *log;
	if (tool_missing("acpiexec"))
		return;
	CHECK(work_dir(dir, sizeof dir));
	struct acpi_config c = config(8);
	struct tables t;
	if (!find_tables(&c, &t))
		return;
	write_table(dir, "facp", t.fadt, 276);
	write_table(dir, "apic", t.madt, le32(t.madt + 4));
	write_table(dir, "dsdt", t.dsdt, le32(t.dsdt + 4));
	CHECK_EQ(run(dir,
		     "timeout 60 acpiexec -b 'evaluate \\_S5; evaluate \\_SB.PCI0._CRS' "
		     "facp.dat apic.dat dsdt.dat",
		     &log),
		 0);
	CHECK_HAS(log, "ACPI: FACP");
	CHECK_HAS(log, "ACPI: APIC");
	CHECK_HAS(log, "ACPI: DSDT");
	CHECK_HAS(log, "4 Devices");
	CHECK_HAS(log, "[Integer] = 0000000000000005");
	CHECK_HAS(log, "[Buffer] Length 54");
	CHECK_HAS(log, "No outstanding allocations");
	CHECK_EQ(count(log, "Warning") + count(log, "Error") + count(log, "checksum"), 0);
	free(log);
}

CHECK_MAIN("acpi_tables", CASE(rsdp_has_both_checksums_and_points_at_xsdt),
	   CASE(every_table_has_a_valid_header), CASE(xsdt_lists_fadt_then_madt_only),
	   CASE(fadt_fields_at_spec_offsets), CASE(fadt_registers_follow_pm_base),
	   CASE(madt_for_one_cpu), CASE(madt_for_eight_cpus),
	   CASE(dsdt_declares_the_expected_objects), CASE(dsdt_values_and_resources),
	   CASE(dsdt_mmio_window_follows_config), CASE(oem_id_is_space_padded_to_six),
	   CASE(too_small_buffer_returns_zero_without_overrun), CASE(invalid_configs_return_zero),
	   CASE(iasl_disassembles_every_table), CASE(acpiexec_loads_the_tables))
