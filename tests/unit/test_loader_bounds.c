/* Every bound the ELF, flat and Multiboot header loaders and the shared segment checks
 * apply, at the limit, one past it, and with offsets and addresses that wrap at 2^64 (or
 * 2^32). Images are loaded from heap blocks of exactly their size, so ASan reports any
 * read past the file. */
#include "tests/unit/loader_harness.h"
#include <stdlib.h>

#define NEAR_2_64(n) (0ull - (uint64_t)(n))

/* Loads the first `size` bytes of the image from a heap block of exactly that size. */
static bool load_exact(size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);
	memcpy(copy, image, size);
	err[0] = 0;
	bool ok = image_load(copy, size, &cfg, &mem, &entry, err, sizeof err);
	free(copy);
	return ok;
}

static bool exact_fails_with(size_t size, const char *part)
{
	if (load_exact(size))
		return false;
	if (!strstr(err, part))
		printf("    error '%s' lacks '%s'\n", err, part);
	return strstr(err, part) != NULL;
}

static void put_u16(size_t off, uint16_t v)
{
	memcpy(image + off, &v, sizeof v);
}

static void put_u64(size_t off, uint64_t v)
{
	memcpy(image + off, &v, sizeof v);
}

/* One segment of n bytes of file at `offset`, loaded at 1 MiB and entered at its start. */
static struct seg one_seg(uint64_t offset, uint64_t n)
{
	return (struct seg){PT_LOAD, 0x100000, 0x100000, offset, n, n};
}

/* --- ELF headers --- */

TEST(elf_header_needs_all_its_bytes)
{
	setup(GUEST_MEM);
	struct seg s = one_seg(0x100, 0x10);
	build_elf32(&s, 1, 0x100000, EM_386);
	CHECK_EQ(image_detect(image, 52, &cfg), IMAGE_ELF32);
	CHECK_EQ(image_detect(image, 51, &cfg), IMAGE_UNKNOWN);
	build_elf64(&s, 1, 0x100000);
	CHECK_EQ(image_detect(image, 64, &cfg), IMAGE_ELF64);
	CHECK_EQ(image_detect(image, 63, &cfg), IMAGE_UNKNOWN);
}

TEST(elf_phentsize_at_its_minimum)
{
	setup(GUEST_MEM);
	struct seg s = one_seg(0x100, 0x10);
	build_elf32(&s, 1, 0x100000, EM_386);
	CHECK(load_exact(0x110));
	put_u16(42, 31); /* e_phentsize */
	CHECK(exact_fails_with(0x110, "program header size 31 is too small"));
	build_elf64(&s, 1, 0x100000);
	CHECK(load_exact(0x110));
	put_u16(54, 55);
	CHECK(exact_fails_with(0x110, "program header size 55 is too small"));
}

/* Program headers may end exactly at the end of the file (here a bss-only segment). */
TEST(elf_program_headers_end_at_the_file_end)
{
	setup(GUEST_MEM);
	struct seg s = {PT_LOAD, 0x100000, 0x100000, 0, 0, 0x1000};
	build_elf32(&s, 1, 0x100000, EM_386);
	CHECK(load_exact(52 + 32));
	CHECK(exact_fails_with(52 + 31, "program headers run past the end"));
	build_elf64(&s, 1, 0x100000);
	CHECK(load_exact(64 + 56));
	CHECK(exact_fails_with(64 + 55, "program headers run past the end"));
}

/* e_phoff past the file, at its very end, or so large that phoff + size wraps. */
TEST(elf_phoff_bounded_by_the_file)
{
	static const uint64_t phoffs[] = {0x201,	 0x200,	       0x1ff,	  NEAR_2_64(8),
					  NEAR_2_64(56), NEAR_2_64(1), 1ull << 63};
	setup(GUEST_MEM);
	struct seg s = one_seg(0x100, 0x10);
	for (unsigned i = 0; i < sizeof phoffs / sizeof phoffs[0]; i++) {
		build_elf64(&s, 1, 0x100000);
		put_u64(32, phoffs[i]);
		CHECK(exact_fails_with(0x200, "program headers run past the end"));
	}
	build_elf64(&s, 1, 0x100000);
	memcpy(image + 0x200 - 56, image + 64, 56);
	put_u64(32, 0x200 - 56); /* the last 56 bytes of the file */
	CHECK(load_exact(0x200));
	build_elf32(&s, 1, 0x100000, EM_386);
	uint32_t phoff32 = 0xffffffe0;
	memcpy(image + 28, &phoff32, 4);
	CHECK(exact_fails_with(0x200, "program headers run past the end"));
}

TEST(elf_16_load_segments_and_not_17)
{
	struct seg segs[17];
	setup(GUEST_MEM);
	for (unsigned i = 0; i < 17; i++)
		segs[i] = (struct seg){
		    PT_LOAD, 0x100000 + 0x1000 * i, 0x100000 + 0x1000 * i, 0x1000, 0x10, 0x10};
	build_elf64(segs, 16, 0x100000);
	CHECK(load_exact(0x1010));
	build_elf64(segs, 17, 0x100000);
	CHECK(exact_fails_with(0x1010, "more than 16 ELF PT_LOAD segments"));
}

/* --- segments (loader_segments.c) --- */

TEST(segment_filesz_equal_to_memsz_and_one_above)
{
	setup(GUEST_MEM);
	struct seg s = one_seg(0x100, 0x10);
	build_elf64(&s, 1, 0x100000);
	CHECK(load_exact(0x110));
	s.filesz = 0x11;
	build_elf64(&s, 1, 0x100000);
	CHECK(exact_fails_with(0x111, "file size 0x11 exceeds memory size 0x10"));
}

TEST(segment_file_bytes_end_at_the_file_end)
{
	setup(GUEST_MEM);
	struct seg s = one_seg(0x100, 0x10);
	build_elf64(&s, 1, 0x100000);
	CHECK(load_exact(0x110));
	CHECK(exact_fails_with(0x10f, "run past the end of the image"));
	s.offset = 0x110; /* no file bytes at all, at the very end */
	s.filesz = 0;
	build_elf64(&s, 1, 0x100000);
	CHECK(load_exact(0x110));
}

/* p_offset + p_filesz must not wrap past 2^64 back into the file. */
TEST(segment_file_offset_that_wraps)
{
	/* offset + size lands inside the 0x200-byte file once it wraps */
	static const struct {
		uint64_t offset, size;
	} wraps[] = {{NEAR_2_64(0x10), 0x20},
		     {NEAR_2_64(1), 2},
		     {NEAR_2_64(0x800), 0x9ff},
		     {1ull << 63, 1ull << 63}};
	setup(GUEST_MEM);
	for (unsigned i = 0; i < sizeof wraps / sizeof wraps[0]; i++) {
		struct seg s = one_seg(wraps[i].offset, wraps[i].size);
		build_elf64(&s, 1, 0x100000);
		CHECK(exact_fails_with(0x200, "run past the end of the image"));
	}
	struct seg s = one_seg(0x201, 0); /* offset one past the file, nothing to copy */
	s.memsz = 0x10;
	build_elf64(&s, 1, 0x100000);
	CHECK(exact_fails_with(0x200, "run past the end of the image"));
}

TEST(segment_ends_at_the_end_of_ram)
{
	setup(GUEST_MEM);
	struct seg s = {PT_LOAD, GUEST_MEM - 0x1000, GUEST_MEM - 0x1000, 0x100, 0x10, 0x1000};
	build_elf64(&s, 1, GUEST_MEM - 0x1000);
	CHECK(load_exact(0x110));
	s.memsz = 0x1001;
	build_elf64(&s, 1, GUEST_MEM - 0x1000);
	CHECK(exact_fails_with(0x110, "does not fit in mem=4 MiB"));
	s = (struct seg){PT_LOAD, GUEST_MEM, GUEST_MEM, 0x100, 0, 1};
	build_elf64(&s, 1, GUEST_MEM);
	CHECK(exact_fails_with(0x110, "does not fit in mem=4 MiB"));
}

/* p_paddr + p_memsz must not wrap past 2^64 into guest RAM. */
TEST(segment_address_that_wraps)
{
	setup(GUEST_MEM);
	struct seg s = {PT_LOAD, NEAR_2_64(0x1000), 0x100000, 0x100, 0x10, 0x2000};
	build_elf64(&s, 1, 0x100000);
	CHECK(exact_fails_with(0x110, "does not fit in mem=4 MiB"));
	s.paddr = NEAR_2_64(1);
	s.memsz = 0x101000;
	build_elf64(&s, 1, 0x100000);
	CHECK(exact_fails_with(0x110, "does not fit in mem=4 MiB"));
}

/* The ELF64 page tables and GDT take [0x1000, 0x8000): a segment may end at its start or
 * begin at its end. */
TEST(segment_beside_the_loader_structures)
{
	setup(GUEST_MEM);
	struct seg below = {PT_LOAD, 0x800, 0x800, 0x100, 0x10, 0x800};
	build_elf64(&below, 1, 0x800);
	CHECK(load_exact(0x110));
	below.memsz = 0x801;
	build_elf64(&below, 1, 0x800);
	CHECK(exact_fails_with(0x110, "overlaps the loader's structures"));
	struct seg above = {PT_LOAD, 0x8000, 0x8000, 0x100, 0x10, 0x10};
	build_elf64(&above, 1, 0x8000);
	CHECK(load_exact(0x110));
	above.paddr = above.vaddr = 0x7fff;
	build_elf64(&above, 1, 0x7fff);
	CHECK(exact_fails_with(0x110, "overlaps the loader's structures"));
}

TEST(segments_adjacent_and_overlapping_by_one_byte)
{
	setup(GUEST_MEM);
	struct seg segs[2] = {{PT_LOAD, 0x100000, 0x100000, 0x100, 0x10, 0x1000},
			      {PT_LOAD, 0x101000, 0x101000, 0x110, 0x10, 0x10}};
	build_elf64(segs, 2, 0x100000);
	CHECK(load_exact(0x120));
	segs[1].paddr = 0x100fff;
	build_elf64(segs, 2, 0x100000);
	CHECK(exact_fails_with(0x120, "overlap"));
}

/* The entry may be a segment's last byte, physical or linked, but not the byte after. */
TEST(entry_at_the_last_byte_of_a_segment)
{
	setup(GUEST_MEM);
	struct seg s = {PT_LOAD, 0x100000, 0xffffffff80000000ull, 0x100, 0x10, 0x1000};
	build_elf64(&s, 1, 0x100fff);
	CHECK(load_exact(0x110));
	CHECK_EQ(entry.rip, 0x100fff);
	build_elf64(&s, 1, 0x101000);
	CHECK(exact_fails_with(0x110, "is not in a loaded segment"));
	build_elf64(&s, 1, 0xffffffff80000fffull);
	CHECK(load_exact(0x110));
	CHECK_EQ(entry.rip, 0x100fff);
	build_elf64(&s, 1, 0xffffffff80001000ull);
	CHECK(exact_fails_with(0x110, "is not in a loaded segment"));
	build_elf64(&s, 1, 0xfffff);
	CHECK(exact_fails_with(0x110, "is not in a loaded segment"));
}

/* --- flat binaries --- */

TEST(flat_image_ends_at_the_end_of_ram)
{
	setup(GUEST_MEM);
	cfg.have_load = true;
	cfg.load = GUEST_MEM - 0x200;
	CHECK(load_exact(0x200));
	CHECK(exact_fails_with(0x201, "does not fit"));
	cfg.load = GUEST_MEM;
	CHECK(exact_fails_with(1, "does not fit"));
	cfg.load = NEAR_2_64(0x10); /* load + size would wrap to 0xf0 */
	CHECK(exact_fails_with(0x100, "does not fit"));
}

TEST(flat_entry_first_and_last_byte_of_the_image)
{
	setup(GUEST_MEM);
	cfg.have_load = cfg.have_entry = true;
	cfg.load = 0x100000;
	cfg.entry = 0x1000ff;
	CHECK(load_exact(0x100));
	CHECK_EQ(entry.rip, 0x1000ff);
	cfg.entry = 0x100100;
	CHECK(exact_fails_with(0x100, "outside the image"));
	cfg.entry = 0xfffff;
	CHECK(exact_fails_with(0x100, "outside the image"));
	cfg.entry = NEAR_2_64(1);
	CHECK(exact_fails_with(0x100, "outside the image"));
}

/* Real mode reaches up to 0xfffff (F000:FFFF); from 1 MiB the guest starts protected. */
TEST(flat_real_mode_limit)
{
	setup(GUEST_MEM);
	cfg.have_load = cfg.have_entry = true;
	cfg.load = 0xff000;
	cfg.entry = 0xfffff;
	CHECK(load_exact(0x2000));
	CHECK_EQ(entry.mode, GUEST_REAL16);
	CHECK_EQ(entry.cs_selector, 0xf000);
	CHECK_EQ(entry.rip, 0xffff);
	cfg.entry = 0x100000;
	CHECK(load_exact(0x2000));
	CHECK_EQ(entry.mode, GUEST_PROT32);
	CHECK_EQ(entry.rip, 0x100000);
}

/* --- Multiboot 1 headers --- */

/* The header search stops at the end of the image even inside the first 8 KiB. */
TEST(mb1_header_search_bounded_by_the_image)
{
	setup(GUEST_MEM);
	put_mb1_header(0x100, 0);
	CHECK_EQ(image_detect(image, 0x10c, &cfg), IMAGE_MULTIBOOT1);
	CHECK_EQ(image_detect(image, 0x10b, &cfg), IMAGE_UNKNOWN);
	CHECK_EQ(image_detect(image, 0x100, &cfg), IMAGE_UNKNOWN);
	CHECK(exact_fails_with(0x10b, "unknown image format"));
	memset(image, 0, sizeof image);
	put_mb1_header(8192 - 12, 0);
	CHECK_EQ(image_detect(image, 8192, &cfg), IMAGE_MULTIBOOT1);
	memset(image, 0, sizeof image);
	put_mb1_header(8192 - 8, 0); /* straddles the 8 KiB limit */
	CHECK_EQ(image_detect(image, 16384, &cfg), IMAGE_UNKNOWN);
}

/* With flag 16 the header is 32 bytes: the file must hold all of them. */
TEST(mb1_address_fields_end_at_the_file_end)
{
	setup(GUEST_MEM);
	put_mb1_header(0, MB1_FLAGS_ADDR);
	put_mb1_addresses(0, MBK_LOAD, MBK_LOAD, 0, 0, MBK_LOAD);
	CHECK(load_exact(32));
	CHECK(exact_fails_with(31, "Multiboot header at offset 0x0 is truncated"));
}

/* header_addr - load_addr is the header's file offset at most (then the file starts at
 * load_addr); one more would load from before the file. */
TEST(mb1_header_addr_up_to_the_header_offset)
{
	setup(GUEST_MEM);
	put_mb1_header(0x40, MB1_FLAGS_ADDR);
	put_mb1_addresses(0x40, MBK_LOAD + 0x40, MBK_LOAD, 0, 0, MBK_LOAD);
	CHECK(load_exact(0x100));
	put_mb1_addresses(0x40, MBK_LOAD + 0x41, MBK_LOAD, 0, 0, MBK_LOAD);
	CHECK(exact_fails_with(0x100, "does not fit header_addr"));
	put_mb1_addresses(0x40, 0xffffffff, 0, 0, 0, 0);
	CHECK(exact_fails_with(0x100, "does not fit header_addr"));
}

TEST(mb1_load_and_bss_end_limits)
{
	setup(GUEST_MEM);
	put_mb1_header(0, MB1_FLAGS_ADDR);
	put_mb1_addresses(0, MBK_LOAD, MBK_LOAD, MBK_LOAD + 0x100, MBK_LOAD + 0x100, MBK_LOAD);
	CHECK(load_exact(0x100)); /* load_end at the file end, bss_end == load_end */
	put_mb1_addresses(0, MBK_LOAD, MBK_LOAD, MBK_LOAD + 0x101, 0, MBK_LOAD);
	CHECK(exact_fails_with(0x100, "run past the end of the image"));
	put_mb1_addresses(0, MBK_LOAD, MBK_LOAD, MBK_LOAD + 0x100, MBK_LOAD + 0xff, MBK_LOAD);
	CHECK(exact_fails_with(0x100, "bss_end_addr"));
	put_mb1_addresses(0, MBK_LOAD, MBK_LOAD, MBK_LOAD - 1, 0, MBK_LOAD);
	CHECK(exact_fails_with(0x100, "load_end_addr"));
	put_mb1_addresses(0, MBK_LOAD, MBK_LOAD, MBK_LOAD, 0, MBK_LOAD);
	CHECK(exact_fails_with(0x100, "describes nothing to load"));
}

/* 32-bit address fields near 2^32 are computed in 64 bits: no wrap into low memory. */
TEST(mb1_addresses_near_4g_do_not_wrap)
{
	setup(GUEST_MEM);
	put_mb1_header(0, MB1_FLAGS_ADDR);
	put_mb1_addresses(0, 0xfffff000, 0xfffff000, 0xffffffff, 0, 0xfffff000);
	CHECK(exact_fails_with(0x2000, "does not fit in mem=4 MiB"));
	put_mb1_addresses(0, 0xffffff00, 0xffffff00, 0, 0, 0xffffff00);
	CHECK(exact_fails_with(0x2000, "does not fit in mem=4 MiB"));
}

/* A module may take the rest of RAM exactly. */
TEST(mb1_module_fills_ram_exactly)
{
	uint8_t *data = calloc(1, GUEST_MEM);
	setup(GUEST_MEM);
	build_mb1_kernel(0);
	cfg.nmodules = 1;
	strcpy(cfg.module_names, "m");
	uint64_t image_end = MBK_LOAD + MBK_FILE + MBK_BSS;
	cfg.module_data[0] = (struct vm_module){data, GUEST_MEM - image_end, "m"};
	CHECK(load_exact(MBK_FILE));
	cfg.module_data[0].size++;
	CHECK(exact_fails_with(MBK_FILE, "does not fit"));
	free(data);
}

CHECK_MAIN("loader_bounds", CASE(elf_header_needs_all_its_bytes),
	   CASE(elf_phentsize_at_its_minimum), CASE(elf_program_headers_end_at_the_file_end),
	   CASE(elf_phoff_bounded_by_the_file), CASE(elf_16_load_segments_and_not_17),
	   CASE(segment_filesz_equal_to_memsz_and_one_above),
	   CASE(segment_file_bytes_end_at_the_file_end), CASE(segment_file_offset_that_wraps),
	   CASE(segment_ends_at_the_end_of_ram), CASE(segment_address_that_wraps),
	   CASE(segment_beside_the_loader_structures),
	   CASE(segments_adjacent_and_overlapping_by_one_byte),
	   CASE(entry_at_the_last_byte_of_a_segment), CASE(flat_image_ends_at_the_end_of_ram),
	   CASE(flat_entry_first_and_last_byte_of_the_image), CASE(flat_real_mode_limit),
	   CASE(mb1_header_search_bounded_by_the_image),
	   CASE(mb1_address_fields_end_at_the_file_end),
	   CASE(mb1_header_addr_up_to_the_header_offset), CASE(mb1_load_and_bss_end_limits),
	   CASE(mb1_addresses_near_4g_do_not_wrap), CASE(mb1_module_fills_ram_exactly))
