/* Multiboot2 boot information parser. Every field is bounds-checked against the tag that
 * holds it and every tag against total_size: the MBI is the first input we trust nothing of. */
#include "kernel/mb2.h"
#include "kernel/kstring.h"
#include "kernel/log.h"

enum mb2_tag_type {
	MB2_TAG_END = 0,
	MB2_TAG_CMDLINE = 1,	 /* string */
	MB2_TAG_LOADER_NAME = 2, /* string */
	MB2_TAG_MODULE = 3,	 /* u32 mod_start, u32 mod_end, string */
	MB2_TAG_MEMINFO = 4,	 /* u32 mem_lower, u32 mem_upper (KiB) */
	MB2_TAG_MMAP = 6,	 /* u32 entry_size, u32 entry_version, entries */
	MB2_TAG_FRAMEBUFFER = 8, /* address, pitch, size, depth, type, colour layout */
	MB2_TAG_ACPI_OLD = 14,	 /* copy of the ACPI 1.0 RSDP */
	MB2_TAG_ACPI_NEW = 15,	 /* copy of the ACPI 2.0+ RSDP */
	MB2_TAG_EFI_MMAP = 17,	 /* u32 descriptor_size, u32 descriptor_version, descriptors */
	MB2_TAG_LOAD_BASE = 21,	 /* u32 physical load address of the image */
};

#define MB2_HEADER_SIZE	    8  /* u32 total_size, u32 reserved */
#define MB2_TAG_HEADER_SIZE 8  /* u32 type, u32 size (size excludes the padding) */
#define MB2_TAG_ALIGN	    8  /* each tag starts 8-byte aligned */
#define MB2_MODULE_FIXED    16 /* tag header + mod_start + mod_end */
#define MB2_MEMINFO_SIZE    16
#define MB2_MMAP_FIXED	    16 /* tag header + entry_size + entry_version */
#define MB2_MMAP_ENTRY_MIN  24 /* u64 base_addr, u64 length, u32 type, u32 reserved */
#define MB2_FB_FIXED	    30 /* tag header, u64 addr, u32 pitch/width/height, u8 bpp/type */
#define MB2_FB_RGB_SIZE	    38 /* + u16 reserved (GRUB) and six u8 colour fields */
#define MB2_FB_RGB_FIELDS   32 /* offset of red_field_position */
#define MB2_LOAD_BASE_SIZE  12
#define EFI_DESC_MIN	    40 /* u32 type, pad, u64 phys, virt, pages, attribute */
#define EFI_PAGE_SHIFT	    12
#define EFI_MEMORY_WB	    0x8ull /* attribute: the range supports write-back caching */
#define RSDP_V1_SIZE	    20 /* ACPI 1.0 RSDP */
#define RSDP_V2_SIZE	    36 /* ACPI 2.0 RSDP (XSDT address, extended checksum) */

#define STR_(x) #x
#define STR(x)	STR_(x)

struct tag {
	const uint8_t *p; /* start of the tag header */
	uint32_t type, size;
	size_t off; /* offset in the MBI, for messages */
};

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof v);
	return v;
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof v);
	return v;
}

static void tag_error(struct mb2_info *out, const struct tag *t, const char *what)
{
	log_err("mb2: tag %u at offset %zu (size %u): %s", t->type, t->off, t->size, what);
	out->nerrors++;
}

/* The string stored from `start` to the end of the tag, or NULL if it has no NUL there. */
static const char *tag_string(const struct tag *t, uint32_t start)
{
	if (start >= t->size || !memchr(t->p + start, 0, t->size - start))
		return NULL;
	return (const char *)t->p + start;
}

static void parse_string(struct mb2_info *out, const struct tag *t, const char **dst)
{
	const char *s = tag_string(t, MB2_TAG_HEADER_SIZE);
	if (!s)
		tag_error(out, t, "string not NUL-terminated inside the tag");
	else
		*dst = s;
}

static void parse_module(struct mb2_info *out, const struct tag *t)
{
	if (t->size < MB2_MODULE_FIXED + 1) {
		tag_error(out, t, "module tag too short");
		return;
	}
	uint32_t start = rd32(t->p + 8), end = rd32(t->p + 12);
	const char *cmdline = tag_string(t, MB2_MODULE_FIXED);
	if (!cmdline) {
		tag_error(out, t, "module string not NUL-terminated inside the tag");
		return;
	}
	if (start > end) {
		tag_error(out, t, "module start above its end");
		return;
	}
	if (out->nmodules == MB2_MAX_MODULES) {
		tag_error(out, t,
			  "too many modules; only the first " STR(MB2_MAX_MODULES) " are used");
		return;
	}
	out->modules[out->nmodules++] = (struct mb2_module){start, end, cmdline};
}

static void parse_meminfo(struct mb2_info *out, const struct tag *t)
{
	if (t->size < MB2_MEMINFO_SIZE) {
		tag_error(out, t, "basic meminfo tag too short");
		return;
	}
	out->have_meminfo = true;
	out->mem_lower_kb = rd32(t->p + 8);
	out->mem_upper_kb = rd32(t->p + 12);
}

/* Both maps are kept in place: the parser only checks that whole entries fit the tag. */
static void parse_map(struct mb2_info *out, const struct tag *t, uint32_t min_entry,
		      const uint8_t **entries, uint32_t *stride, unsigned *count)
{
	if (t->size < MB2_MMAP_FIXED) {
		tag_error(out, t, "memory map tag too short");
		return;
	}
	uint32_t entry_size = rd32(t->p + 8);
	if (entry_size < min_entry || entry_size % 8 != 0) {
		tag_error(out, t, "memory map entry size too small or not a multiple of 8");
		return;
	}
	uint32_t bytes = t->size - MB2_MMAP_FIXED;
	if (bytes % entry_size != 0)
		tag_error(out, t, "memory map ends with a partial entry; it is ignored");
	*entries = t->p + MB2_MMAP_FIXED;
	*stride = entry_size;
	*count = bytes / entry_size;
}

static void parse_framebuffer(struct mb2_info *out, const struct tag *t)
{
	if (t->size < MB2_FB_FIXED) {
		tag_error(out, t, "framebuffer tag too short");
		return;
	}
	struct mb2_framebuffer fb = {
	    .addr = rd64(t->p + 8),
	    .pitch = rd32(t->p + 16),
	    .width = rd32(t->p + 20),
	    .height = rd32(t->p + 24),
	    .bpp = t->p[28],
	    .type = t->p[29],
	};
	if (fb.type == MB2_FB_RGB) {
		if (t->size < MB2_FB_RGB_SIZE) {
			tag_error(out, t, "RGB framebuffer tag without its colour layout");
			return;
		}
		const uint8_t *c = t->p + MB2_FB_RGB_FIELDS;
		fb.red_pos = c[0], fb.red_size = c[1], fb.green_pos = c[2];
		fb.green_size = c[3], fb.blue_pos = c[4], fb.blue_size = c[5];
	}
	out->fb = fb;
	out->have_fb = true;
}

static void parse_rsdp(struct mb2_info *out, const struct tag *t, unsigned version)
{
	uint32_t len = t->size - MB2_TAG_HEADER_SIZE;
	if (len < (version == 2 ? RSDP_V2_SIZE : RSDP_V1_SIZE)) {
		tag_error(out, t, "ACPI RSDP copy too short");
		return;
	}
	if (out->rsdp_version > version)
		return; /* the ACPI 2.0 RSDP (with the XSDT) wins whatever the tag order */
	out->rsdp = t->p + MB2_TAG_HEADER_SIZE;
	out->rsdp_len = len;
	out->rsdp_version = version;
}

bool mb2_parse(const void *info, size_t avail, struct mb2_info *out)
{
	const uint8_t *mbi = info;
	memset(out, 0, sizeof *out);

	if ((uintptr_t)info % MB2_TAG_ALIGN != 0) {
		log_err("mb2: boot information at %p is not 8-byte aligned", info);
		return false;
	}
	if (avail < MB2_HEADER_SIZE) {
		log_err("mb2: boot information too small (%zu bytes)", avail);
		return false;
	}
	uint32_t total = rd32(mbi);
	out->total_size = total;
	if (total > avail) {
		log_err("mb2: total_size %u exceeds the %zu readable bytes", total, avail);
		return false;
	}
	if (total < MB2_HEADER_SIZE) {
		log_err("mb2: total_size %u does not cover the 8-byte header", total);
		return false;
	}

	size_t off = MB2_HEADER_SIZE;
	for (;;) {
		if (off + MB2_TAG_HEADER_SIZE > total) {
			log_err("mb2: no end tag within total_size %u", total);
			return false;
		}
		struct tag t = {mbi + off, rd32(mbi + off), rd32(mbi + off + 4), off};
		if (t.size < MB2_TAG_HEADER_SIZE) {
			tag_error(out, &t, "size below 8, so the end tag cannot be reached");
			return false;
		}
		if (t.size > total - off) {
			tag_error(out, &t,
				  "runs past total_size, so the end tag cannot be reached");
			return false;
		}
		switch (t.type) {
		case MB2_TAG_END:
			if (t.size != MB2_TAG_HEADER_SIZE)
				tag_error(out, &t, "end tag size is not 8");
			return true;
		case MB2_TAG_CMDLINE:
			parse_string(out, &t, &out->cmdline);
			break;
		case MB2_TAG_LOADER_NAME:
			parse_string(out, &t, &out->loader_name);
			break;
		case MB2_TAG_MODULE:
			parse_module(out, &t);
			break;
		case MB2_TAG_MEMINFO:
			parse_meminfo(out, &t);
			break;
		case MB2_TAG_MMAP:
			parse_map(out, &t, MB2_MMAP_ENTRY_MIN, &out->mmap, &out->mmap_stride,
				  &out->nmmap);
			break;
		case MB2_TAG_EFI_MMAP:
			parse_map(out, &t, EFI_DESC_MIN, &out->efi_mmap, &out->efi_stride,
				  &out->nefi_mmap);
			break;
		case MB2_TAG_FRAMEBUFFER:
			parse_framebuffer(out, &t);
			break;
		case MB2_TAG_LOAD_BASE:
			if (t.size < MB2_LOAD_BASE_SIZE) {
				tag_error(out, &t, "load base tag too short");
				break;
			}
			out->load_base = rd32(t.p + 8);
			out->have_load_base = true;
			break;
		case MB2_TAG_ACPI_OLD:
			parse_rsdp(out, &t, 1);
			break;
		case MB2_TAG_ACPI_NEW:
			parse_rsdp(out, &t, 2);
			break;
		default: /* EFI system table, ELF sections, ...: not needed */
			break;
		}
		off = (off + t.size + MB2_TAG_ALIGN - 1) & ~(size_t)(MB2_TAG_ALIGN - 1);
	}
}

/* EFI memory types (UEFI 2.10 table 7-5) as the hypervisor sees them after ExitBootServices. */
static enum mb2_mem_kind efi_kind(uint32_t type, uint64_t attr)
{
	enum mb2_mem_kind ram;
	switch (type) {
	case 1: /* loader code */
	case 2: /* loader data (GRUB's: our image, the MBI and modules, reserved by mem.c) */
	case 3: /* boot services code */
	case 4: /* boot services data */
	case 7: /* conventional memory */
		ram = MB2_MEM_USABLE;
		break;
	case 5:	 /* runtime services code */
	case 6:	 /* runtime services data */
	case 9:	 /* ACPI reclaim */
	case 10: /* ACPI NVS */
	case 14: /* persistent memory */
		ram = MB2_MEM_FIRMWARE;
		break;
	default: /* reserved, unusable, MMIO, port space, PAL code, unaccepted, OEM */
		return MB2_MEM_RESERVED;
	}
	/* Memory that cannot be cached write-back is not used as RAM. */
	return attr & EFI_MEMORY_WB ? ram : MB2_MEM_RESERVED;
}

static enum mb2_mem_kind mb2_kind(uint32_t type)
{
	switch (type) {
	case MB2_MMAP_AVAILABLE:
		return MB2_MEM_USABLE;
	case MB2_MMAP_ACPI:
	case MB2_MMAP_NVS:
		return MB2_MEM_FIRMWARE;
	default: /* reserved, defective, unknown */
		return MB2_MEM_RESERVED;
	}
}

unsigned mb2_mem_count(const struct mb2_info *mb)
{
	return mb->efi_mmap ? mb->nefi_mmap : mb->nmmap;
}

struct mb2_mem_range mb2_mem_get(const struct mb2_info *mb, unsigned i)
{
	if (mb->efi_mmap) {
		const uint8_t *d = mb->efi_mmap + (size_t)i * mb->efi_stride;
		uint32_t type = rd32(d);
		uint64_t pages = rd64(d + 24);
		uint64_t len = pages > (UINT64_MAX >> EFI_PAGE_SHIFT) ? UINT64_MAX & ~0xfffull
								       : pages << EFI_PAGE_SHIFT;
		return (struct mb2_mem_range){rd64(d + 8), len, efi_kind(type, rd64(d + 32)), type};
	}
	const uint8_t *e = mb->mmap + (size_t)i * mb->mmap_stride;
	uint32_t type = rd32(e + 16);
	return (struct mb2_mem_range){rd64(e), rd64(e + 8), mb2_kind(type), type};
}

const char *mb2_mem_source(const struct mb2_info *mb)
{
	return mb->efi_mmap ? "EFI memory map" : mb->mmap ? "Multiboot2 memory map" : "none";
}
