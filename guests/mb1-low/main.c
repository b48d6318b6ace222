/* Multiboot v1 guest linked at 0x8000, below where mhv used to keep its boot information,
 * and given two modules: checks it was loaded at all, that the boot information and the
 * modules sit clear of its image and of each other, and that each module arrives whole with
 * its GRUB command line. The expected modules are those of the bochs-mb1-modules scenario
 * (tests/boot/scenarios, files in tests/boot/images/). */
#include "guests/lib/multiboot.h"
#include "guests/lib/report.h"
#include "guests/lib/string.h"

#define LINKED_AT 0x8000 /* guests.mk: GUEST_BASE */
#define PAGE	  0x1000u
#define LOW_END	  0xa0000u /* base memory ends; the hole up to 1 MiB is never RAM */
#define HOLE_END  0x100000u
#define INFO_SIZE 52 /* the part of the boot information this guest reads */
#define NMODULES  2

extern char __image_start[], __image_end[];

struct expected_module {
	const char *contents;
	const char *cmdline;
};

static const struct expected_module expected[NMODULES] = {
    {"mhv module A: the first of two\n", "module-a.txt"},
    {"module B, the second, a little longer so the two differ in size\n", "module-b.txt arg1 x=2"},
};

static bool overlaps(u32 a, u32 a_end, u32 b, u32 b_end)
{
	return a < b_end && b < a_end;
}

static bool string_is(u32 addr, const char *want)
{
	return addr && strlen((const char *)addr) == strlen(want) &&
	       memcmp((const void *)addr, want, strlen(want)) == 0;
}

static void check_module(const struct mb1_module *mods, u32 i, u32 info)
{
	const struct mb1_module *m = &mods[i];
	u32 image_end = (u32)__image_end;
	u32 len = strlen(expected[i].contents);
	bool placed = m->start % PAGE == 0 && m->start >= image_end &&
		      !overlaps(m->start, m->end, LOW_END, HOLE_END) &&
		      !overlaps(m->start, m->end, info, info + INFO_SIZE) &&
		      (i == 0 || m->start >= mods[i - 1].end);
	report(placed,
	       "modules: %u at [0x%x, 0x%x): page-aligned after the image, clear of the rest", i,
	       m->start, m->end);
	report(m->end - m->start == len &&
		   memcmp((const void *)m->start, expected[i].contents, len) == 0,
	       "modules: %u holds its file (%u bytes)", i, m->end - m->start);
	report(string_is(m->string, expected[i].cmdline), "modules: %u command line '%s'", i,
	       m->string ? (const char *)m->string : "");
}

int main(u32 magic, const struct mb1_info *mbi)
{
	u32 info = (u32)mbi, start = (u32)__image_start, end = (u32)__image_end;
	report(magic == MB1_BOOT_MAGIC && start == LINKED_AT,
	       "low: loaded at 0x%x (image up to 0x%x)", start, end);
	report(!overlaps(info, info + INFO_SIZE, start, end) && info < LOW_END,
	       "low: boot information at 0x%x, clear of the image", info);
	report(string_is(mbi->cmdline, "low kernel"), "low: command line 'low kernel'");
	bool have = (mbi->flags & MB1_INFO_MODS) && mbi->mods_count == NMODULES;
	report(have, "modules: %u listed (flags 0x%x)", mbi->mods_count, mbi->flags);
	const struct mb1_module *mods = (const void *)mbi->mods_addr;
	report(have &&
		   !overlaps(mbi->mods_addr, mbi->mods_addr + NMODULES * sizeof *mods, start, end),
	       "modules: list at 0x%x, clear of the image", mbi->mods_addr);
	for (u32 i = 0; have && i < NMODULES; i++)
		check_module(mods, i, info);
	report_summary();
}
