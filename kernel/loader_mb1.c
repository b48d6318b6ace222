/* Multiboot 1 kernels (spec 0.6.96): loaded by the header's address fields or, without
 * them, as ELF; entered in flat protected mode with EAX = 0x2BADB002 and EBX = the boot
 * information. The modules= modules and the boot information go where the image is not
 * (the rules are in loader.h). */
#include "kernel/kstring.h"
#include "kernel/loader_priv.h"
#include "kernel/log.h"
#include "kernel/multiboot1.h"

#define LOADER_NAME "mhv"
#define MMAP_MAX    3 /* base memory, the legacy hole, RAM from 1 MiB */

/* The boot information block: the info structure, the memory map, the module list, then
 * the loader name, the command line and the modules' strings. */
#define MMAP_OFF 0x80
#define MODS_OFF (MMAP_OFF + MMAP_MAX * sizeof(struct mb1_mmap_entry))

#define MB1_MANDATORY_BYTES 12 /* magic, flags, checksum */
#define MB1_ADDRESS_BYTES   32 /* ... up to entry_addr */
#define MB1_HF_SATISFIABLE  (MB1_HF_PAGE_ALIGN | MB1_HF_MEMORY_INFO | MB1_HF_VIDEO_MODE)

#define LOW_RAM_END   0xa0000ull /* conventional memory; VGA and BIOS area above */
#define HIGH_RAM_BASE 0x100000ull

_Static_assert(MMAP_OFF >= sizeof(struct mb1_info), "mmap after the info");
_Static_assert(MODS_OFF % 4 == 0, "module list 32-bit aligned");

/* Where the modules and the boot information go, decided before anything is written. */
struct mb1_plan {
	uint64_t low_end; /* end of base memory: 640 KiB, or the EBDA's start with bios=on */
	uint64_t mod_gpa[VM_MAX_MODULES];
	uint64_t info_gpa;
	uint64_t info_size;
};

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

static uint64_t info_size(const struct vm_config *cfg)
{
	uint64_t n = MODS_OFF + cfg->nmodules * sizeof(struct mb1_module) + sizeof LOADER_NAME +
		     strlen(cfg->cmdline) + 1;
	for (unsigned m = 0; m < cfg->nmodules; m++)
		n += strlen(cfg->module_data[m].cmdline) + 1;
	return n;
}

static bool plan_layout(const struct load_segment *segs, unsigned n, const struct vm_config *cfg,
			const struct gmem *mem, struct mb1_plan *p, char *err, size_t errlen)
{
	struct gpa_used used = {0};
	uint64_t image_end = 0;
	for (unsigned i = 0; i < n; i++) {
		uint64_t end = segs[i].gpa + segs[i].memsz;
		gpa_use(&used, segs[i].gpa, end);
		image_end = end > image_end ? end : image_end;
	}
	/* These cover the BIOS areas of bios=on too. */
	p->low_end = cfg->bios ? LOADER_BIOS_EBDA_GPA : LOW_RAM_END;
	gpa_use(&used, 0, LOADER_MB1_INFO_MIN);
	gpa_use(&used, p->low_end, HIGH_RAM_BASE);

	uint64_t from = image_end;
	for (unsigned m = 0; m < cfg->nmodules; m++) {
		uint64_t size = cfg->module_data[m].size;
		if (!gpa_find(&used, from, mem->size, size, &p->mod_gpa[m]))
			return loader_fail(err, errlen,
					   "modules=: %s (%llu bytes) does not fit in mem=%llu MiB "
					   "after the image",
					   vm_config_module_name(cfg, m), (unsigned long long)size,
					   (unsigned long long)(mem->size >> 20));
		gpa_use(&used, p->mod_gpa[m], p->mod_gpa[m] + size);
		from = p->mod_gpa[m] + size;
	}
	p->info_size = info_size(cfg);
	if (!gpa_find(&used, LOADER_MB1_INFO_MIN, p->low_end, p->info_size, &p->info_gpa) &&
	    !gpa_find(&used, image_end, mem->size, p->info_size, &p->info_gpa))
		return loader_fail(err, errlen,
				   "no room for the Multiboot information (%llu bytes) in mem=%llu "
				   "MiB",
				   (unsigned long long)p->info_size,
				   (unsigned long long)(mem->size >> 20));
	return true;
}

static bool write_string(struct gmem *mem, uint64_t *at, const char *s, uint32_t *gpa)
{
	*gpa = (uint32_t)*at;
	uint64_t n = strlen(s) + 1;
	*at += n;
	return mem->write(mem->ctx, *gpa, s, n);
}

static bool write_modules(struct gmem *mem, const struct vm_config *cfg, const struct mb1_plan *p)
{
	for (unsigned m = 0; m < cfg->nmodules; m++) {
		const struct vm_module *d = &cfg->module_data[m];
		if (d->size && !mem->write(mem->ctx, p->mod_gpa[m], d->data, d->size))
			return false;
	}
	return true;
}

static bool write_boot_info(struct gmem *mem, const struct vm_config *cfg, const struct mb1_plan *p)
{
	struct mb1_mmap_entry mmap[MMAP_MAX];
	unsigned nmmap = 0;
	mmap[nmmap++] = mmap_entry(0, p->low_end, MB1_MMAP_AVAILABLE);
	mmap[nmmap++] = mmap_entry(p->low_end, HIGH_RAM_BASE, MB1_MMAP_RESERVED);
	if (mem->size > HIGH_RAM_BASE)
		mmap[nmmap++] = mmap_entry(HIGH_RAM_BASE, mem->size, MB1_MMAP_AVAILABLE);

	uint64_t base = p->info_gpa;
	uint64_t at = base + MODS_OFF + cfg->nmodules * sizeof(struct mb1_module);
	struct mb1_info info = {
	    .flags = MB1_INFO_MEMORY | MB1_INFO_CMDLINE | MB1_INFO_MODS | MB1_INFO_MEM_MAP |
		     MB1_INFO_LOADER_NAME,
	    .mem_lower = (uint32_t)(p->low_end >> 10),
	    .mem_upper =
		mem->size > HIGH_RAM_BASE ? (uint32_t)((mem->size - HIGH_RAM_BASE) >> 10) : 0,
	    .mods_count = cfg->nmodules,
	    .mods_addr = (uint32_t)(base + MODS_OFF),
	    .mmap_length = nmmap * sizeof mmap[0],
	    .mmap_addr = (uint32_t)(base + MMAP_OFF),
	};
	bool ok = gmem_zero(mem, base, p->info_size) &&
		  write_string(mem, &at, LOADER_NAME, &info.boot_loader_name) &&
		  write_string(mem, &at, cfg->cmdline, &info.cmdline);
	for (unsigned m = 0; ok && m < cfg->nmodules; m++) {
		struct mb1_module mod = {.mod_start = (uint32_t)p->mod_gpa[m],
					 .mod_end =
					     (uint32_t)(p->mod_gpa[m] + cfg->module_data[m].size)};
		ok = write_string(mem, &at, cfg->module_data[m].cmdline, &mod.string) &&
		     mem->write(mem->ctx, base + MODS_OFF + m * sizeof mod, &mod, sizeof mod);
	}
	return ok && mem->write(mem->ctx, base, &info, sizeof info) &&
	       mem->write(mem->ctx, base + MMAP_OFF, mmap, nmmap * sizeof mmap[0]);
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
	struct gpa_range none = {0, 0};
	struct mb1_plan plan;
	uint64_t rip;
	if (!segments_check(segs, n, size, mem, none, err, errlen))
		return false;
	if (cfg->bios && !segments_avoid(segs, n, loader_bios_areas, LOADER_BIOS_AREAS,
					 "the BIOS areas of bios=on", err, errlen))
		return false;
	if (!segments_entry_gpa(segs, n, start, &rip))
		return loader_fail(err, errlen,
				   "Multiboot entry point 0x%llx is not in a loaded "
				   "segment",
				   (unsigned long long)start);
	if (!plan_layout(segs, n, cfg, mem, &plan, err, errlen) ||
	    !segments_place(image, segs, n, mem, err, errlen))
		return false;
	if (!write_modules(mem, cfg, &plan) || !write_boot_info(mem, cfg, &plan))
		return loader_fail(err, errlen, "cannot write the Multiboot information");
	entry->mode = GUEST_PROT32;
	entry->rip = rip;
	entry->rax = MB1_BOOTLOADER_MAGIC;
	entry->rbx = plan.info_gpa;
	return true;
}
