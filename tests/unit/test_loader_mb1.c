/* Multiboot 1 loader: where the boot information and the modules= modules go, and what the
 * module list says; images linked low (0x8000, 0x9000) and bios=on. */
#include "tests/unit/loader_harness.h"

#define PAGE	       0x1000ull
#define LOW_END	       0xa0000ull
#define HOLE_END       0x100000ull
#define INFO_MODS      (1u << 3)
#define MAX_MOD_BYTES  0x100000
#define MOD_STRING_MAX 600

static uint8_t mod_bytes[VM_MAX_MODULES][MAX_MOD_BYTES];
static char mod_cmdline[VM_MAX_MODULES][MOD_STRING_MAX];

/* Appends a module of `size` patterned bytes named `name`, with GRUB command line `cmd`. */
static void add_module(const char *name, uint64_t size, const char *cmd)
{
	unsigned m = cfg.nmodules++;
	char *names = cfg.module_names;
	for (unsigned i = 0; i < m; i++)
		names += strlen(names) + 1;
	strcpy(names, name);
	for (uint64_t i = 0; i < size; i++)
		mod_bytes[m][i] = (uint8_t)(0x30 + 7 * m + i);
	snprintf(mod_cmdline[m], sizeof mod_cmdline[m], "%s", cmd);
	cfg.module_data[m] = (struct vm_module){mod_bytes[m], size, mod_cmdline[m]};
}

/* A kernel of `bytes` patterned bytes (plus `bss`) loaded at `at` by its address fields. */
static void build_kernel_at(uint32_t at, uint32_t bytes, uint32_t bss)
{
	fill_pattern(0, bytes, 0x61);
	put_mb1_header(0x20, MB1_FLAGS_ADDR);
	put_mb1_addresses(0x20, at + 0x20, at, at + bytes, at + bytes + bss, at);
}

static bool overlaps(uint64_t a, uint64_t a_end, uint64_t b, uint64_t b_end)
{
	return a < b_end && b < a_end;
}

/* The boot information at EBX is whole: info fields, memory map, strings and module list,
 * none of it inside [avoid, avoid_end) (the image). */
static void check_info(uint64_t avoid, uint64_t avoid_end, uint32_t low_kib)
{
	uint64_t info = entry.rbx;
	CHECK_EQ(entry.rax, MB1_BOOTLOADER_MAGIC);
	CHECK(info >= PAGE && info % PAGE == 0);
	CHECK(!overlaps(info, info + 116, avoid, avoid_end));
	CHECK_EQ(ram32(info), 0x24d); /* MEMORY, CMDLINE, MODS, MEM_MAP, LOADER_NAME */
	CHECK_EQ(ram32(info + 4), low_kib);
	CHECK_EQ(ram32(info + 8), (GUEST_MEM - MIB) / 1024);
	CHECK_STR((char *)ram.bytes + ram32(info + 16), cfg.cmdline);
	CHECK_STR((char *)ram.bytes + ram32(info + 64), "mhv");
	uint32_t mmap = ram32(info + 48);
	CHECK_EQ(ram32(info + 44), 3 * 24);
	CHECK_EQ(ram64(mmap + 4), 0);
	CHECK_EQ(ram64(mmap + 12), low_kib * 1024ull);
	CHECK_EQ(ram32(mmap + 20), 1);
	CHECK_EQ(ram64(mmap + 24 + 4), low_kib * 1024ull);
	CHECK_EQ(ram32(mmap + 24 + 20), 2);
	CHECK_EQ(ram64(mmap + 48 + 4), MIB);
	CHECK_EQ(ram64(mmap + 48 + 12), GUEST_MEM - MIB);
	CHECK_EQ(ram32(info + 20), cfg.nmodules);
	uint32_t strings[] = {ram32(info + 16), ram32(info + 64), mmap, ram32(info + 24)};
	for (unsigned i = 0; i < 4; i++)
		CHECK(!overlaps(strings[i], strings[i] + 1, avoid, avoid_end));
}

/* Every module is where the list says, whole, page-aligned, after the image and clear of
 * the image, the boot information, the legacy hole and the other modules. */
static void check_modules(uint64_t image_end)
{
	uint64_t info = entry.rbx, mods = ram32(info + 24);
	uint64_t prev_end = image_end;
	for (unsigned m = 0; m < cfg.nmodules; m++) {
		uint32_t start = ram32(mods + 16 * m), end = ram32(mods + 16 * m + 4);
		CHECK_EQ(start % PAGE, 0);
		CHECK(start >= prev_end); /* in order, after the image */
		CHECK_EQ(end - start, cfg.module_data[m].size);
		CHECK(memcmp(ram.bytes + start, mod_bytes[m], end - start) == 0);
		CHECK_STR((char *)ram.bytes + ram32(mods + 16 * m + 8), mod_cmdline[m]);
		CHECK_EQ(ram32(mods + 16 * m + 12), 0);
		CHECK(!overlaps(start, end, LOW_END, HOLE_END));
		CHECK(!overlaps(start, end, info, info + PAGE));
		CHECK(end <= GUEST_MEM);
		prev_end = end;
	}
}

TEST(image_linked_at_0x8000_loads)
{
	setup(GUEST_MEM);
	strcpy(cfg.cmdline, "low kernel");
	build_kernel_at(0x8000, 0x3000, 0x1000); /* covers [0x9000, 0xa000) */
	CHECK(load(0x3000));
	CHECK(memcmp(ram.bytes + 0x8000, image, 0x3000) == 0); /* not overwritten */
	CHECK(ram_all(0xb000, 0x1000, 0));
	CHECK_EQ(entry.rip, 0x8000);
	check_info(0x8000, 0xc000, 640);
	CHECK(entry.rbx + PAGE <= 0x8000); /* below 640 KiB, where there is room */
}

TEST(image_linked_at_0x9000_loads)
{
	setup(GUEST_MEM);
	build_kernel_at(0x9000, 0x2000, 0);
	CHECK(load(0x2000));
	CHECK(memcmp(ram.bytes + 0x9000, image, 0x2000) == 0);
	check_info(0x9000, 0xb000, 640);
	CHECK(entry.rbx < LOW_END);
}

TEST(image_from_first_page_pushes_info_above_it)
{
	setup(GUEST_MEM);
	build_kernel_at(0x1000, 0x2000, 0x800); /* [0x1000, 0x3800) */
	CHECK(load(0x2000));
	check_info(0x1000, 0x3800, 640);
	CHECK_EQ(entry.rbx, 0x4000);
	CHECK(memcmp(ram.bytes + 0x1000, image, 0x2000) == 0);
}

TEST(full_base_memory_puts_info_above_1m)
{
	setup(GUEST_MEM);
	build_kernel_at(0x1000, 0x1000, LOW_END - 0x2000); /* bss to the end of base memory */
	CHECK(load(0x1000));
	CHECK_EQ(entry.rbx, HOLE_END); /* just after the image, past the hole */
	check_info(0x1000, LOW_END, 640);
	CHECK(ram_all(0x2000, LOW_END - 0x2000, 0)); /* bss intact */
}

TEST(info_larger_than_a_page_stays_whole)
{
	setup(GUEST_MEM);
	memset(cfg.cmdline, 'c', VM_CMDLINE_MAX - 1);
	char cmd[MOD_STRING_MAX];
	for (unsigned m = 0; m < VM_MAX_MODULES; m++) {
		memset(cmd, 'a' + (char)m, sizeof cmd - 1);
		cmd[sizeof cmd - 1] = 0;
		add_module("m", 16, cmd);
	}
	build_kernel_at(0x2000, 0x1000, 0); /* leaves one page below it: too small */
	CHECK(load(0x1000));
	CHECK(entry.rbx >= 0x3000);
	check_info(0x2000, 0x3000, 640);
	check_modules(0x3000);
}

TEST(modules_listed_with_contents_and_command_lines)
{
	setup(GUEST_MEM);
	add_module("env.txt", 0x123, "env.txt");
	add_module("data.bin", 0x2000, "data.bin a=1 \"b c\"");
	add_module("empty", 0, "empty");
	build_mb1_kernel(0);
	CHECK(load(MBK_FILE));
	CHECK_EQ(ram32(entry.rbx + 20), 3);
	check_info(MBK_LOAD, MBK_LOAD + MBK_FILE + MBK_BSS, 640);
	check_modules(MBK_LOAD + MBK_FILE + MBK_BSS);
	uint64_t mods = ram32(entry.rbx + 24);
	CHECK_EQ(ram32(mods), MBK_LOAD + MBK_FILE + MBK_BSS); /* the first page after the image */
	CHECK_EQ(ram32(mods + 16), ram32(mods + 4) + PAGE - 0x123);
	CHECK_EQ(ram32(mods + 32), ram32(mods + 36)); /* an empty module is empty */
}

TEST(modules_after_a_low_image_skip_the_hole)
{
	setup(GUEST_MEM);
	add_module("small", 0x800, "small");
	add_module("big", LOW_END - 0xd000 + 1, "big"); /* one byte too many for base memory */
	build_kernel_at(0x8000, 0x3000, 0x1000);
	CHECK(load(0x3000));
	uint64_t mods = ram32(entry.rbx + 24);
	CHECK_EQ(ram32(mods), 0xc000);
	CHECK_EQ(ram32(mods + 16), HOLE_END);
	check_info(0x8000, 0xc000, 640);
	check_modules(0xc000);
}

TEST(module_too_big_is_an_error)
{
	setup(GUEST_MEM);
	add_module("fits", 0x1000, "fits");
	build_mb1_kernel(0);
	CHECK(load(MBK_FILE));
	cfg.module_data[0].size = GUEST_MEM; /* as big as all RAM */
	CHECK(fails_with(MBK_FILE, "modules=: fits (4194304 bytes) does not fit in mem=4 MiB"));
}

TEST(no_modules_gives_an_empty_list)
{
	setup(GUEST_MEM);
	build_mb1_kernel(0);
	CHECK(load(MBK_FILE));
	CHECK_EQ(ram32(entry.rbx) & INFO_MODS, INFO_MODS);
	CHECK_EQ(ram32(entry.rbx + 20), 0);
	check_modules(MBK_LOAD + MBK_FILE + MBK_BSS);
}

TEST(modules_ignored_for_other_formats)
{
	setup(GUEST_MEM);
	add_module("env.txt", 0x10, "env.txt");
	cfg.have_load = true;
	cfg.load = 0x8000;
	CHECK(load(0x200));
	CHECK(strstr(shim_log_take(), "modules= applies to Multiboot kernels only") != NULL);
	CHECK(ram_all(0x100000, 0x1000, POISON));
}

TEST(bios_on_reserves_the_ebda)
{
	setup(GUEST_MEM);
	cfg.bios = true;
	add_module("m", 0x100, "m");
	build_kernel_at(0x1000, 0x1000, 0x9f000 - 0x2000); /* 3 KiB short of the EBDA */
	CHECK(load(0x1000));
	check_info(0x1000, 0x9f000, 639);
	check_modules(0x9f000);
	CHECK(entry.rbx >= HOLE_END); /* the page left below the EBDA holds the module */
	CHECK_EQ(ram.bytes[LOADER_BIOS_EBDA_GPA], 1); /* EBDA written: 1 KiB */
}

TEST(bios_on_refuses_images_over_its_areas)
{
	setup(GUEST_MEM);
	cfg.bios = true;
	build_kernel_at(0x400, 0x200, 0);
	CHECK(
	    fails_with(0x200, "[0x400, 0x600) overlaps the BIOS areas of bios=on at [0x0, 0x500)"));
	build_kernel_at(0x9f000, 0x1000, 0);
	CHECK(fails_with(0x1000, "overlaps the BIOS areas of bios=on at [0x9fc00, 0xa0000)"));
	build_kernel_at(0xfe000, 0x1800, 0);
	CHECK(fails_with(0x1800, "overlaps the BIOS areas of bios=on at [0xff000, 0x100000)"));
	memset(image, 0, sizeof image);
	cfg.have_load = true;
	cfg.load = 0x300;
	CHECK(fails_with(0x100, "[0x300, 0x400) overlaps the BIOS areas"));
	cfg.load = 0x500;
	CHECK(load(0x100));
	CHECK_EQ(ram32(4 * 0x08), 0xf000f010); /* the IVT is written */
}

TEST(bios_on_refused_for_elf_and_unknown_formats_kept)
{
	setup(GUEST_MEM);
	cfg.bios = true;
	static const uint8_t elf32[] = {0x7f, 'E', 'L', 'F', 1, 1, 1};
	memcpy(image, elf32, sizeof elf32);
	image[16] = 2;	/* ET_EXEC */
	image[18] = 3;	/* EM_386 */
	image[20] = 1;	/* EV_CURRENT */
	image[40] = 52; /* e_ehsize */
	CHECK(fails_with(0x100, "bios=on applies to Multiboot and flat images only, not to this "
				"ELF32 image"));
	CHECK(ram_all(0, GUEST_MEM, POISON));
	memset(image, 0, sizeof image);
	CHECK(fails_with(0x100, "unknown image format")); /* the format error comes first */
}

CHECK_MAIN("loader_mb1", CASE(image_linked_at_0x8000_loads), CASE(image_linked_at_0x9000_loads),
	   CASE(image_from_first_page_pushes_info_above_it),
	   CASE(full_base_memory_puts_info_above_1m), CASE(info_larger_than_a_page_stays_whole),
	   CASE(modules_listed_with_contents_and_command_lines),
	   CASE(modules_after_a_low_image_skip_the_hole), CASE(module_too_big_is_an_error),
	   CASE(no_modules_gives_an_empty_list), CASE(modules_ignored_for_other_formats),
	   CASE(bios_on_reserves_the_ebda), CASE(bios_on_refuses_images_over_its_areas),
	   CASE(bios_on_refused_for_elf_and_unknown_formats_kept))
