/* Multiboot 1 kernels (spec 0.6.96): loaded by the header's address fields or, without
 * them, as ELF; entered in flat protected mode with EAX = 0x2BADB002 and EBX = the boot
 * information, which is built in [LOADER_MB1_INFO_GPA, LOADER_MB1_INFO_END). */
#include "kernel/kstring.h"
#include "kernel/loader_priv.h"
#include "kernel/log.h"
#include "kernel/multiboot1.h"

/* Inside the boot information page. */
#define INFO_GPA	LOADER_MB1_INFO_GPA
#define MMAP_GPA	(LOADER_MB1_INFO_GPA + 0x80)
#define MODS_GPA	(LOADER_MB1_INFO_GPA + 0xe0) /* an empty module list */
#define LOADER_NAME_GPA (LOADER_MB1_INFO_GPA + 0xf0)
#define CMDLINE_GPA	(LOADER_MB1_INFO_GPA + 0x100)
#define LOADER_NAME	"mhv"

#define MB1_MANDATORY_BYTES 12 /* magic, flags, checksum */
#define MB1_ADDRESS_BYTES   32 /* ... up to entry_addr */
#define MB1_HF_SATISFIABLE  (MB1_HF_PAGE_ALIGN | MB1_HF_MEMORY_INFO | MB1_HF_VIDEO_MODE)

#define LOW_RAM_END   0xa0000ull /* conventional memory; VGA and BIOS area above */
#define HIGH_RAM_BASE 0x100000ull

_Static_assert(MMAP_GPA >= INFO_GPA + sizeof(struct mb1_info), "mmap after the info");
_Static_assert(MMAP_GPA + 3 * sizeof(struct mb1_mmap_entry) <= MODS_GPA, "mmap fits");
_Static_assert(CMDLINE_GPA + VM_CMDLINE_MAX <= LOADER_MB1_INFO_END, "cmdline fits");

long mb1_find_header(const void *image, size_t size, bool valid_only)
{
	const uint8_t *bytes = image;
	size_t limit = size < MB1_SEARCH_BYTES ? size : MB1_SEARCH_BYTES;
	for (size_t off = 0; off + MB1_MANDATORY_BYTES <= limit; off += 4) {
		uint32_t w[3];
		memcpy(w, bytes + off, sizeof w);
		if (w[0] == MB1_HEADER_MAGIC && (!valid_only || w[0] + w[1] + w[2] == 0))
			return (long)off;
	}
	return -1;
}

/* The single segment the address fields describe (the "a.out kludge"). */
static bool address_segment(const struct mb1_header *h, long off, size_t size,
			    struct load_segment *seg, char *err, size_t errlen)
{
	if ((size_t)off + MB1_ADDRESS_BYTES > size)
		return loader_fail(err, errlen, "Multiboot header at offset 0x%lx is truncated",
				   off);
	if (h->load_addr > h->header_addr || h->header_addr - h->load_addr > (uint64_t)off)
		return loader_fail(err, errlen,
				   "Multiboot load_addr 0x%x does not fit header_addr 0x%x at file "
				   "offset 0x%lx",
				   h->load_addr, h->header_addr, off);
	uint64_t file_off = (uint64_t)off - (h->header_addr - h->load_addr);
	uint64_t load_end = h->load_end_addr ? h->load_end_addr : h->load_addr + (size - file_off);
	if (load_end < h->load_addr)
		return loader_fail(err, errlen,
				   "Multiboot load_end_addr 0x%x is below load_addr 0x%x",
				   h->load_end_addr, h->load_addr);
	uint64_t end = h->bss_end_addr ? h->bss_end_addr : load_end;
	if (end < load_end)
		return loader_fail(
		    err, errlen,
		    "Multiboot bss_end_addr 0x%x is below the end of the loaded data "
		    "0x%llx",
		    h->bss_end_addr, (unsigned long long)load_end);
	if (end == h->load_addr)
		return loader_fail(err, errlen, "Multiboot header describes nothing to load");
	*seg = (struct load_segment){.gpa = h->load_addr,
				     .vaddr = h->load_addr,
				     .file_off = file_off,
				     .filesz = load_end - h->load_addr,
				     .memsz = end - h->load_addr};
	return true;
}

static struct mb1_mmap_entry mmap_entry(uint64_t base, uint64_t end, uint32_t type)
{
	return (struct mb1_mmap_entry){.size = sizeof(struct mb1_mmap_entry) - 4,
				       .base_addr = base,
				       .length = end - base,
				       .type = type};
}

static bool write_boot_info(struct gmem *mem, const struct vm_config *cfg)
{
	struct mb1_mmap_entry mmap[3];
	unsigned nmmap = 0;
	mmap[nmmap++] = mmap_entry(0, LOW_RAM_END, MB1_MMAP_AVAILABLE);
	mmap[nmmap++] = mmap_entry(LOW_RAM_END, HIGH_RAM_BASE, MB1_MMAP_RESERVED);
	if (mem->size > HIGH_RAM_BASE)
		mmap[nmmap++] = mmap_entry(HIGH_RAM_BASE, mem->size, MB1_MMAP_AVAILABLE);

	struct mb1_info info = {
	    .flags = MB1_INFO_MEMORY | MB1_INFO_CMDLINE | MB1_INFO_MODS | MB1_INFO_MEM_MAP |
		     MB1_INFO_LOADER_NAME,
	    .mem_lower = LOW_RAM_END >> 10,
	    .mem_upper =
		mem->size > HIGH_RAM_BASE ? (uint32_t)((mem->size - HIGH_RAM_BASE) >> 10) : 0,
	    .cmdline = CMDLINE_GPA,
	    .mods_count = 0,
	    .mods_addr = MODS_GPA,
	    .mmap_length = nmmap * sizeof mmap[0],
	    .mmap_addr = MMAP_GPA,
	    .boot_loader_name = LOADER_NAME_GPA,
	};
	return gmem_zero(mem, LOADER_MB1_INFO_GPA, LOADER_MB1_INFO_END - LOADER_MB1_INFO_GPA) &&
	       mem->write(mem->ctx, INFO_GPA, &info, sizeof info) &&
	       mem->write(mem->ctx, MMAP_GPA, mmap, nmmap * sizeof mmap[0]) &&
	       mem->write(mem->ctx, LOADER_NAME_GPA, LOADER_NAME, sizeof LOADER_NAME) &&
	       mem->write(mem->ctx, CMDLINE_GPA, cfg->cmdline, strlen(cfg->cmdline) + 1);
}

bool load_multiboot1(const void *image, size_t size, const struct vm_config *cfg, struct gmem *mem,
		     struct guest_entry *entry, char *err, size_t errlen)
{
	const uint8_t *bytes = image;
	long off = mb1_find_header(image, size, true);
	if (off < 0)
		return loader_fail(err, errlen, "no valid Multiboot header in the first 8 KiB");
	struct mb1_header h = {0};
	size_t avail = size - (size_t)off;
	memcpy(&h, bytes + off, avail < sizeof h ? avail : sizeof h);

	uint32_t unsupported = h.flags & MB1_HF_REQUIRED_MASK & ~MB1_HF_SATISFIABLE;
	if (unsupported)
		return loader_fail(err, errlen,
				   "Multiboot header requires unsupported features (flags 0x%x)",
				   unsupported);
	if (h.flags & MB1_HF_VIDEO_MODE)
		log_info("vm %s: Multiboot video mode request ignored (text console only)",
			 cfg->name);

	struct load_segment segs[LOADER_MAX_SEGMENTS];
	unsigned n = 1;
	uint64_t start;
	if (h.flags & MB1_HF_ADDRESSES) {
		if (!address_segment(&h, off, size, &segs[0], err, errlen))
			return false;
		start = h.entry_addr;
	} else if (elf_class(image, size)) {
		if (!elf_read_segments(image, size, segs, &n, &start, err, errlen))
			return false;
	} else {
		return loader_fail(err, errlen,
				   "Multiboot header has no address fields (flag 16) and the image "
				   "is not ELF");
	}
	struct gpa_range reserved = {LOADER_MB1_INFO_GPA, LOADER_MB1_INFO_END};
	uint64_t rip;
	if (!segments_check(segs, n, size, mem, reserved, err, errlen))
		return false;
	if (!segments_entry_gpa(segs, n, start, &rip))
		return loader_fail(err, errlen,
				   "Multiboot entry point 0x%llx is not in a loaded "
				   "segment",
				   (unsigned long long)start);
	if (!segments_place(image, segs, n, mem, err, errlen))
		return false;
	if (!write_boot_info(mem, cfg))
		return loader_fail(err, errlen, "cannot write the Multiboot information");
	entry->mode = GUEST_PROT32;
	entry->rip = rip;
	entry->rax = MB1_BOOTLOADER_MAGIC;
	entry->rbx = INFO_GPA;
	return true;
}
