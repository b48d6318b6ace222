/* The Multiboot2 information parser. Input: one flag byte (bit 0: hand it a misaligned
 * pointer), then the MBI, in an 8-byte-aligned heap block of exactly its size. Whatever
 * the parser keeps must lie inside total_size: strings end there, the RSDP copy too. */
#define _POSIX_C_SOURCE 200809L /* posix_memalign */
#include "kernel/mb2.h"
#include "tests/fuzz/fuzz.h"
#include "tests/unit/shim.h"

static bool inside(const uint8_t *mbi, uint32_t total, const void *p, size_t n)
{
	const uint8_t *b = p;
	return b >= mbi && (size_t)(b - mbi) <= total && n <= total - (size_t)(b - mbi);
}

static bool string_inside(const uint8_t *mbi, uint32_t total, const char *s)
{
	if (!inside(mbi, total, s, 0))
		return false;
	return memchr(s, 0, total - (size_t)((const uint8_t *)s - mbi)) != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = fuzz_input(data, size);
	bool misaligned = fuzz_u8(&in) & 1;
	size_t n = fuzz_left(&in);
	size_t alloc = n + misaligned;
	void *block = NULL;
	FUZZ_CHECK(posix_memalign(&block, 8, alloc ? alloc : 1) == 0);
	uint8_t *mbi = block;
	memcpy(mbi + misaligned, data + in.pos, n);
	struct mb2_info info;
	bool ok = mb2_parse(mbi + misaligned, n, &info);
	if (ok) {
		const uint8_t *base = mbi + misaligned;
		uint32_t total = info.total_size;
		FUZZ_CHECK(!misaligned && total <= n && total >= 16);
		FUZZ_CHECK(info.nmodules <= MB2_MAX_MODULES);
		FUZZ_CHECK(!info.nmmap || (info.mmap_stride >= 24 &&
					   inside(base, total, info.mmap,
						  (size_t)info.nmmap * info.mmap_stride)));
		FUZZ_CHECK(!info.nefi_mmap || (info.efi_stride >= 40 &&
					       inside(base, total, info.efi_mmap,
						      (size_t)info.nefi_mmap * info.efi_stride)));
		for (unsigned i = 0; i < mb2_mem_count(&info); i++)
			FUZZ_CHECK(mb2_mem_get(&info, i).kind <= MB2_MEM_RESERVED);
		FUZZ_CHECK(!info.cmdline || string_inside(base, total, info.cmdline));
		FUZZ_CHECK(!info.loader_name || string_inside(base, total, info.loader_name));
		for (unsigned i = 0; i < info.nmodules; i++) {
			FUZZ_CHECK(info.modules[i].start <= info.modules[i].end);
			FUZZ_CHECK(string_inside(base, total, info.modules[i].cmdline));
		}
		if (info.rsdp_version)
			FUZZ_CHECK(info.rsdp_len >= 20 &&
				   inside(base, total, info.rsdp, info.rsdp_len));
	}
	free(mbi);
	shim_log_take();
	return 0;
}
