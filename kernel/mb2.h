/* Multiboot2 boot information (Multiboot2 spec 1.0, section 3.6), parsed once at boot into
 * a plain struct so that nothing else walks the loader's tags. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MB2_BOOTLOADER_MAGIC 0x36d76289 /* EAX at entry when a Multiboot2 loader started us */
#define MB2_MAX_MODULES	     16

#define MB2_MMAP_AVAILABLE 1 /* Multiboot2 memory map type: RAM free for use */
#define MB2_MMAP_ACPI	   3 /* ACPI tables: RAM, reclaimable once they are read */
#define MB2_MMAP_NVS	   4 /* ACPI NVS: RAM the firmware keeps */

struct mb2_module {
	uint32_t start, end; /* physical [start, end) */
	const char *cmdline; /* points into the MBI */
};

/* What a memory-map entry is to the hypervisor, whichever map it came from. */
enum mb2_mem_kind {
	MB2_MEM_USABLE,	  /* RAM free once the loader is done (Multiboot type 1; EFI loader and
			   * boot-services code/data, conventional memory) */
	MB2_MEM_FIRMWARE, /* RAM the firmware keeps (ACPI tables and NVS, EFI runtime services,
			   * persistent memory): mapped write-back, never allocated */
	MB2_MEM_RESERVED, /* not RAM, or not to be touched (reserved, MMIO, defective, unknown) */
};

struct mb2_mem_range {
	uint64_t base, len;
	enum mb2_mem_kind kind;
	uint32_t type; /* the type as the map gave it, for messages */
};

/* A framebuffer from the Multiboot2 framebuffer tag (spec 3.6.12). */
enum mb2_fb_type { MB2_FB_INDEXED = 0, MB2_FB_RGB = 1, MB2_FB_EGA_TEXT = 2 };
struct mb2_framebuffer {
	uint64_t addr;
	uint32_t pitch, width, height; /* bytes per line; pixels (characters for EGA text) */
	uint8_t bpp, type;
	uint8_t red_pos, red_size, green_pos, green_size, blue_pos, blue_size; /* RGB only */
};

struct mb2_info {
	uint32_t total_size;
	const char *cmdline, *loader_name; /* NULL if absent */
	bool have_meminfo;
	uint32_t mem_lower_kb, mem_upper_kb;
	struct mb2_module modules[MB2_MAX_MODULES];
	unsigned nmodules;
	/* The memory maps, read in place (any length): Multiboot2 (tag 6) and EFI (tag 17). */
	const uint8_t *mmap, *efi_mmap;
	uint32_t mmap_stride, efi_stride;
	unsigned nmmap, nefi_mmap;
	bool have_fb;
	struct mb2_framebuffer fb;
	bool have_load_base;
	uint64_t load_base; /* where the loader put the image (relocatable tag honoured) */
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

/* The memory map the hypervisor uses: the EFI map when the loader gave one (it is the
 * firmware's final map, taken at ExitBootServices), else the Multiboot2 map. Entries in the
 * map's order, any number of them; overlaps are possible (kernel/mem.c resolves them). */
unsigned mb2_mem_count(const struct mb2_info *mb);
struct mb2_mem_range mb2_mem_get(const struct mb2_info *mb, unsigned i);
const char *mb2_mem_source(const struct mb2_info *mb);
