#include "drivers/acpi_madt.h"
#include "drivers/acpi_sdt.h"
#include "kernel/format.h"
#include "kernel/kstring.h"

#define RSDP_V1_LEN       20  /* ACPI 1.0 RSDP: checksum over these bytes */
#define RSDP_V2_LEN       36  /* ACPI 2.0+: extended checksum over these */
#define RSDP_REVISION     15
#define RSDP_RSDT_ADDR    16  /* u32 */
#define RSDP_LENGTH       20  /* u32 */
#define RSDP_XSDT_ADDR    24  /* u64 */
#define MADT_LAPIC_ADDR   36  /* u32 */
#define MADT_FLAGS        40  /* u32, bit 0 PCAT_COMPAT */
#define MADT_ENTRIES      44
#define MADT_LAPIC        0   /* type 0: processor local APIC, 8 bytes */
#define MADT_IOAPIC       1   /* type 1: I/O APIC, 12 bytes */
#define MADT_X2APIC       9   /* type 9: processor local x2APIC, 16 bytes */
#define LAPIC_ENABLED     1u  /* flags bit 0 */

static bool fail(char *err, size_t errlen, const char *why)
{
	fmt_snprintf(err, errlen, "%s", why);
	return false;
}

static bool parse_madt(uint64_t pa, uint32_t len, phys_read_fn read, void *ctx,
		       struct madt_info *out)
{
	uint8_t e[256];
	if (len < MADT_ENTRIES || !read(ctx, pa, e, MADT_ENTRIES))
		return false;
	out->lapic_addr = le32(e + MADT_LAPIC_ADDR);
	out->pcat_compat = le32(e + MADT_FLAGS) & 1;
	for (uint32_t off = MADT_ENTRIES; off + 2 <= len;) {
		if (!read(ctx, pa + off, e, 2))
			return false;
		uint8_t type = e[0], elen = e[1];
		if (elen < 2 || elen > len - off || !read(ctx, pa + off, e, elen))
			return false;
		uint32_t id = 0, flags = 0;
		bool cpu = false;
		if (type == MADT_LAPIC && elen >= 8) {
			id = e[3];
			flags = le32(e + 4);
			cpu = true;
		} else if (type == MADT_X2APIC && elen >= 16) {
			id = le32(e + 4);
			flags = le32(e + 8);
			cpu = true;
		} else if (type == MADT_IOAPIC && elen >= 12 && !out->ioapic_addr) {
			out->ioapic_addr = le32(e + 4);
		}
		if (cpu && (flags & LAPIC_ENABLED)) {
			if (out->ncpus < MADT_MAX_CPUS)
				out->apic_id[out->ncpus++] = id;
			else
				out->ignored_cpus++;
		}
		off += elen;
	}
	return true;
}

bool madt_parse(const void *rsdp, size_t rsdp_len, phys_read_fn read, void *ctx,
		struct madt_info *out, char *err, size_t errlen)
{
	const uint8_t *r = rsdp;
	memset(out, 0, sizeof *out);
	if (!r || rsdp_len < RSDP_V1_LEN || memcmp(r, "RSD PTR ", 8) || !acpi_checksum_ok(r, RSDP_V1_LEN))
		return fail(err, errlen, "no valid ACPI RSDP from the boot loader");
	bool xsdt = r[RSDP_REVISION] >= 2 && rsdp_len >= RSDP_V2_LEN &&
		    le32(r + RSDP_LENGTH) >= RSDP_V2_LEN && acpi_checksum_ok(r, RSDP_V2_LEN) &&
		    le64(r + RSDP_XSDT_ADDR);
	uint64_t root = xsdt ? le64(r + RSDP_XSDT_ADDR) : le32(r + RSDP_RSDT_ADDR);
	unsigned entry = xsdt ? 8 : 4;
	uint32_t len = acpi_table_length(root, xsdt ? "XSDT" : "RSDT", read, ctx);
	if (!len)
		return fail(err, errlen, "ACPI root table unreadable or corrupt");
	for (uint32_t off = SDT_HEADER_LEN; off + entry <= len; off += entry) {
		uint8_t p[8] = {0};
		if (!read(ctx, root + off, p, entry))
			return fail(err, errlen, "ACPI root table unreadable");
		uint64_t pa = entry == 8 ? le64(p) : le32(p);
		uint8_t sig[4];
		if (!read(ctx, pa, sig, sizeof sig) || memcmp(sig, "APIC", 4))
			continue;
		uint32_t mlen = acpi_table_length(pa, "APIC", read, ctx);
		if (!mlen || !parse_madt(pa, mlen, read, ctx, out))
			return fail(err, errlen, "ACPI MADT corrupt (bad length or checksum)");
		return true;
	}
	return fail(err, errlen, "no ACPI MADT");
}
