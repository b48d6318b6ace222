#include "drivers/acpi_host.h"
#include "drivers/acpi_sdt.h"
#include "kernel/kstring.h"

#define RSDP_V1_LEN	 20
#define RSDP_V2_LEN	 36
#define RSDP_REVISION	 15
#define RSDP_RSDT_ADDR	 16
#define RSDP_LENGTH	 20
#define RSDP_XSDT_ADDR	 24
#define SDT_REVISION	 8
#define GAS_LEN		 12	    /* space, bit width, bit offset, access size, u64 address */

#define FADT_DSDT	     40	 /* u32 */
#define FADT_PM1A_CNT_BLK    64	 /* u32 port */
#define FADT_PM1B_CNT_BLK    68	 /* u32 port */
#define FADT_PM_TMR_BLK	     76	 /* u32 port */
#define FADT_PM1_CNT_LEN     89	 /* u8 */
#define FADT_PM_TMR_LEN	     91	 /* u8: 4 when there is a PM timer */
#define FADT_FLAGS	     112 /* u32 */
#define FADT_RESET_REG	     116 /* GAS */
#define FADT_RESET_VALUE     128 /* u8 */
#define FADT_X_DSDT	     140 /* u64 */
#define FADT_X_PM1A_CNT_BLK  172 /* GAS */
#define FADT_X_PM1B_CNT_BLK  184 /* GAS */
#define FADT_X_PM_TMR_BLK    208 /* GAS */
#define FADT_SLEEP_CONTROL   244 /* GAS (ACPI 5.0+) */
#define FADT_F_TMR_VAL_EXT   (1u << 8)	/* the PM timer has 32 bits */
#define FADT_F_RESET_REG_SUP (1u << 10) /* RESET_REG and RESET_VALUE are valid */
#define FADT_F_HW_REDUCED    (1u << 20) /* hardware-reduced ACPI */
#define HPET_BASE_GAS	     40

#define AML_NAME_OP    0x08
#define AML_PACKAGE_OP 0x12
#define AML_ZERO_OP    0x00
#define AML_ONE_OP     0x01
#define AML_ONES_OP    0xff
#define AML_BYTE_PFX   0x0a
#define AML_WORD_PFX   0x0b
#define AML_DWORD_PFX  0x0c

bool acpi_find_table(const void *rsdp, size_t rsdp_len, const char *sig, phys_read_fn read,
		     void *ctx, uint64_t *pa, uint32_t *len)
{
	const uint8_t *r = rsdp;
	if (!r || rsdp_len < RSDP_V1_LEN || memcmp(r, "RSD PTR ", 8) || !acpi_checksum_ok(r, RSDP_V1_LEN))
		return false;
	bool xsdt = r[RSDP_REVISION] >= 2 && rsdp_len >= RSDP_V2_LEN &&
		    le32(r + RSDP_LENGTH) >= RSDP_V2_LEN && acpi_checksum_ok(r, RSDP_V2_LEN) &&
		    le64(r + RSDP_XSDT_ADDR);
	uint64_t root = xsdt ? le64(r + RSDP_XSDT_ADDR) : le32(r + RSDP_RSDT_ADDR);
	unsigned entry = xsdt ? 8 : 4;
	uint32_t root_len = acpi_table_length(root, xsdt ? "XSDT" : "RSDT", read, ctx);
	for (uint32_t off = SDT_HEADER_LEN; root_len && off + entry <= root_len; off += entry) {
		uint8_t p[8] = {0};
		if (!read(ctx, root + off, p, entry))
			return false;
		uint64_t t = entry == 8 ? le64(p) : le32(p);
		uint8_t s[4];
		if (!read(ctx, t, s, sizeof s) || memcmp(s, sig, 4))
			continue;
		uint32_t n = acpi_table_length(t, sig, read, ctx);
		if (n) {
			*pa = t;
			*len = n;
			return true;
		}
	}
	return false;
}

static struct acpi_reg gas(const uint8_t *g)
{
	return (struct acpi_reg){.space = g[0], .bit_width = g[1], .addr = le64(g + 4)};
}

static struct acpi_reg io_port(uint32_t port, uint8_t width)
{
	return (struct acpi_reg){.space = ACPI_SPACE_IO, .bit_width = width, .addr = port};
}

/* An integer data object at p (ZeroOp, OneOp, OnesOp, Byte/Word/DWordPrefix); its size. */
static size_t aml_small_int(const uint8_t *p, size_t n, uint8_t *v)
{
	if (n < 1)
		return 0;
	switch (p[0]) {
	case AML_ZERO_OP:
	case AML_ONE_OP:
	case AML_ONES_OP:
		*v = p[0];
		return 1;
	case AML_BYTE_PFX:
		return n >= 2 ? (*v = p[1], 2) : 0;
	case AML_WORD_PFX:
		return n >= 3 ? (*v = p[1], 3) : 0;
	case AML_DWORD_PFX:
		return n >= 5 ? (*v = p[1], 5) : 0;
	default:
		return 0;
	}
}

bool acpi_find_s5(const uint8_t *aml, size_t n, uint8_t *typ_a, uint8_t *typ_b)
{
	for (size_t i = 1; i + 4 < n; i++) {
		if (memcmp(aml + i, "_S5_", 4))
			continue;
		/* NameOp, optionally a root prefix, then the name: a definition, not a use. */
		bool named = aml[i - 1] == AML_NAME_OP ||
			     (i >= 2 && aml[i - 1] == '\\' && aml[i - 2] == AML_NAME_OP);
		size_t p = i + 4;
		if (!named || p >= n || aml[p] != AML_PACKAGE_OP)
			continue;
		p++;
		if (p >= n)
			return false;
		p += 1 + (aml[p] >> 6); /* PkgLength: bits 7:6 count the bytes that follow */
		p++;			/* NumElements */
		if (p >= n)
			return false;
		size_t k = aml_small_int(aml + p, n - p, typ_a);
		if (!k)
			return false;
		p += k;
		if (!aml_small_int(aml + p, n - p, typ_b))
			*typ_b = 0;
		return true;
	}
	return false;
}

/* The \_S5 sleep types, read from the DSDT a chunk at a time (the name may straddle two
 * chunks, so chunks overlap by a few bytes). */
static void parse_dsdt(uint64_t pa, phys_read_fn read, void *ctx, struct acpi_platform *out)
{
	uint32_t len = acpi_table_length(pa, "DSDT", read, ctx);
	uint8_t buf[512];
	const uint32_t overlap = 16;
	for (uint32_t off = SDT_HEADER_LEN; len && off < len; off += sizeof buf - overlap) {
		uint32_t n = len - off < sizeof buf ? len - off : sizeof buf;
		if (!read(ctx, pa + off, buf, n))
			return;
		if (acpi_find_s5(buf, n, &out->s5_typ_a, &out->s5_typ_b)) {
			out->have_s5 = true;
			return;
		}
		if (n < sizeof buf)
			return;
	}
}

static void parse_fadt(uint64_t pa, uint32_t len, phys_read_fn read, void *ctx,
		       struct acpi_platform *out)
{
	uint8_t f[276] = {0};
	if (!read(ctx, pa, f, len < sizeof f ? len : sizeof f))
		return;
	out->have_fadt = true;
	uint32_t flags = len >= FADT_FLAGS + 4 ? le32(f + FADT_FLAGS) : 0;
	out->hw_reduced = flags & FADT_F_HW_REDUCED;
	if (f[FADT_PM_TMR_LEN] == 4 && le32(f + FADT_PM_TMR_BLK))
		out->pm_timer = io_port(le32(f + FADT_PM_TMR_BLK), 32);
	if (len >= FADT_X_PM_TMR_BLK + GAS_LEN && le64(f + FADT_X_PM_TMR_BLK + 4))
		out->pm_timer = gas(f + FADT_X_PM_TMR_BLK);
	out->pm_timer_32bit = flags & FADT_F_TMR_VAL_EXT;
	if (len >= FADT_RESET_VALUE + 1 && (flags & FADT_F_RESET_REG_SUP)) {
		out->reset_supported = true;
		out->reset_reg = gas(f + FADT_RESET_REG);
		out->reset_value = f[FADT_RESET_VALUE];
	}
	uint8_t cnt_len = f[FADT_PM1_CNT_LEN];
	if (le32(f + FADT_PM1A_CNT_BLK))
		out->pm1a_cnt = io_port(le32(f + FADT_PM1A_CNT_BLK), (uint8_t)(cnt_len * 8));
	if (le32(f + FADT_PM1B_CNT_BLK))
		out->pm1b_cnt = io_port(le32(f + FADT_PM1B_CNT_BLK), (uint8_t)(cnt_len * 8));
	if (len >= FADT_X_PM1B_CNT_BLK + GAS_LEN) {
		if (le64(f + FADT_X_PM1A_CNT_BLK + 4))
			out->pm1a_cnt = gas(f + FADT_X_PM1A_CNT_BLK);
		if (le64(f + FADT_X_PM1B_CNT_BLK + 4))
			out->pm1b_cnt = gas(f + FADT_X_PM1B_CNT_BLK);
	}
	if (len >= FADT_SLEEP_CONTROL + GAS_LEN)
		out->sleep_control = gas(f + FADT_SLEEP_CONTROL);
	uint64_t dsdt = len >= FADT_X_DSDT + 8 && le64(f + FADT_X_DSDT) ? le64(f + FADT_X_DSDT)
									  : le32(f + FADT_DSDT);
	if (dsdt)
		parse_dsdt(dsdt, read, ctx, out);
}

bool acpi_platform_parse(const void *rsdp, size_t rsdp_len, phys_read_fn read, void *ctx,
			 struct acpi_platform *out)
{
	memset(out, 0, sizeof *out);
	uint64_t pa;
	uint32_t len;
	const uint8_t *r = rsdp;
	if (!r || rsdp_len < RSDP_V1_LEN || memcmp(r, "RSD PTR ", 8))
		return false;
	if (acpi_find_table(rsdp, rsdp_len, "FACP", read, ctx, &pa, &len))
		parse_fadt(pa, len, read, ctx, out);
	uint8_t h[HPET_BASE_GAS + GAS_LEN];
	if (acpi_find_table(rsdp, rsdp_len, "HPET", read, ctx, &pa, &len) && len >= sizeof h &&
	    read(ctx, pa, h, sizeof h) && h[HPET_BASE_GAS] == ACPI_SPACE_MEMORY)
		out->hpet_base = le64(h + HPET_BASE_GAS + 4);
	return true;
}
