/* What the Multiboot v1 loader in mhv hands over. */
#include "guests/lib/report.h"
#include "guests/mb1-test/tests.h"

#define KIB 1024u
/* With mem=16 the VM has 16 MiB; firmware-style holes may take up to 2 MiB of it. */
#define MEM_UPPER_MIN_KIB (14 * KIB - KIB) /* mem_upper counts from 1 MiB */
#define MEM_UPPER_MAX_KIB (16 * KIB - KIB)

#define LEGACY_HOLE_START 0xa0000ull /* VGA memory and BIOS ROMs: never RAM */
#define LEGACY_HOLE_END	  0x100000ull

/* True if the map has entries and none marks any of the legacy hole available. */
static bool mmap_hole_reserved(const struct mb1_info *mbi)
{
	u32 at = mbi->mmap_addr, end = mbi->mmap_addr + mbi->mmap_length;
	u32 entries = 0;

	while (at < end) {
		const struct mb1_mmap_entry *e = (const void *)at;
		bool overlaps =
		    e->base < LEGACY_HOLE_END && e->base + e->length > LEGACY_HOLE_START;
		if (e->type == MB1_MMAP_AVAILABLE && overlaps)
			return false;
		entries++;
		at += e->size + sizeof(e->size);
	}
	return entries > 0;
}

void test_boot_info(u32 magic, const struct mb1_info *mbi)
{
	report(magic == MB1_BOOT_MAGIC, "boot: EAX = 0x2badb002 (got 0x%x)", magic);
	report((mbi->flags & MB1_INFO_MEM) && (mbi->flags & MB1_INFO_MMAP),
	       "boot: info flags have MEM and MMAP (flags 0x%x)", mbi->flags);
	if (mbi->flags & MB1_INFO_MEM)
		report(mbi->mem_upper >= MEM_UPPER_MIN_KIB && mbi->mem_upper <= MEM_UPPER_MAX_KIB,
		       "boot: mem_upper fits a 16 MiB VM (%u KiB)", mbi->mem_upper);
	else
		report(false, "boot: mem_upper fits a 16 MiB VM (no MEM info)");
	report((mbi->flags & MB1_INFO_MMAP) && mmap_hole_reserved(mbi),
	       "boot: memory map keeps 0xa0000-0xfffff unavailable");
}
