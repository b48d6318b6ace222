/* mb2_parse on boot information built byte by byte as the Multiboot2 spec (3.6) lays it out.
 * Each MBI is parsed from an exactly-sized heap copy so ASan catches any read past `avail`. */
#include "tests/unit/mb2_builder.h"

TEST(good_info_parses_every_tag)
{
	struct mbi m;
	mbi_begin(&m);
	add_string(&m, 1, "console=serial");
	add_string(&m, 2, "GRUB 2.12");
	add_meminfo(&m, 639, 523264);
	add_module(&m, 0x200000, 0x300000, "guest1 mem=64M");
	add_module(&m, 0x300000, 0x300000, "");
	add_mmap(&m, 24, 3);
	uint8_t rsdp[20] = {'R', 'S', 'D', ' ', 'P', 'T', 'R', ' '};
	size_t rsdp_tag = add_tag(&m, 14, rsdp, sizeof rsdp);
	add_end(&m);
	mbi_finish(&m);

	CHECK(parse(&m, &info));
	const uint8_t *base = parse_copy;
	CHECK_EQ(info.total_size, m.len);
	CHECK_STR(info.cmdline, "console=serial");
	CHECK_STR(info.loader_name, "GRUB 2.12");
	CHECK(info.have_meminfo);
	CHECK_EQ(info.mem_lower_kb, 639);
	CHECK_EQ(info.mem_upper_kb, 523264);
	CHECK_EQ(info.nmodules, 2);
	CHECK_EQ(info.modules[0].start, 0x200000);
	CHECK_EQ(info.modules[0].end, 0x300000);
	CHECK_STR(info.modules[0].cmdline, "guest1 mem=64M");
	CHECK_STR(info.modules[1].cmdline, "");
	CHECK_EQ(info.nmmap, 3);
	CHECK_EQ(mb2_mem_get(&info, 2).base, 2ull << 20);
	CHECK_EQ(mb2_mem_get(&info, 2).len, 3ull << 12);
	CHECK_EQ(mb2_mem_get(&info, 2).type, 3);
	CHECK_EQ(mb2_mem_get(&info, 2).kind, MB2_MEM_FIRMWARE);
	CHECK_EQ(info.rsdp_version, 1);
	CHECK_EQ(info.rsdp_len, 20);
	CHECK(info.rsdp == base + rsdp_tag + 8);
	CHECK(info.cmdline > (const char *)base && info.cmdline < (const char *)base + m.len);
	CHECK_EQ(info.nerrors, 0);
	CHECK_STR(shim_log_take(), "");
}

TEST(absent_tags_leave_defaults)
{
	struct mbi m;
	mbi_begin(&m);
	add_end(&m);
	mbi_finish(&m);
	CHECK(parse(&m, &info));
	CHECK(info.cmdline == NULL);
	CHECK(info.loader_name == NULL);
	CHECK(!info.have_meminfo);
	CHECK_EQ(info.nmodules + info.nmmap + info.rsdp_version, 0);
	CHECK(info.rsdp == NULL);
}

TEST(unknown_tags_skipped_silently)
{
	struct mbi m;
	mbi_begin(&m);
	uint8_t fb[29] = {0};
	add_tag(&m, 8, fb, sizeof fb); /* framebuffer */
	add_tag(&m, 21, fb, 4);	       /* image load base */
	add_string(&m, 1, "after");
	add_end(&m);
	mbi_finish(&m);
	CHECK(parse(&m, &info));
	CHECK_STR(info.cmdline, "after");
	CHECK_EQ(info.nerrors, 0);
	CHECK_STR(shim_log_take(), "");
}

TEST(tags_follow_at_8_byte_alignment)
{
	struct mbi m;
	mbi_begin(&m);
	add_string(&m, 1, "ab"); /* size 11: the next tag starts 5 padding bytes later */
	memset(m.buf + 8 + 11, 0xff, 5);
	add_string(&m, 2, "x");
	add_end(&m);
	mbi_finish(&m);
	CHECK(parse(&m, &info));
	CHECK_STR(info.cmdline, "ab");
	CHECK_STR(info.loader_name, "x");
	CHECK_EQ(info.nerrors, 0);
}

TEST(misaligned_info_rejected)
{
	static uint8_t raw[64] __attribute__((aligned(8)));
	struct mbi m;
	mbi_begin(&m);
	add_end(&m);
	mbi_finish(&m);
	memcpy(raw + 4, m.buf, m.len);
	shim_log_take();
	CHECK(!mb2_parse(raw + 4, m.len, &info));
	CHECK(log_has(shim_log_take(), "aligned"));
}

TEST(avail_below_total_size_rejected)
{
	struct mbi m;
	mbi_begin(&m);
	add_string(&m, 1, "console=serial");
	add_end(&m);
	mbi_finish(&m);
	CHECK(!parse_avail(&m, m.len - 8, &info));
	CHECK(log_has(shim_log_take(), "total_size"));
}

TEST(avail_below_fixed_header_rejected)
{
	struct mbi m;
	mbi_begin(&m);
	add_end(&m);
	mbi_finish(&m);
	CHECK(!parse_avail(&m, 4, &info));
	CHECK(log_has(shim_log_take(), "error:"));
}

TEST(total_size_below_fixed_header_rejected)
{
	struct mbi m;
	mbi_begin(&m);
	add_end(&m);
	mbi_finish(&m);
	put32(&m, 0, 4);
	CHECK(!parse(&m, &info));
	CHECK(log_has(shim_log_take(), "header"));
}

TEST(missing_end_tag_rejected)
{
	struct mbi m;
	mbi_begin(&m);
	add_string(&m, 1, "no end");
	add_meminfo(&m, 1, 2);
	mbi_finish(&m);
	CHECK(!parse(&m, &info));
	CHECK(log_has(shim_log_take(), "no end tag"));
}

TEST(end_tag_outside_total_size_not_found)
{
	struct mbi m;
	mbi_begin(&m);
	add_string(&m, 1, "cut");
	mbi_finish(&m);
	add_end(&m); /* present in the buffer, but after total_size */
	CHECK(!parse_avail(&m, m.len, &info));
}

TEST(tag_size_below_8_rejected)
{
	struct mbi m;
	mbi_begin(&m);
	size_t off = add_string(&m, 1, "x");
	add_end(&m);
	mbi_finish(&m);
	put32(&m, off + 4, 4);
	CHECK(!parse(&m, &info));
	const char *log = shim_log_take();
	CHECK(log_has(log, "tag 1 at offset 8"));
	CHECK(log_has(log, "below 8"));
	CHECK_EQ(info.nerrors, 1);
}

TEST(tag_running_past_total_size_rejected)
{
	struct mbi m;
	mbi_begin(&m);
	add_string(&m, 2, "loader");
	size_t off = add_meminfo(&m, 1, 2);
	add_end(&m);
	mbi_finish(&m);
	put32(&m, off + 4, (uint32_t)(m.len - off + 8));
	CHECK(!parse(&m, &info));
	CHECK(log_has(shim_log_take(), "tag 4 at offset 24"));
	CHECK_STR(info.loader_name, "loader"); /* tags before it were kept */
}

TEST(huge_tag_size_does_not_wrap)
{
	struct mbi m;
	mbi_begin(&m);
	size_t off = add_string(&m, 1, "x");
	add_end(&m);
	mbi_finish(&m);
	put32(&m, off + 4, 0xfffffff8);
	CHECK(!parse(&m, &info));
}

TEST(unterminated_strings_reported_and_skipped)
{
	struct mbi m;
	mbi_begin(&m);
	add_tag(&m, 1, "abcd", 4); /* no NUL inside the tag ... */
	m.buf[m.len - 4] = 0;	   /* ... even though padding after it is zero */
	add_tag(&m, 2, "GRUB", 4);
	add_end(&m);
	mbi_finish(&m);
	CHECK(parse(&m, &info));
	CHECK(info.cmdline == NULL);
	CHECK(info.loader_name == NULL);
	CHECK_EQ(info.nerrors, 2);
	const char *log = shim_log_take();
	CHECK(log_has(log, "tag 1 at offset 8"));
	CHECK(log_has(log, "tag 2 at offset 24"));
	CHECK(log_has(log, "NUL"));
}

TEST(empty_string_tag_reported)
{
	struct mbi m;
	mbi_begin(&m);
	add_tag(&m, 1, NULL, 0);
	add_end(&m);
	mbi_finish(&m);
	CHECK(parse(&m, &info));
	CHECK(info.cmdline == NULL);
	CHECK_EQ(info.nerrors, 1);
}

TEST(unterminated_module_string_skips_module)
{
	struct mbi m;
	mbi_begin(&m);
	size_t off = add_module(&m, 0x1000, 0x2000, "abc");
	m.buf[off + 16 + 3] = 'd'; /* overwrite the NUL */
	put32(&m, off + 4, 16 + 4);
	add_module(&m, 0x3000, 0x4000, "ok");
	add_end(&m);
	mbi_finish(&m);
	CHECK(parse(&m, &info));
	CHECK_EQ(info.nmodules, 1);
	CHECK_EQ(info.modules[0].start, 0x3000);
	CHECK_EQ(info.nerrors, 1);
	CHECK(log_has(shim_log_take(), "tag 3 at offset 8"));
}

TEST(module_too_short_skipped)
{
	struct mbi m;
	mbi_begin(&m);
	uint32_t p[2] = {0x1000, 0x2000};
	add_tag(&m, 3, p, sizeof p); /* no string at all */
	add_end(&m);
	mbi_finish(&m);
	CHECK(parse(&m, &info));
	CHECK_EQ(info.nmodules, 0);
	CHECK_EQ(info.nerrors, 1);
}

TEST(module_start_above_end_skipped)
{
	struct mbi m;
	mbi_begin(&m);
	add_module(&m, 0x5000, 0x4000, "backwards");
	add_module(&m, 0x6000, 0x7000, "fine");
	add_end(&m);
	mbi_finish(&m);
	CHECK(parse(&m, &info));
	CHECK_EQ(info.nmodules, 1);
	CHECK_STR(info.modules[0].cmdline, "fine");
	CHECK_EQ(info.nerrors, 1);
	CHECK(log_has(shim_log_take(), "start above its end"));
}

TEST(too_many_modules_keeps_the_first)
{
	struct mbi m;
	mbi_begin(&m);
	for (uint32_t i = 0; i < MB2_MAX_MODULES + 2; i++) {
		char name[16];
		snprintf(name, sizeof name, "m%u", i);
		add_module(&m, i << 20, (i + 1) << 20, name);
	}
	add_end(&m);
	mbi_finish(&m);
	CHECK(parse(&m, &info));
	CHECK_EQ(info.nmodules, MB2_MAX_MODULES);
	CHECK_STR(info.modules[MB2_MAX_MODULES - 1].cmdline, "m15");
	CHECK_EQ(info.modules[MB2_MAX_MODULES - 1].start, 15u << 20);
	CHECK_EQ(info.nerrors, 2);
	CHECK(log_has(shim_log_take(), "too many modules"));
}

TEST(meminfo_too_short_skipped)
{
	struct mbi m;
	mbi_begin(&m);
	uint32_t lower = 639;
	add_tag(&m, 4, &lower, sizeof lower);
	add_end(&m);
	mbi_finish(&m);
	CHECK(parse(&m, &info));
	CHECK(!info.have_meminfo);
	CHECK_EQ(info.nerrors, 1);
}

TEST(mmap_entry_size_below_24_rejected)
{
	struct mbi m;
	mbi_begin(&m);
	size_t off = add_mmap(&m, 24, 2);
	put32(&m, off + 8, 16);
	add_end(&m);
	mbi_finish(&m);
	CHECK(parse(&m, &info));
	CHECK_EQ(info.nmmap, 0);
	CHECK_EQ(info.nerrors, 1);
	CHECK(log_has(shim_log_take(), "tag 6 at offset 8"));
}

TEST(mmap_entry_size_not_multiple_of_8_rejected)
{
	struct mbi m;
	mbi_begin(&m);
	size_t off = add_mmap(&m, 24, 3);
	put32(&m, off + 8, 36); /* 3 * 24 = 2 * 36: the entries would otherwise fit */
	add_end(&m);
	mbi_finish(&m);
	CHECK(parse(&m, &info));
	CHECK_EQ(info.nmmap, 0);
	CHECK_EQ(info.nerrors, 1);
}

TEST(mmap_larger_entry_size_is_the_stride)
{
	struct mbi m;
	mbi_begin(&m);
	add_mmap(&m, 40, 3);
	add_end(&m);
	mbi_finish(&m);
	CHECK(parse(&m, &info));
	CHECK_EQ(info.nmmap, 3);
	CHECK_EQ(mb2_mem_get(&info, 1).base, 1ull << 20);
	CHECK_EQ(mb2_mem_get(&info, 2).len, 3ull << 12);
	CHECK_EQ(mb2_mem_get(&info, 2).type, 3);
	CHECK_EQ(info.nerrors, 0);
}

TEST(mmap_partial_entry_reported_whole_ones_kept)
{
	struct mbi m;
	mbi_begin(&m);
	size_t off = add_mmap(&m, 24, 3);
	put32(&m, off + 4, 16 + 24 * 2 + 12);
	m.len = off + 16 + 24 * 2 + 16; /* the next tag follows the shortened one */
	add_end(&m);
	mbi_finish(&m);
	CHECK(parse(&m, &info));
	CHECK_EQ(info.nmmap, 2);
	CHECK_EQ(mb2_mem_get(&info, 1).base, 1ull << 20);
	CHECK_EQ(info.nerrors, 1);
	CHECK(log_has(shim_log_take(), "partial"));
}

/* Firmware maps on servers run to hundreds of entries: every one is read. */
TEST(long_mmap_read_whole)
{
	static struct mbi m;
	mbi_begin(&m);
	add_mmap(&m, 24, 300);
	add_end(&m);
	mbi_finish(&m);
	CHECK(parse(&m, &info));
	CHECK_EQ(mb2_mem_count(&info), 300);
	CHECK_EQ(mb2_mem_get(&info, 299).base, 299ull << 20);
	CHECK_EQ(mb2_mem_get(&info, 299).len, 300ull << 12);
	CHECK_EQ(mb2_mem_get(&info, 299).kind, MB2_MEM_RESERVED); /* type 5: defective */
	CHECK_EQ(mb2_mem_get(&info, 0).kind, MB2_MEM_USABLE);
	CHECK_EQ(info.nerrors, 0);
	CHECK(!strcmp(mb2_mem_source(&info), "Multiboot2 memory map"));
}

/* EFI descriptors: {type, pad, phys, virt, pages, attribute}; n of them with given types. */
static size_t add_efi_mmap(struct mbi *m, uint32_t desc_size, unsigned n, const uint32_t *types,
			   const uint64_t *attrs)
{
	size_t off = m->len;
	put32(m, off, 17);
	put32(m, off + 4, 16 + desc_size * n);
	put32(m, off + 8, desc_size);
	put32(m, off + 12, 1);
	for (unsigned i = 0; i < n; i++) {
		size_t e = off + 16 + (size_t)i * desc_size;
		put32(m, e, types[i]);
		put32(m, e + 4, 0);
		put64(m, e + 8, (uint64_t)i << 24);
		put64(m, e + 16, 0);
		put64(m, e + 24, 16); /* 64 KiB */
		put64(m, e + 32, attrs[i]);
	}
	m->len = (off + 16 + (size_t)desc_size * n + 7) & ~(size_t)7;
	return off;
}

TEST(efi_map_preferred_and_classified)
{
	static struct mbi m;
	enum { WB = 8, UC = 1 };
	const uint32_t types[] = {7, 1, 2, 3, 4, 5, 6, 9, 10, 11, 0, 7, 15};
	const uint64_t attrs[] = {WB, WB, WB, WB, WB, WB, WB, WB, WB, UC, WB, UC, WB};
	const enum mb2_mem_kind want[] = {
	    MB2_MEM_USABLE,   MB2_MEM_USABLE,	MB2_MEM_USABLE,	  MB2_MEM_USABLE,  MB2_MEM_USABLE,
	    MB2_MEM_FIRMWARE, MB2_MEM_FIRMWARE, MB2_MEM_FIRMWARE, MB2_MEM_FIRMWARE, MB2_MEM_RESERVED,
	    MB2_MEM_RESERVED, MB2_MEM_RESERVED, MB2_MEM_RESERVED};
	unsigned n = sizeof types / sizeof types[0];
	mbi_begin(&m);
	add_mmap(&m, 24, 3);
	add_efi_mmap(&m, 48, n, types, attrs); /* GRUB gives 48-byte descriptors */
	add_end(&m);
	mbi_finish(&m);
	CHECK(parse(&m, &info));
	CHECK_EQ(mb2_mem_count(&info), n);
	CHECK(!strcmp(mb2_mem_source(&info), "EFI memory map"));
	for (unsigned i = 0; i < n; i++) {
		struct mb2_mem_range r = mb2_mem_get(&info, i);
		CHECK_EQ(r.kind, want[i]);
		CHECK_EQ(r.base, (uint64_t)i << 24);
		CHECK_EQ(r.len, 16ull << 12);
		CHECK_EQ(r.type, types[i]);
	}
}

TEST(efi_descriptor_below_40_bytes_rejected)
{
	struct mbi m;
	const uint32_t types[] = {7};
	const uint64_t attrs[] = {8};
	mbi_begin(&m);
	size_t off = add_efi_mmap(&m, 48, 1, types, attrs);
	put32(&m, off + 8, 32);
	add_end(&m);
	mbi_finish(&m);
	CHECK(parse(&m, &info));
	CHECK_EQ(mb2_mem_count(&info), 0);
	CHECK_EQ(info.nerrors, 1);
}

TEST(framebuffer_and_load_base_tags)
{
	struct mbi m;
	uint8_t fb[30] = {0};
	uint64_t addr = 0x80000000ull;
	uint32_t pitch = 5120, w = 1280, h = 800;
	memcpy(fb, &addr, 8);
	memcpy(fb + 8, &pitch, 4);
	memcpy(fb + 12, &w, 4);
	memcpy(fb + 16, &h, 4);
	fb[20] = 32;	 /* bpp */
	fb[21] = 1;	 /* RGB */
	fb[24] = 16;	 /* red position */
	fb[25] = 8;	 /* red size */
	fb[26] = 8;	 /* green position */
	fb[27] = 8, fb[28] = 0, fb[29] = 8;
	uint32_t base = 0x0fc00000;
	mbi_begin(&m);
	add_tag(&m, 8, fb, sizeof fb);
	add_tag(&m, 21, &base, sizeof base);
	add_end(&m);
	mbi_finish(&m);
	CHECK(parse(&m, &info));
	CHECK(info.have_fb);
	CHECK_EQ(info.fb.addr, addr);
	CHECK_EQ(info.fb.pitch, 5120);
	CHECK_EQ(info.fb.width, 1280);
	CHECK_EQ(info.fb.height, 800);
	CHECK_EQ(info.fb.bpp, 32);
	CHECK_EQ(info.fb.type, MB2_FB_RGB);
	CHECK_EQ(info.fb.red_pos, 16);
	CHECK_EQ(info.fb.blue_size, 8);
	CHECK(info.have_load_base);
	CHECK_EQ(info.load_base, 0x0fc00000);
}

TEST(rgb_framebuffer_without_colours_rejected)
{
	struct mbi m;
	uint8_t fb[22] = {0};
	fb[20] = 32;
	fb[21] = 1;
	mbi_begin(&m);
	add_tag(&m, 8, fb, sizeof fb);
	add_end(&m);
	mbi_finish(&m);
	CHECK(parse(&m, &info));
	CHECK(!info.have_fb);
	CHECK_EQ(info.nerrors, 1);
}

TEST(new_rsdp_preferred_over_old_in_any_order)
{
	uint8_t v1[20] = {1}, v2[36] = {2};
	for (int order = 0; order < 2; order++) {
		struct mbi m;
		mbi_begin(&m);
		if (order == 0)
			add_tag(&m, 14, v1, sizeof v1);
		size_t new_off = add_tag(&m, 15, v2, sizeof v2);
		if (order == 1)
			add_tag(&m, 14, v1, sizeof v1);
		add_end(&m);
		mbi_finish(&m);
		CHECK(parse(&m, &info));
		CHECK_EQ(info.rsdp_version, 2);
		CHECK_EQ(info.rsdp_len, 36);
		CHECK(info.rsdp == (const uint8_t *)parse_copy + new_off + 8);
	}
}

TEST(rsdp_copy_too_short_skipped)
{
	uint8_t v1[20] = {0}, short_v2[20] = {0};
	struct mbi m;
	mbi_begin(&m);
	add_tag(&m, 14, v1, 12);
	add_tag(&m, 15, short_v2, sizeof short_v2); /* a v1-sized copy in a v2 tag */
	add_end(&m);
	mbi_finish(&m);
	CHECK(parse(&m, &info));
	CHECK_EQ(info.rsdp_version, 0);
	CHECK(info.rsdp == NULL);
	CHECK_EQ(info.nerrors, 2);
}

TEST(end_tag_with_wrong_size_counted)
{
	struct mbi m;
	mbi_begin(&m);
	uint32_t pad[2] = {0};
	add_tag(&m, 0, pad, sizeof pad);
	mbi_finish(&m);
	CHECK(parse(&m, &info));
	CHECK_EQ(info.nerrors, 1);
	CHECK(log_has(shim_log_take(), "tag 0 at offset 8"));
}

CHECK_MAIN("mb2", CASE(good_info_parses_every_tag), CASE(absent_tags_leave_defaults),
	   CASE(unknown_tags_skipped_silently), CASE(tags_follow_at_8_byte_alignment),
	   CASE(misaligned_info_rejected), CASE(avail_below_total_size_rejected),
	   CASE(avail_below_fixed_header_rejected), CASE(total_size_below_fixed_header_rejected),
	   CASE(missing_end_tag_rejected), CASE(end_tag_outside_total_size_not_found),
	   CASE(tag_size_below_8_rejected), CASE(tag_running_past_total_size_rejected),
	   CASE(huge_tag_size_does_not_wrap), CASE(unterminated_strings_reported_and_skipped),
	   CASE(empty_string_tag_reported), CASE(unterminated_module_string_skips_module),
	   CASE(module_too_short_skipped), CASE(module_start_above_end_skipped),
	   CASE(too_many_modules_keeps_the_first), CASE(meminfo_too_short_skipped),
	   CASE(mmap_entry_size_below_24_rejected),
	   CASE(mmap_entry_size_not_multiple_of_8_rejected),
	   CASE(mmap_larger_entry_size_is_the_stride),
	   CASE(mmap_partial_entry_reported_whole_ones_kept),
	   CASE(long_mmap_read_whole), CASE(efi_map_preferred_and_classified),
	   CASE(efi_descriptor_below_40_bytes_rejected), CASE(framebuffer_and_load_base_tags),
	   CASE(rgb_framebuffer_without_colours_rejected),
	   CASE(new_rsdp_preferred_over_old_in_any_order), CASE(rsdp_copy_too_short_skipped),
	   CASE(end_tag_with_wrong_size_counted))
