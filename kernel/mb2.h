/* Multiboot2 boot information (Multiboot2 spec 1.0, section 3.6), parsed once at boot into
 * a plain struct so that nothing else walks the loader's tags. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MB2_BOOTLOADER_MAGIC 0x36d76289 /* EAX at entry when a Multiboot2 loader started us */
#define MB2_MAX_MODULES	     16
#define MB2_MAX_MMAP	     64

#define MB2_MMAP_AVAILABLE 1 /* memory map entry type: RAM free for use */

struct mb2_module {
	uint32_t start, end; /* physical [start, end) */
	const char *cmdline; /* points into the MBI */
};

struct mb2_mmap_entry {
	uint64_t base, len;
	uint32_t type; /* MB2_MMAP_AVAILABLE, or reserved/ACPI/NVS/bad */
};

struct mb2_info {
	uint32_t total_size;
	const char *cmdline, *loader_name; /* NULL if absent */
	bool have_meminfo;
	uint32_t mem_lower_kb, mem_upper_kb;
	struct mb2_module modules[MB2_MAX_MODULES];
	unsigned nmodules;
	struct mb2_mmap_entry mmap[MB2_MAX_MMAP];
	unsigned nmmap;
	const void *rsdp; /* copy of the ACPI RSDP inside the MBI */
	uint32_t rsdp_len;
	unsigned rsdp_version; /* 0 = none, 1 = old (tag 14), 2 = new (tag 15, preferred) */
	unsigned nerrors;      /* malformed or ignored-because-full tags */
};

/* `info` points at the MBI (8-byte aligned, as the spec guarantees); `avail` bounds how many
 * bytes may be read. Returns false when the MBI as a whole is unusable: misaligned, smaller
 * than its fixed header, total_size > avail, or no end tag reachable (which includes a tag
 * whose size field breaks the chain: below 8 or running past total_size). Other malformed
 * tags are logged with log_err, counted in nerrors and skipped. Strings in `out` point into
 * the MBI, which must stay mapped and untouched. */
bool mb2_parse(const void *info, size_t avail, struct mb2_info *out);
