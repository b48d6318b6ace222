/* Shared machinery of the guest image loaders (kernel/loader*.c); not for other modules. */
#pragma once
#include "kernel/loader.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LOADER_MAX_SEGMENTS 16

/* One piece of the image to place: file bytes [file_off, file_off + filesz) go to gpa, the
 * rest up to memsz is zeroed (bss). vaddr is the ELF link address, for entry translation. */
struct load_segment {
	uint64_t gpa;
	uint64_t vaddr;
	uint64_t file_off;
	uint64_t filesz;
	uint64_t memsz;
};

/* Guest-physical range [start, end) the loader itself uses; empty when start == end. */
struct gpa_range {
	uint64_t start, end;
};

/* Formats a one-line reason into err; always returns false so callers can `return loader_fail(..)`.
 */
bool loader_fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Rejects segments that are truncated, have filesz > memsz, leave [0, mem->size), overlap
 * each other or overlap `reserved`. */
bool segments_check(const struct load_segment *segs, unsigned n, size_t image_size,
		    const struct gmem *mem, struct gpa_range reserved, char *err, size_t errlen);
/* Rejects segments that overlap one of `ranges`, named `what` in the reason. */
bool segments_avoid(const struct load_segment *segs, unsigned n, const struct gpa_range *ranges,
		    unsigned nranges, const char *what, char *err, size_t errlen);
/* Copies each segment's file bytes and zeroes its bss. */
bool segments_place(const void *image, const struct load_segment *segs, unsigned n,
		    struct gmem *mem, char *err, size_t errlen);
/* The guest-physical address of `entry`: inside a segment's physical range as is, else
 * translated from a segment's link (virtual) range; false when in neither. */
bool segments_entry_gpa(const struct load_segment *segs, unsigned n, uint64_t entry, uint64_t *gpa);
bool gmem_zero(struct gmem *mem, uint64_t gpa, uint64_t n);

/* Guest RAM taken so far (image, modules, fixed areas), for placing what comes next. */
#define LOADER_MAX_USED (LOADER_MAX_SEGMENTS + VM_MAX_MODULES + 2) /* + page 0, the hole */
struct gpa_used {
	struct gpa_range range[LOADER_MAX_USED];
	unsigned n;
};
void gpa_use(struct gpa_used *u, uint64_t start, uint64_t end);
/* The lowest page-aligned address >= from where `size` bytes fit below `limit` without
 * touching a used range; false when there is none. */
bool gpa_find(const struct gpa_used *u, uint64_t from, uint64_t limit, uint64_t size,
	      uint64_t *gpa);

/* The guest RAM bios=on fills (loader.h, kernel/bios.h): images must leave it alone. */
#define LOADER_BIOS_AREAS 3
extern const struct gpa_range loader_bios_areas[LOADER_BIOS_AREAS];

/* ELF program headers of a 32- or 64-bit x86 executable as load segments (PT_LOAD with
 * memsz > 0), and its entry point; false with a reason when the headers are unusable. */
bool elf_read_segments(const void *image, size_t size, struct load_segment *segs, unsigned *nsegs,
		       uint64_t *entry, char *err, size_t errlen);
/* Whether the image starts with an ELF header: 0 when not, else its class. */
int elf_class(const void *image, size_t size);
/* Offset of the first Multiboot 1 header in the first 8 KiB (with a valid checksum if
 * valid_only), or -1. */
long mb1_find_header(const void *image, size_t size, bool valid_only);

/* Identity page tables and a GDT for a 64-bit entry (layout in loader.h). */
bool longmode_setup(struct gmem *mem, struct guest_entry *entry, char *err, size_t errlen);
/* The same with the GDT's 64-bit code and data descriptors at code_sel and data_sel:
 * distinct nonzero multiples of 8 below LONGMODE_GDT_SLOTS * 8; the other slots are null. */
#define LONGMODE_GDT_SLOTS 4
bool longmode_setup_gdt(struct gmem *mem, struct guest_entry *entry, uint16_t code_sel,
			uint16_t data_sel, char *err, size_t errlen);

bool load_multiboot1(const void *image, size_t size, const struct vm_config *cfg, struct gmem *mem,
		     struct guest_entry *entry, char *err, size_t errlen);
bool load_elf(const void *image, size_t size, struct gmem *mem, struct guest_entry *entry,
	      char *err, size_t errlen);
bool load_flat(const void *image, size_t size, const struct vm_config *cfg, struct gmem *mem,
	       struct guest_entry *entry, char *err, size_t errlen);
bool load_linux(const void *image, size_t size, const struct vm_config *cfg, struct gmem *mem,
		struct guest_entry *entry, char *err, size_t errlen);
