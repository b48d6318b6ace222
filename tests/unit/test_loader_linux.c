/* Linux boot protocol loader, checked against Documentation/arch/x86/boot.rst with synthetic
 * bzImages: a setup area carrying the header at 0x1f1, then a patterned "kernel". */
#include "tests/unit/linux_harness.h"

/* --- placement and entry --- */

TEST(kernel_loaded_at_pref_address)
{
	setup(GUEST_MEM);
	build(K_SETUP_SECTS);
	CHECK_EQ(image_detect(image, image_size, &cfg), IMAGE_LINUX);
	REQUIRE_LOAD();
	CHECK(ram_equals(K_PREF, image + 4 * 512, K_BYTES));
	CHECK_EQ(ram.bytes[K_PREF - 1], POISON);
	CHECK_EQ(ram.bytes[K_PREF + K_BYTES], POISON); /* init_size is not cleared */
}

TEST(setup_sects_zero_means_four)
{
	setup(GUEST_MEM);
	build(0);
	CHECK_EQ(kernel_offset(), 5 * 512);
	REQUIRE_LOAD();
	CHECK(ram_equals(K_PREF, image + 5 * 512, K_BYTES));
}

TEST(entry_is_64bit_startup_with_boot_params_in_rsi)
{
	setup(GUEST_MEM);
	build(K_SETUP_SECTS);
	REQUIRE_LOAD();
	CHECK_EQ(entry.mode, GUEST_LONG64);
	CHECK_EQ(entry.rip, K_PREF + 0x200);
	CHECK_EQ(entry.rsi, BP);
	CHECK_EQ(entry.cr3, LOADER_PML4_GPA);
	CHECK_EQ(entry.rax | entry.rbx | entry.rcx | entry.rdx | entry.rdi | entry.rbp, 0);
	/* identity map over the kernel, its init_size, boot_params and the command line */
	CHECK_EQ(walk(entry.rip), entry.rip);
	CHECK_EQ(walk(K_PREF + K_INIT_SIZE - 1), K_PREF + K_INIT_SIZE - 1);
	CHECK_EQ(walk(BP), BP);
	CHECK_EQ(walk(LOADER_LINUX_CMDLINE_GPA), LOADER_LINUX_CMDLINE_GPA);
}

TEST(gdt_has_boot_cs_0x10_and_boot_ds_0x18)
{
	setup(GUEST_MEM);
	build(K_SETUP_SECTS);
	REQUIRE_LOAD();
	CHECK_EQ(entry.code_sel, 0x10);
	CHECK_EQ(entry.data_sel, 0x18);
	CHECK_EQ(entry.gdt_limit, 4 * 8 - 1);
	CHECK_EQ(ram_le(entry.gdt_base, 8), 0);
	CHECK_EQ(ram_le(entry.gdt_base + 8, 8), 0);
	uint64_t code = ram_le(entry.gdt_base + 0x10, 8), data = ram_le(entry.gdt_base + 0x18, 8);
	CHECK(code & (1ull << 47));	     /* present */
	CHECK(code & (1ull << 53));	     /* L: 64-bit */
	CHECK(!(code & (1ull << 54)));	     /* D clear with L */
	CHECK_EQ((code >> 40) & 0x1f, 0x1a); /* execute/read code */
	CHECK(data & (1ull << 47));
	CHECK_EQ((data >> 40) & 0x1f, 0x12);  /* read/write data */
	CHECK_EQ(data & 0xffff, 0xffff);      /* limit 15:0 */
	CHECK_EQ((data >> 48) & 0x8f, 0x8f);  /* limit 19:16, G: 4 GiB */
	CHECK_EQ((data >> 16) & 0xffffff, 0); /* base 23:0 */
	CHECK_EQ(data >> 56, 0);	      /* base 31:24 */
}

TEST(elf_gdt_keeps_its_selectors)
{
	/* The shared long-mode builder still gives ELF64 guests code 0x08 and data 0x10. */
	struct guest_entry e;
	memset(&e, 0, sizeof e);
	setup(4 * MIB);
	CHECK_EQ(LOADER_GDT_CODE64, 0x08);
	memset(image, 0, sizeof image);
	static const uint8_t elf64[64] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
	memcpy(image, elf64, sizeof elf64);
	put(16, 2, 2);		/* ET_EXEC */
	put(18, 62, 2);		/* EM_X86_64 */
	put(20, 1, 4);		/* EV_CURRENT */
	put(24, 0x100000, 8);	/* e_entry */
	put(32, 64, 8);		/* e_phoff */
	put(52, 64, 2);		/* e_ehsize */
	put(54, 56, 2);		/* e_phentsize */
	put(56, 1, 2);		/* e_phnum */
	put(64, 1, 4);		/* PT_LOAD */
	put(64 + 8, 0x1000, 8); /* p_offset */
	put(64 + 16, 0x100000, 8);
	put(64 + 24, 0x100000, 8);
	put(64 + 32, 0x100, 8);
	put(64 + 40, 0x100, 8);
	CHECK(image_load(image, 0x1100, &cfg, &mem, &e, err, sizeof err));
	CHECK_EQ(e.mode, GUEST_LONG64);
	CHECK_EQ(e.code_sel, 0x08);
	CHECK_EQ(e.data_sel, 0x10);
	CHECK_EQ(e.gdt_limit, 23);
}

TEST(relocatable_kernel_rounded_up_to_alignment)
{
	setup(GUEST_MEM);
	build(K_SETUP_SECTS);
	put(0x258, 0x1100000, 8);
	REQUIRE_LOAD();
	CHECK_EQ(entry.rip, 0x1200000 + 0x200);
	CHECK(ram_equals(0x1200000, image + 4 * 512, K_BYTES));
	CHECK(ram_all(0x1100000, 0x1000, POISON));
	put(0x258, 0, 8); /* below 1 MiB: the first aligned address above it */
	REQUIRE_LOAD();
	CHECK_EQ(entry.rip, 0x200000 + 0x200);
}

TEST(non_relocatable_kernel_at_pref_address_exactly)
{
	setup(GUEST_MEM);
	build(K_SETUP_SECTS);
	put(0x234, 0, 1);
	put(0x258, 0x1100000, 8); /* not aligned: alignment is for relocation only */
	REQUIRE_LOAD();
	CHECK_EQ(entry.rip, 0x1100000 + 0x200);
	put(0x258, 0x80000, 8);
	CHECK(fails_with("not relocatable and its pref_address 0x80000 is below 1 MiB"));
}

/* --- boot_params --- */

TEST(boot_params_holds_setup_header_and_loader_fields)
{
	setup(GUEST_MEM);
	build(K_SETUP_SECTS);
	put(0x1ef, 0x77, 1);   /* junk where boot_params has its sentinel */
	put(0x23c, 1, 4);      /* hardware_subarch from the file */
	put(0x250, 0x9999, 8); /* a stale setup_data pointer */
	REQUIRE_LOAD();
	CHECK(ram_all(BP, 0x70, 0));	    /* screen_info .. scratch */
	CHECK_EQ(ram_le(BP + 0x70, 8), 0xe0000); /* acpi_rsdp_addr: the VM's ACPI tables */
	CHECK(ram_all(BP + 0x78, 0x1e8 - 0x78, 0)); /* ext_* and the rest */
	CHECK_EQ(ram.bytes[BP + 0x1ef], 0); /* sentinel */
	CHECK(ram_equals(BP + 0x1f1, image + 0x1f1, 0x210 - 0x1f1));
	CHECK_EQ(ram_le(BP + 0x202, 4), 0x53726448); /* "HdrS" */
	CHECK_EQ(ram_le(BP + 0x206, 2), 0x020f);
	CHECK_EQ(ram.bytes[BP + 0x210], 0xff); /* type_of_loader: undefined */
	CHECK_EQ(ram.bytes[BP + 0x211], 0x01); /* LOADED_HIGH kept, CAN_USE_HEAP cleared */
	CHECK_EQ(ram_le(BP + 0x224, 2), 0);    /* heap_end_ptr */
	CHECK_EQ(ram_le(BP + 0x22c, 4), 0x7fffffff);
	CHECK_EQ(ram_le(BP + 0x230, 4), K_ALIGN);
	CHECK_EQ(ram_le(BP + 0x236, 2), 0x7f);
	CHECK_EQ(ram_le(BP + 0x23c, 4), 0);	 /* hardware_subarch: PC */
	CHECK_EQ(ram_le(BP + 0x240, 8), 0);	 /* hardware_subarch_data */
	CHECK_EQ(ram_le(BP + 0x250, 8), 0);	 /* setup_data */
	CHECK_EQ(ram_le(BP + 0x258, 8), K_PREF); /* pref_address */
	CHECK_EQ(ram_le(BP + 0x260, 4), K_INIT_SIZE);
	CHECK(ram_all(BP + 0x26c, 0x290 - 0x26c, 0)); /* setup code after the header: not copied */
	CHECK_EQ(ram.bytes[BP + 0xfff], 0);
}

TEST(loaded_high_set_even_if_image_lacks_it)
{
	setup(GUEST_MEM);
	build(K_SETUP_SECTS);
	put(0x211, 0x20, 1); /* QUIET_FLAG only */
	REQUIRE_LOAD();
	CHECK_EQ(ram.bytes[BP + 0x211], 0x21);
}

TEST(header_copy_stops_at_boot_params_limit)
{
	setup(GUEST_MEM);
	build(K_SETUP_SECTS);
	put(0x201, 0xff, 1); /* claims a header up to 0x301 */
	REQUIRE_LOAD();
	CHECK(ram_equals(BP + 0x26c, image + 0x26c, 0x290 - 0x26c));
	CHECK(ram_all(BP + 0x290, 0x2d0 - 0x290, 0)); /* edd_mbr_sig_buffer untouched */
}

TEST(cmdline_copied_and_pointed_to)
{
	setup(GUEST_MEM);
	build(K_SETUP_SECTS);
	strcpy(cfg.cmdline, "console=ttyS0 acpi=off quiet");
	REQUIRE_LOAD();
	uint64_t ptr = ram_le(BP + 0x228, 4);
	CHECK_EQ(ptr, LOADER_LINUX_CMDLINE_GPA);
	CHECK_EQ(ram_le(BP + 0xc8, 4), 0); /* ext_cmd_line_ptr */
	CHECK_STR((char *)ram.bytes + ptr, "console=ttyS0 acpi=off quiet");
	CHECK(ptr >= BP + 0x1000 || ptr + sizeof cfg.cmdline <= BP); /* clear of boot_params */
	cfg.cmdline[0] = 0;
	REQUIRE_LOAD();
	CHECK_EQ(ram.bytes[ram_le(BP + 0x228, 4)], 0);
}

TEST(cmdline_longer_than_cmdline_size_rejected)
{
	setup(GUEST_MEM);
	build(K_SETUP_SECTS);
	put(0x238, 10, 4);
	strcpy(cfg.cmdline, "0123456789A");
	CHECK(fails_with("cmdline is 11 bytes, the kernel accepts at most 10 (cmdline_size)"));
	CHECK(ram_all(0, GUEST_MEM, POISON)); /* nothing written */
	cfg.cmdline[10] = 0;
	REQUIRE_LOAD();
	CHECK_STR((char *)ram.bytes + LOADER_LINUX_CMDLINE_GPA, "0123456789");
}

TEST(e820_matches_guest_ram_layout)
{
	setup(GUEST_MEM);
	build(K_SETUP_SECTS);
	REQUIRE_LOAD();
	CHECK_EQ(ram.bytes[BP + 0x1e8], 3);
	const uint64_t want[3][3] = {
	    {0, 0xa0000, 1}, {0xa0000, 0x60000, 2}, {MIB, GUEST_MEM - MIB, 1}};
	for (int i = 0; i < 3; i++) {
		uint64_t e = BP + 0x2d0 + i * 20u;
		CHECK_EQ(ram_le(e, 8), want[i][0]);
		CHECK_EQ(ram_le(e + 8, 8), want[i][1]);
		CHECK_EQ(ram_le(e + 16, 4), want[i][2]);
	}
	CHECK(ram_all(BP + 0x2d0 + 3 * 20, 20, 0));
}

/* --- initrd --- */

TEST(no_initrd_leaves_ramdisk_fields_zero)
{
	setup(GUEST_MEM);
	build(K_SETUP_SECTS);
	REQUIRE_LOAD();
	CHECK_EQ(ram_le(BP + 0x218, 8), 0);
	CHECK_EQ(ram_le(BP + 0xc0, 8), 0);
	CHECK(ram_all(GUEST_MEM - 0x100000, 0x100000, POISON));
}

TEST(initrd_at_top_of_ram_page_aligned)
{
	setup(GUEST_MEM);
	build(K_SETUP_SECTS);
	give_initrd(0x1800);
	REQUIRE_LOAD();
	uint64_t at = ram_le(BP + 0x218, 4);
	CHECK_EQ(at, GUEST_MEM - 0x2000);
	CHECK_EQ(ram_le(BP + 0x21c, 4), 0x1800);
	CHECK_EQ(ram_le(BP + 0xc0, 8), 0); /* ext_ramdisk_image and _size */
	CHECK(ram_equals(at, initrd, 0x1800));
	CHECK(ram_all(at + 0x1800, 0x800, POISON));
}

TEST(initrd_below_initrd_addr_max)
{
	setup(GUEST_MEM);
	build(K_SETUP_SECTS);
	put(0x22c, 0x17fffff, 4); /* the initrd's last byte may be at 24 MiB - 1 */
	give_initrd(0x1800);
	REQUIRE_LOAD();
	uint64_t at = ram_le(BP + 0x218, 4);
	CHECK_EQ(at, 24 * MIB - 0x2000);
	CHECK(at + 0x1800 <= 24 * MIB);
	CHECK(ram_equals(at, initrd, 0x1800));
}

TEST(initrd_below_kernel_when_no_room_above)
{
	uint64_t kernel_end = K_PREF + K_INIT_SIZE;
	setup(kernel_end + 0x2000);
	build(K_SETUP_SECTS);
	give_initrd(0x3000);
	REQUIRE_LOAD();
	uint64_t at = ram_le(BP + 0x218, 4);
	CHECK_EQ(at, K_PREF - 0x3000);
	CHECK(ram_equals(at, initrd, 0x3000));
	CHECK(ram_equals(K_PREF, image + 4 * 512, K_BYTES));
	CHECK(ram_all(kernel_end, 0x2000, POISON));
}

TEST(initrd_never_overlaps_kernel_init_size)
{
	/* initrd_addr_max inside the kernel's region: only below the kernel is allowed. */
	setup(GUEST_MEM);
	build(K_SETUP_SECTS);
	put(0x22c, K_PREF + 0x1000, 4);
	give_initrd(0x2000);
	REQUIRE_LOAD();
	uint64_t at = ram_le(BP + 0x218, 4);
	CHECK_EQ(at, K_PREF - 0x2000);
	CHECK(at + 0x2000 <= K_PREF);
}

TEST(initrd_too_big_rejected)
{
	setup(K_PREF + K_INIT_SIZE + 0x1000);
	build(K_SETUP_SECTS);
	give_initrd(K_PREF); /* 16 MiB: neither above (4 KiB) nor below (15 MiB) the kernel */
	CHECK(fails_with("initrd (16777216 bytes) does not fit below 0x1401000 in mem=20 MiB"));
	CHECK(ram_all(0, ram.size, POISON)); /* nothing written */
	setup(GUEST_MEM);
	build(K_SETUP_SECTS);
	put(0x22c, 0, 4);
	give_initrd(0x1000);
	CHECK(fails_with("initrd (4096 bytes) does not fit"));
}

/* --- header and size errors --- */

TEST(old_protocol_rejected)
{
	setup(GUEST_MEM);
	build(K_SETUP_SECTS);
	put(0x206, 0x020b, 2);
	CHECK(fails_with("Linux boot protocol 2.11 is too old (need 2.12 or later"));
	put(0x206, 0x0204, 2);
	CHECK(fails_with("Linux boot protocol 2.04 is too old"));
	put(0x206, 0x020c, 2);
	REQUIRE_LOAD();
}

TEST(short_setup_header_rejected)
{
	setup(GUEST_MEM);
	build(K_SETUP_SECTS);
	put(0x201, 0x61, 1); /* ends at 0x263, before init_size is complete */
	CHECK(fails_with("Linux setup header ends at 0x263, before init_size"));
	put(0x201, 0x62, 1);
	REQUIRE_LOAD();
	image_size = 0x263;
	CHECK(fails_with("Linux setup header truncated (file is 611 bytes)"));
}

TEST(absurd_setup_sects_rejected)
{
	setup(GUEST_MEM);
	build(64);
	CHECK(fails_with("Linux setup_sects 64 is absurd"));
	build(63);
	REQUIRE_LOAD();
	CHECK(ram_equals(K_PREF, image + 64 * 512, K_BYTES));
}

TEST(truncated_image_rejected)
{
	setup(GUEST_MEM);
	build(K_SETUP_SECTS);
	image_size -= 1; /* one byte short of syssize */
	CHECK(fails_with("truncated file?"));
	image_size = 4 * 512; /* setup only */
	CHECK(fails_with("truncated file?"));
	image_size = 4 * 512 - 100; /* inside the setup */
	CHECK(fails_with("truncated file?"));
	build(K_SETUP_SECTS);
	put(0x1f4, 0x10, 4); /* a kernel too short to hold its 64-bit entry */
	image_size = 4 * 512 + 0x100;
	CHECK(fails_with("ends before its 64-bit entry at +0x200"));
}

TEST(kernel_without_64bit_entry_rejected)
{
	setup(GUEST_MEM);
	build(K_SETUP_SECTS);
	put(0x236, 0x7e, 2);
	CHECK(fails_with("no 64-bit entry point (XLF_KERNEL_64 clear"));
	CHECK(ram_all(0, GUEST_MEM, POISON));
}

TEST(bad_alignment_and_init_size_rejected)
{
	setup(GUEST_MEM);
	build(K_SETUP_SECTS);
	put(0x230, 0x300000, 4);
	CHECK(fails_with("kernel_alignment 0x300000 is not a power of two"));
	put(0x230, 0, 4);
	CHECK(fails_with("kernel_alignment 0x0 is not a power of two"));
	build(K_SETUP_SECTS);
	put(0x260, K_BYTES - 1, 4);
	CHECK(fails_with("init_size 0x2fff is smaller than the kernel's 0x3000 bytes"));
}

TEST(kernel_larger_than_memory_rejected)
{
	setup(K_PREF + K_INIT_SIZE - 0x1000);
	build(K_SETUP_SECTS);
	CHECK(!load());
	CHECK_STR(err, "kernel needs 4 MiB (init_size) at 0x1000000, mem=19 MiB is too small");
	CHECK(ram_all(0, ram.size, POISON));
	setup(K_PREF + K_INIT_SIZE); /* exactly enough */
	build(K_SETUP_SECTS);
	REQUIRE_LOAD();
	setup(8 * MIB); /* pref_address beyond RAM */
	build(K_SETUP_SECTS);
	CHECK(fails_with("kernel needs 4 MiB (init_size) at 0x1000000, mem=8 MiB is too small"));
}

/* --- settings for other formats --- */

TEST(load_and_initrd_settings_warned_when_ignored)
{
	setup(GUEST_MEM);
	build(K_SETUP_SECTS);
	cfg.have_load = true;
	cfg.load = 0x100000;
	CHECK_EQ(image_detect(image, image_size, &cfg), IMAGE_LINUX); /* HdrS wins over load= */
	REQUIRE_LOAD();
	CHECK(strstr(shim_log_take(), "load= and entry= apply to flat binaries only") != NULL);
	memset(image, 0x90, 0x100);
	give_initrd(0x1000);
	CHECK(image_load(image, 0x100, &cfg, &mem, &entry, err, sizeof err));
	CHECK(strstr(shim_log_take(), "initrd= applies to Linux kernels only") != NULL);
}

CHECK_MAIN("loader_linux", CASE(kernel_loaded_at_pref_address), CASE(setup_sects_zero_means_four),
	   CASE(entry_is_64bit_startup_with_boot_params_in_rsi),
	   CASE(gdt_has_boot_cs_0x10_and_boot_ds_0x18), CASE(elf_gdt_keeps_its_selectors),
	   CASE(relocatable_kernel_rounded_up_to_alignment),
	   CASE(non_relocatable_kernel_at_pref_address_exactly),
	   CASE(boot_params_holds_setup_header_and_loader_fields),
	   CASE(loaded_high_set_even_if_image_lacks_it),
	   CASE(header_copy_stops_at_boot_params_limit), CASE(cmdline_copied_and_pointed_to),
	   CASE(cmdline_longer_than_cmdline_size_rejected), CASE(e820_matches_guest_ram_layout),
	   CASE(no_initrd_leaves_ramdisk_fields_zero), CASE(initrd_at_top_of_ram_page_aligned),
	   CASE(initrd_below_initrd_addr_max), CASE(initrd_below_kernel_when_no_room_above),
	   CASE(initrd_never_overlaps_kernel_init_size), CASE(initrd_too_big_rejected),
	   CASE(old_protocol_rejected), CASE(short_setup_header_rejected),
	   CASE(absurd_setup_sects_rejected), CASE(truncated_image_rejected),
	   CASE(kernel_without_64bit_entry_rejected), CASE(bad_alignment_and_init_size_rejected),
	   CASE(kernel_larger_than_memory_rejected),
	   CASE(load_and_initrd_settings_warned_when_ignored))
