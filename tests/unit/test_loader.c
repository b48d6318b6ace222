#include "tests/unit/loader_harness.h"
#include <stdlib.h>

/* --- detection --- */

TEST(detect_formats)
{
	setup(GUEST_MEM);
	CHECK_EQ(image_detect(image, 4096, &cfg), IMAGE_UNKNOWN);
	cfg.have_load = true;
	CHECK_EQ(image_detect(image, 4096, &cfg), IMAGE_FLAT);
	struct seg s = {PT_LOAD, 0x100000, 0x100000, 0x1000, 0x100, 0x100};
	build_elf32(&s, 1, 0x100000, EM_386);
	CHECK_EQ(image_detect(image, 8192, &cfg), IMAGE_ELF32);
	build_elf64(&s, 1, 0x100000);
	CHECK_EQ(image_detect(image, 8192, &cfg), IMAGE_ELF64);
	put_mb1_header(0x1000, 0);
	CHECK_EQ(image_detect(image, 8192, &cfg), IMAGE_MULTIBOOT1); /* Multiboot wins over ELF */
	memset(image, 0, sizeof image);
	memcpy(image + 0x202, "HdrS", 4);
	CHECK_EQ(image_detect(image, 4096, &cfg), IMAGE_LINUX);
	CHECK_STR(image_format_name(IMAGE_ELF64), "ELF64");
	CHECK_STR(image_format_name(IMAGE_MULTIBOOT1), "Multiboot");
}

TEST(detect_mb1_needs_alignment_checksum_and_first_8k)
{
	setup(GUEST_MEM);
	put_mb1_header(8192 - 12, 0); /* last place it may start */
	CHECK_EQ(image_detect(image, 16384, &cfg), IMAGE_MULTIBOOT1);
	memset(image, 0, sizeof image);
	put_mb1_header(8192, 0);
	CHECK_EQ(image_detect(image, 16384, &cfg), IMAGE_UNKNOWN);
	memset(image, 0, sizeof image);
	put_mb1_header(0x102, 0); /* not 32-bit aligned */
	CHECK_EQ(image_detect(image, 16384, &cfg), IMAGE_UNKNOWN);
	memset(image, 0, sizeof image);
	put_mb1_header(0x100, 0);
	image[0x108] ^= 1; /* checksum off by one */
	CHECK_EQ(image_detect(image, 16384, &cfg), IMAGE_UNKNOWN);
}

TEST(detect_rejects_non_x86_or_non_exec_elf)
{
	setup(GUEST_MEM);
	struct seg s = {PT_LOAD, 0x100000, 0x100000, 0x1000, 0x100, 0x100};
	build_elf32(&s, 1, 0x100000, EM_ARM);
	CHECK_EQ(image_detect(image, 8192, &cfg), IMAGE_UNKNOWN);
	CHECK(fails_with(8192, "ELF file is not a little-endian x86 executable"));
	build_elf32(&s, 1, 0x100000, EM_386);
	image[16] = ET_DYN;
	CHECK_EQ(image_detect(image, 8192, &cfg), IMAGE_UNKNOWN);
	build_elf32(&s, 1, 0x100000, EM_386);
	image[EI_DATA] = ELFDATA2MSB;
	CHECK_EQ(image_detect(image, 8192, &cfg), IMAGE_UNKNOWN);
}

/* --- Multiboot 1 --- */

TEST(mb1_address_fields_placement_and_entry)
{
	setup(GUEST_MEM);
	build_mb1_kernel(MB1_HF_PAGE_ALIGN | MB1_HF_MEMORY_INFO);
	CHECK(load(MBK_FILE));
	CHECK(memcmp(ram.bytes + MBK_LOAD, image, MBK_FILE) == 0);
	CHECK(ram_all(MBK_LOAD + MBK_FILE, MBK_BSS, 0));
	CHECK_EQ(ram.bytes[MBK_LOAD + MBK_FILE + MBK_BSS], POISON); /* bss ends at bss_end_addr */
	CHECK_EQ(ram.bytes[MBK_LOAD - 1], POISON);
	CHECK_EQ(entry.mode, GUEST_PROT32);
	CHECK_EQ(entry.rip, MBK_ENTRY);
	CHECK_EQ(entry.rax, 0x2BADB002);
	CHECK_EQ(entry.rbx, LOADER_MB1_INFO_MIN); /* the lowest free page: nothing below 1 MiB */
	CHECK_EQ(entry.rcx | entry.rdx | entry.rsi | entry.rdi | entry.rbp | entry.rsp, 0);
}

TEST(mb1_header_not_at_file_start)
{
	/* header_addr - load_addr = 0x40 while the header sits at file offset 0x1040: the
	 * loaded text begins at file offset 0x1000. */
	setup(GUEST_MEM);
	fill_pattern(0, 0x3000, 0x07);
	put_mb1_header(0x1040, MB1_FLAGS_ADDR);
	put_mb1_addresses(0x1040, 0x200040, 0x200000, 0, 0, 0x200000);
	CHECK(load(0x3000));
	CHECK(memcmp(ram.bytes + 0x200000, image + 0x1000, 0x2000) == 0); /* rest of file */
	CHECK_EQ(ram.bytes[0x202000], POISON);				  /* no bss */
	CHECK_EQ(entry.rip, 0x200000);
}

TEST(mb1_boot_information)
{
	setup(GUEST_MEM);
	strcpy(cfg.cmdline, "console=com1 x=\"y\"");
	build_mb1_kernel(0);
	CHECK(load(MBK_FILE));
	uint64_t info = entry.rbx;
	uint32_t flags = ram32(info);
	CHECK_EQ(flags, (1u << 0) | (1u << 2) | (1u << 3) | (1u << 6) | (1u << 9));
	CHECK_EQ(ram32(info + 4), 640);			     /* mem_lower, KiB */
	CHECK_EQ(ram32(info + 8), (GUEST_MEM - MIB) / 1024); /* mem_upper, KiB */
	CHECK_STR((char *)ram.bytes + ram32(info + 16), "console=com1 x=\"y\"");
	CHECK_EQ(ram32(info + 20), 0); /* mods_count */
	CHECK_STR((char *)ram.bytes + ram32(info + 64), "mhv");
	uint64_t info_end = info + 0x1000;
	CHECK(ram32(info + 16) >= info && ram32(info + 16) < info_end);
	CHECK(ram32(info + 64) >= info && ram32(info + 64) < info_end);
}

TEST(mb1_memory_map)
{
	setup(GUEST_MEM);
	build_mb1_kernel(0);
	CHECK(load(MBK_FILE));
	uint64_t info = entry.rbx;
	uint32_t len = ram32(info + 44), addr = ram32(info + 48);
	CHECK_EQ(len, 3 * 24);
	CHECK(addr >= info && addr + len <= info + 0x1000);
	const uint64_t want[3][3] = {
	    {0, 0xa0000, 1}, {0xa0000, 0x60000, 2}, {MIB, GUEST_MEM - MIB, 1}};
	for (int i = 0; i < 3; i++) {
		uint64_t e = addr + i * 24u;
		CHECK_EQ(ram32(e), 20); /* size of the rest of the entry */
		CHECK_EQ(ram64(e + 4), want[i][0]);
		CHECK_EQ(ram64(e + 12), want[i][1]);
		CHECK_EQ(ram32(e + 20), want[i][2]);
	}
}

TEST(mb1_elf_kernel_loaded_by_program_headers)
{
	/* No address fields: the ELF program headers place the kernel; a higher-half entry
	 * is translated to its physical address as GRUB does. */
	setup(GUEST_MEM);
	struct seg segs[] = {{PT_LOAD, 0x100000, 0xc0100000, 0x1000, 0x800, 0x1800},
			     {PT_NOTE, 0, 0, 0x1800, 0x10, 0x10},
			     {PT_LOAD, 0x102000, 0xc0102000, 0x2000, 0x400, 0x400}};
	build_elf32(segs, 3, 0xc0100010, EM_386);
	put_mb1_header(0x1000, MB1_HF_MEMORY_INFO);
	CHECK_EQ(image_detect(image, 0x2400, &cfg), IMAGE_MULTIBOOT1);
	CHECK(load(0x2400));
	CHECK(memcmp(ram.bytes + 0x100000, image + 0x1000, 0x800) == 0);
	CHECK(ram_all(0x100800, 0x1000, 0));
	CHECK(memcmp(ram.bytes + 0x102000, image + 0x2000, 0x400) == 0);
	CHECK_EQ(entry.mode, GUEST_PROT32);
	CHECK_EQ(entry.rip, 0x100010);
	CHECK_EQ(entry.rax, MB1_BOOTLOADER_MAGIC);
}

TEST(mb1_video_request_ignored_with_note)
{
	setup(GUEST_MEM);
	build_mb1_kernel(MB1_HF_VIDEO_MODE);
	CHECK(load(MBK_FILE));
	CHECK(strstr(shim_log_take(), "video mode") != NULL);
	build_mb1_kernel(0);
	CHECK(load(MBK_FILE));
	CHECK(strstr(shim_log_take(), "video mode") == NULL);
}

TEST(mb1_unknown_required_flag_rejected)
{
	setup(GUEST_MEM);
	build_mb1_kernel(1u << 3);
	CHECK(fails_with(MBK_FILE, "unsupported features (flags 0x8)"));
	build_mb1_kernel(1u << 15);
	CHECK(fails_with(MBK_FILE, "unsupported features (flags 0x8000)"));
	build_mb1_kernel(1u << 20); /* optional bits above 16 are fine */
	CHECK(load(MBK_FILE));
}

TEST(mb1_without_addresses_or_elf_rejected)
{
	setup(GUEST_MEM);
	put_mb1_header(0x40, 0);
	CHECK(fails_with(4096, "no address fields"));
}

TEST(mb1_bad_checksum_reported)
{
	setup(GUEST_MEM);
	build_mb1_kernel(0);
	image[0x48] ^= 0x10;
	CHECK(fails_with(MBK_FILE, "Multiboot header at offset 0x40 has a bad checksum"));
}

TEST(mb1_truncated_file_rejected)
{
	setup(GUEST_MEM);
	build_mb1_kernel(0);
	CHECK(fails_with(MBK_FILE - 1, "truncated"));
	memset(image, 0, sizeof image);
	put_mb1_header(4096 - 16, MB1_FLAGS_ADDR); /* address fields cut off by the file end */
	CHECK(fails_with(4096, "truncated"));
}

TEST(mb1_inconsistent_addresses_rejected)
{
	setup(GUEST_MEM);
	build_mb1_kernel(0);
	put_mb1_addresses(0x40, MBK_LOAD, MBK_LOAD + 0x40, 0, 0, MBK_ENTRY); /* load > header */
	CHECK(fails_with(MBK_FILE, "load_addr"));
	put_mb1_addresses(0x40, MBK_LOAD + 0x80, MBK_LOAD, 0, 0, MBK_ENTRY); /* before file start */
	CHECK(fails_with(MBK_FILE, "load_addr"));
	put_mb1_addresses(0x40, MBK_LOAD + 0x40, MBK_LOAD, MBK_LOAD + 0x100, MBK_LOAD + 0x80,
			  MBK_ENTRY);
	CHECK(fails_with(MBK_FILE, "bss_end_addr"));
	put_mb1_addresses(0x40, MBK_LOAD + 0x40, MBK_LOAD, 0, 0, MBK_LOAD + MBK_FILE);
	CHECK(fails_with(MBK_FILE, "entry point 0x102000 is not in a loaded segment"));
}

TEST(mb1_boot_information_beside_a_low_image)
{
	/* [0x8800, 0x9800) is where the boot information used to be fixed. */
	setup(GUEST_MEM);
	fill_pattern(0, 0x1000, 1);
	put_mb1_header(0, MB1_FLAGS_ADDR);
	put_mb1_addresses(0, 0x8800, 0x8800, 0, 0, 0x8800);
	CHECK(load(0x1000));
	CHECK(memcmp(ram.bytes + 0x8800, image, 0x1000) == 0);
	CHECK(entry.rbx + 0x1000 <= 0x8800 || entry.rbx >= 0x9800);
	CHECK_EQ(ram32(entry.rbx + 4), 640);
}

TEST(mb1_beyond_memory_rejected)
{
	setup(GUEST_MEM);
	build_mb1_kernel(0);
	put_mb1_addresses(0x40, GUEST_MEM - 0x1000 + 0x40, GUEST_MEM - 0x1000, 0,
			  GUEST_MEM + 0x1000, GUEST_MEM - 0x1000);
	CHECK(fails_with(MBK_FILE, "does not fit in mem=4 MiB"));
}

/* --- ELF --- */

TEST(elf32_segments_bss_and_entry)
{
	setup(GUEST_MEM);
	struct seg segs[] = {{PT_LOAD, 0x200000, 0x200000, 0x1000, 0x300, 0x1000},
			     {PT_LOAD, 0x100000, 0x100000, 0x2000, 0x1000, 0x1000}};
	build_elf32(segs, 2, 0x100004, EM_386);
	CHECK(load(0x3000));
	CHECK(memcmp(ram.bytes + 0x200000, image + 0x1000, 0x300) == 0);
	CHECK(ram_all(0x200300, 0xd00, 0));
	CHECK_EQ(ram.bytes[0x201000], POISON);
	CHECK(memcmp(ram.bytes + 0x100000, image + 0x2000, 0x1000) == 0);
	CHECK_EQ(entry.mode, GUEST_PROT32);
	CHECK_EQ(entry.rip, 0x100004);
	CHECK_EQ(entry.cr3, 0);
	CHECK(ram_all(LOADER_PML4_GPA, 0x1000, POISON)); /* no page tables for 32-bit */
}

TEST(elf32_may_use_low_memory)
{
	setup(GUEST_MEM);
	struct seg s = {PT_LOAD, 0x1000, 0x1000, 0x1000, 0x100, 0x9000};
	build_elf32(&s, 1, 0x1000, EM_386);
	CHECK(load(0x1100));
	CHECK(ram_all(0x1100, 0x9000 - 0x100, 0));
}

TEST(elf64_long_mode_state)
{
	setup(GUEST_MEM);
	struct seg s = {PT_LOAD, 0x100000, 0x100000, 0x1000, 0x200, 0x400};
	build_elf64(&s, 1, 0x100080);
	CHECK_EQ(image_detect(image, 0x1200, &cfg), IMAGE_ELF64);
	CHECK(load(0x1200));
	CHECK(memcmp(ram.bytes + 0x100000, image + 0x1000, 0x200) == 0);
	CHECK(ram_all(0x100200, 0x200, 0));
	CHECK_EQ(entry.mode, GUEST_LONG64);
	CHECK_EQ(entry.rip, 0x100080);
	CHECK_EQ(entry.cr3, LOADER_PML4_GPA);
	CHECK_EQ(entry.rsp, 0);
	CHECK_EQ(entry.gdt_base, LOADER_GDT_GPA);
	CHECK_EQ(entry.gdt_limit, 23);
}

/* Walks the guest's 4-level tables as the CPU would for a 2 MiB page. */
static uint64_t walk(uint64_t va)
{
	uint64_t pml4e = ram64(entry.cr3 + ((va >> 39) & 511) * 8);
	if (!(pml4e & 1))
		return ~0ull;
	uint64_t pdpte = ram64((pml4e & ~0xfffull) + ((va >> 30) & 511) * 8);
	if (!(pdpte & 1) || (pdpte & 0x80))
		return ~0ull;
	uint64_t pde = ram64((pdpte & ~0xfffull) + ((va >> 21) & 511) * 8);
	if ((pde & 0x83) != 0x83) /* present, writable, 2 MiB page */
		return ~0ull;
	return (pde & ~0x1fffffull) + (va & 0x1fffff);
}

TEST(elf64_identity_map_covers_4g)
{
	setup(GUEST_MEM);
	struct seg s = {PT_LOAD, 0x100000, 0x100000, 0x1000, 0x200, 0x200};
	build_elf64(&s, 1, 0x100000);
	CHECK(load(0x1200));
	CHECK_EQ(walk(0), 0);
	CHECK_EQ(walk(0x100080), 0x100080);
	CHECK_EQ(walk(GUEST_MEM - 1), GUEST_MEM - 1);
	CHECK_EQ(walk(0xfeb00010), 0xfeb00010); /* MMIO stays reachable */
	CHECK_EQ(walk(0xffffffff), 0xffffffff);
	CHECK_EQ(walk(0x100000000ull), ~0ull); /* nothing above 4 GiB */
	CHECK_EQ(walk(0xffff800000000000ull), ~0ull);
	CHECK(ram64(entry.cr3) & 2); /* writable */
}

TEST(elf64_gdt_segments)
{
	setup(GUEST_MEM);
	struct seg s = {PT_LOAD, 0x100000, 0x100000, 0x1000, 0x200, 0x200};
	build_elf64(&s, 1, 0x100000);
	CHECK(load(0x1200));
	uint64_t null = ram64(entry.gdt_base), code = ram64(entry.gdt_base + LOADER_GDT_CODE64);
	uint64_t data = ram64(entry.gdt_base + LOADER_GDT_DATA);
	CHECK_EQ(null, 0);
	CHECK(code & (1ull << 47));	     /* present */
	CHECK(code & (1ull << 53));	     /* L: 64-bit code */
	CHECK(!(code & (1ull << 54)));	     /* D must be 0 with L */
	CHECK_EQ((code >> 40) & 0x1f, 0x1a); /* S=1, execute/read code */
	CHECK_EQ((code >> 45) & 3, 0);	     /* DPL 0 */
	CHECK(data & (1ull << 47));
	CHECK_EQ((data >> 40) & 0x1f, 0x12); /* S=1, read/write data */
}

TEST(elf64_overlapping_page_tables_rejected)
{
	setup(GUEST_MEM);
	struct seg s = {PT_LOAD, 0x6000, 0x6000, 0x1000, 0x100, 0x3000};
	build_elf64(&s, 1, 0x6000);
	CHECK(fails_with(0x1100, "overlaps the loader's structures at [0x1000, 0x8000)"));
	s.paddr = s.vaddr = 0x8000;
	build_elf64(&s, 1, 0x8000);
	CHECK(load(0x1100));
}

TEST(elf_overlapping_segments_rejected)
{
	setup(GUEST_MEM);
	struct seg segs[] = {{PT_LOAD, 0x100000, 0x100000, 0x1000, 0x100, 0x2000},
			     {PT_LOAD, 0x101fff, 0x101fff, 0x1100, 0x10, 0x10}};
	build_elf32(segs, 2, 0x100000, EM_386);
	CHECK(fails_with(0x1200, "overlap"));
	segs[1].paddr = segs[1].vaddr = 0x102000; /* adjacent is fine */
	build_elf32(segs, 2, 0x100000, EM_386);
	CHECK(load(0x1200));
}

TEST(elf_segment_outside_memory_rejected)
{
	setup(GUEST_MEM);
	struct seg s = {PT_LOAD, GUEST_MEM - 0x100, GUEST_MEM - 0x100, 0x1000, 0x100, 0x101};
	build_elf32(&s, 1, GUEST_MEM - 0x100, EM_386);
	CHECK(fails_with(0x1100, "does not fit in mem=4 MiB")); /* bss runs past the end */
	s.memsz = 0x100;
	build_elf32(&s, 1, GUEST_MEM - 0x100, EM_386);
	CHECK(load(0x1100));
	struct seg wrap = {PT_LOAD, 0xffffffffffff0000ull, 0xffffffffffff0000ull, 0x1000, 0x10,
			   0x20000};
	build_elf64(&wrap, 1, 0xffffffffffff0000ull);
	CHECK(fails_with(0x1100, "does not fit"));
}

TEST(elf_truncated_rejected)
{
	setup(GUEST_MEM);
	struct seg s = {PT_LOAD, 0x100000, 0x100000, 0x1000, 0x800, 0x800};
	build_elf32(&s, 1, 0x100000, EM_386);
	CHECK(fails_with(0x17ff, "truncated"));
	CHECK(load(0x1800));
	build_elf64(&s, 1, 0x100000);
	CHECK(fails_with(64 + 55, "truncated")); /* program header cut */
	s.offset = 0xffffffffffff0000ull;
	build_elf64(&s, 1, 0x100000);
	CHECK(fails_with(0x1800, "truncated"));
}

TEST(elf_filesz_above_memsz_rejected)
{
	setup(GUEST_MEM);
	struct seg s = {PT_LOAD, 0x100000, 0x100000, 0x1000, 0x800, 0x7ff};
	build_elf32(&s, 1, 0x100000, EM_386);
	CHECK(fails_with(0x1800, "file size 0x800 exceeds memory size 0x7ff"));
}

TEST(elf_without_load_segments_rejected)
{
	setup(GUEST_MEM);
	struct seg s = {PT_NOTE, 0x100000, 0x100000, 0x1000, 0x10, 0x10};
	build_elf32(&s, 1, 0x100000, EM_386);
	CHECK(fails_with(0x1010, "no PT_LOAD segments"));
	build_elf64(&s, 0, 0x100000);
	CHECK(fails_with(0x1010, "no PT_LOAD segments"));
}

TEST(elf_entry_outside_segments_rejected)
{
	setup(GUEST_MEM);
	struct seg s = {PT_LOAD, 0x100000, 0x100000, 0x1000, 0x100, 0x200};
	build_elf32(&s, 1, 0x100200, EM_386);
	CHECK(fails_with(0x1100, "entry point 0x100200 is not in a loaded segment"));
	build_elf32(&s, 1, 0x1001ff, EM_386); /* last byte of bss still counts */
	CHECK(load(0x1100));
}

/* --- flat binaries --- */

TEST(flat_real_mode_entry)
{
	setup(GUEST_MEM);
	fill_pattern(0, 0x200, 0x90);
	cfg.have_load = true;
	cfg.load = 0x7c00;
	CHECK(load(0x200));
	CHECK(memcmp(ram.bytes + 0x7c00, image, 0x200) == 0);
	CHECK_EQ(entry.mode, GUEST_REAL16);
	CHECK_EQ(entry.cs_selector, 0);
	CHECK_EQ(entry.rip, 0x7c00);
	cfg.load = 0x90000;
	cfg.have_entry = true;
	cfg.entry = 0x9010f;
	CHECK(load(0x200));
	CHECK_EQ(entry.cs_selector, 0x9000);
	CHECK_EQ(entry.rip, 0x10f);
	CHECK_EQ(entry.cs_selector * 16 + entry.rip, 0x9010f);
}

TEST(flat_protected_mode_entry)
{
	setup(GUEST_MEM);
	fill_pattern(0, 0x1000, 0x33);
	cfg.have_load = true;
	cfg.load = 0x100000;
	CHECK(load(0x1000));
	CHECK(memcmp(ram.bytes + 0x100000, image, 0x1000) == 0);
	CHECK_EQ(entry.mode, GUEST_PROT32);
	CHECK_EQ(entry.rip, 0x100000);
	cfg.load = 0xff000;
	cfg.have_entry = true;
	cfg.entry = 0x100000; /* entry decides the mode, not load */
	CHECK(load(0x1000 + 1));
	CHECK_EQ(entry.mode, GUEST_PROT32);
}

TEST(flat_must_fit_and_contain_entry)
{
	setup(GUEST_MEM);
	cfg.have_load = true;
	cfg.load = GUEST_MEM - 0x100;
	CHECK(fails_with(0x101, "does not fit in mem=4 MiB"));
	CHECK(load(0x100));
	cfg.load = 0x100000;
	cfg.have_entry = true;
	cfg.entry = 0x100100;
	CHECK(fails_with(0x100, "entry=0x100100 is outside the image"));
	cfg.entry = 0xfffff;
	CHECK(fails_with(0x100, "outside the image"));
}

/* --- whole-image errors --- */

TEST(image_larger_than_memory_rejected)
{
	setup(1 * MIB);
	cfg.have_load = true;
	CHECK(!image_load(image, MIB + 1, &cfg, &mem, &entry, err, sizeof err));
	CHECK_STR(err, "image (1048577 bytes) does not fit in mem=1 MiB");
}

TEST(linux_and_unknown_rejected)
{
	setup(GUEST_MEM);
	memcpy(image + 0x202, "HdrS", 4);
	CHECK(fails_with(4096, "Linux boot protocol 0.00 is too old")); /* bare "HdrS" */
	memset(image, 0, sizeof image);
	CHECK(fails_with(4096, "unknown image format"));
	CHECK(ram_all(0, GUEST_MEM, POISON)); /* nothing written */
}

CHECK_MAIN("loader", CASE(detect_formats), CASE(detect_mb1_needs_alignment_checksum_and_first_8k),
	   CASE(detect_rejects_non_x86_or_non_exec_elf),
	   CASE(mb1_address_fields_placement_and_entry), CASE(mb1_header_not_at_file_start),
	   CASE(mb1_boot_information), CASE(mb1_memory_map),
	   CASE(mb1_elf_kernel_loaded_by_program_headers),
	   CASE(mb1_video_request_ignored_with_note), CASE(mb1_unknown_required_flag_rejected),
	   CASE(mb1_without_addresses_or_elf_rejected), CASE(mb1_bad_checksum_reported),
	   CASE(mb1_truncated_file_rejected), CASE(mb1_inconsistent_addresses_rejected),
	   CASE(mb1_boot_information_beside_a_low_image), CASE(mb1_beyond_memory_rejected),
	   CASE(elf32_segments_bss_and_entry), CASE(elf32_may_use_low_memory),
	   CASE(elf64_long_mode_state), CASE(elf64_identity_map_covers_4g),
	   CASE(elf64_gdt_segments), CASE(elf64_overlapping_page_tables_rejected),
	   CASE(elf_overlapping_segments_rejected), CASE(elf_segment_outside_memory_rejected),
	   CASE(elf_truncated_rejected), CASE(elf_filesz_above_memsz_rejected),
	   CASE(elf_without_load_segments_rejected), CASE(elf_entry_outside_segments_rejected),
	   CASE(flat_real_mode_entry), CASE(flat_protected_mode_entry),
	   CASE(flat_must_fit_and_contain_entry), CASE(image_larger_than_memory_rejected),
	   CASE(linux_and_unknown_rejected))
