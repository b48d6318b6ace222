#include "drivers/acpi_sdt.h"
#include "kernel/kstring.h"

uint32_t acpi_table_length(uint64_t pa, const char *sig, phys_read_fn read, void *ctx)
{
	uint8_t hdr[SDT_HEADER_LEN], chunk[256];
	if (!read(ctx, pa, hdr, sizeof hdr) || (sig && memcmp(hdr, sig, 4)))
		return 0;
	uint32_t len = le32(hdr + SDT_LENGTH);
	if (len < SDT_HEADER_LEN || len > SDT_MAX_LEN || pa + len < pa)
		return 0;
	uint8_t sum = 0;
	for (uint32_t off = 0; off < len; off += sizeof chunk) {
		uint32_t n = len - off < sizeof chunk ? len - off : sizeof chunk;
		if (!read(ctx, pa + off, chunk, n))
			return 0;
		for (uint32_t i = 0; i < n; i++)
			sum = (uint8_t)(sum + chunk[i]);
	}
	return sum == 0 ? len : 0;
}
