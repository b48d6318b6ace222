/* Every bound mb2_parse checks, at the limit, one past it, and with sizes that wrap at 2^32:
 * the MBI is the first input the hypervisor trusts nothing of. */
#include "tests/unit/mb2_builder.h"

#define TAG_MMAP 6

TEST(alignment_exactly_8)
{
	static uint8_t raw[64] __attribute__((aligned(16)));
	struct mbi m;
	mbi_begin(&m);
	add_end(&m);
	mbi_finish(&m);
	for (unsigned skew = 0; skew <= 8; skew++) {
		memcpy(raw + skew, m.buf, m.len);
		CHECK(mb2_parse(raw + skew, m.len, &info) == (skew % 8 == 0));
	}
}

TEST(avail_at_and_below_the_header)
{
	struct mbi m;
	mbi_begin(&m);
	add_end(&m);
	mbi_finish(&m);
	put32(&m, 0, 8); /* total_size 8: the header alone, no room for the end tag */
	CHECK(!parse_avail(&m, 8, &info));
	CHECK(log_has(shim_log_take(), "no end tag"));
	CHECK(!parse_avail(&m, 7, &info));
	CHECK(log_has(shim_log_take(), "too small (7 bytes)"));
}

TEST(total_size_equal_to_avail_and_one_past)
{
	struct mbi m;
	mbi_begin(&m);
	add_string(&m, 1, "abc");
	add_end(&m);
	mbi_finish(&m);
	CHECK(parse_avail(&m, m.len, &info));
	CHECK_STR(info.cmdline, "abc");
	CHECK(!parse_avail(&m, m.len - 1, &info));
	CHECK(log_has(shim_log_take(), "exceeds"));
	put32(&m, 0, 0xffffffff);
	CHECK(!parse_avail(&m, m.len, &info));
}

TEST(total_size_7_8_15_16)
{
	struct mbi m;
	mbi_begin(&m);
	add_end(&m);
	mbi_finish(&m);
	CHECK_EQ(m.len, 16);
	CHECK(parse(&m, &info));
	put32(&m, 0, 15); /* the end tag would end one byte past total_size */
	CHECK(!parse(&m, &info));
	CHECK(log_has(shim_log_take(), "no end tag"));
	put32(&m, 0, 8);
	CHECK(!parse(&m, &info));
	put32(&m, 0, 7);
	CHECK(!parse(&m, &info));
	CHECK(log_has(shim_log_take(), "does not cover"));
}

/* A tag may end exactly at total_size (only the end tag can, as the last one); one byte
 * more, or a size that wraps the 32-bit offset arithmetic, breaks the chain. */
TEST(tag_size_up_to_total_size)
{
	static const uint32_t sizes[] = {0xffffffff, 0xfffffff9, 0xfffffff8, 0x80000000};
	struct mbi m;
	mbi_begin(&m);
	size_t off = add_string(&m, 1, "x");
	add_end(&m);
	mbi_finish(&m);
	put32(&m, off + 4, (uint32_t)(m.len - off));
	CHECK(!parse(&m, &info)); /* reaches total_size: no room left for the end tag */
	CHECK(log_has(shim_log_take(), "no end tag"));
	put32(&m, off + 4, (uint32_t)(m.len - off + 1));
	CHECK(!parse(&m, &info));
	CHECK(log_has(shim_log_take(), "runs past total_size"));
	for (unsigned i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		put32(&m, off + 4, sizes[i]);
		CHECK(!parse(&m, &info));
	}
	put32(&m, off + 4, 7);
	CHECK(!parse(&m, &info));
	mbi_begin(&m);
	add_tag(&m, 99, NULL, 0); /* size 8, the least: the end tag follows at once */
	add_end(&m);
	mbi_finish(&m);
	CHECK(parse(&m, &info));
}

/* A string's NUL must be the tag's last byte at the latest, not in the padding after it. */
TEST(string_nul_at_the_last_byte_of_the_tag)
{
	struct mbi m;
	mbi_begin(&m);
	size_t off = add_string(&m, 1, "abcdef");
	add_end(&m);
	mbi_finish(&m);
	CHECK(parse(&m, &info));
	CHECK_STR(info.cmdline, "abcdef");
	put32(&m, off + 4, 8 + 6); /* the NUL at +14 is now the first padding byte */
	CHECK(parse(&m, &info));
	CHECK(info.cmdline == NULL);
	CHECK_EQ(info.nerrors, 1);
}

TEST(module_tag_16_and_17_bytes)
{
	struct mbi m;
	mbi_begin(&m);
	uint8_t p[9] = {0x00, 0x10, 0, 0, 0x00, 0x20, 0, 0, 0};
	add_tag(&m, 3, p, 8);
	add_tag(&m, 3, p, 9);
	add_end(&m);
	mbi_finish(&m);
	CHECK(parse(&m, &info));
	CHECK_EQ(info.nmodules, 1);
	CHECK_EQ(info.nerrors, 1);
	CHECK_STR(info.modules[0].cmdline, "");
}

TEST(modules_16_kept_17th_reported)
{
	struct mbi m;
	mbi_begin(&m);
	for (unsigned i = 0; i < MB2_MAX_MODULES; i++)
		add_module(&m, 0x1000 * i, 0x1000 * i, "m");
	add_end(&m);
	mbi_finish(&m);
	CHECK(parse(&m, &info));
	CHECK_EQ(info.nmodules, MB2_MAX_MODULES);
	CHECK_EQ(info.nerrors, 0);
}

TEST(meminfo_15_and_16_bytes)
{
	struct mbi m;
	mbi_begin(&m);
	uint8_t p[8] = {1, 0, 0, 0, 2, 0, 0, 0};
	add_tag(&m, 4, p, 7);
	add_end(&m);
	mbi_finish(&m);
	CHECK(parse(&m, &info));
	CHECK(!info.have_meminfo);
	mbi_begin(&m);
	add_tag(&m, 4, p, 8);
	add_end(&m);
	mbi_finish(&m);
	CHECK(parse(&m, &info));
	CHECK(info.have_meminfo && info.mem_upper_kb == 2);
}

/* The memory map tag's fixed part is 16 bytes: shorter tags have no entry_size to trust,
 * and the entry bytes (size - 16) must not wrap. */
TEST(mmap_tag_shorter_than_16_rejected)
{
	/* entry_size 24, then bytes that are no entry_version */
	static const uint8_t fixed[7] = {24, 0, 0, 0, 0xee, 0xee, 0xee};
	static const size_t short_sizes[] = {8, 12, 15};
	for (unsigned i = 0; i < sizeof short_sizes / sizeof short_sizes[0]; i++) {
		struct mbi m;
		mbi_begin(&m);
		add_tag(&m, TAG_MMAP, fixed, short_sizes[i] - 8);
		add_end(&m);
		mbi_finish(&m);
		CHECK(parse(&m, &info));
		CHECK_EQ(info.nmmap, 0);
		CHECK_EQ(info.nerrors, 1);
		CHECK(log_has(shim_log_take(), "memory map tag too short"));
	}
	struct mbi m;
	mbi_begin(&m);
	add_mmap(&m, 24, 0); /* exactly 16: no entries, nothing wrong */
	add_end(&m);
	mbi_finish(&m);
	CHECK(parse(&m, &info));
	CHECK_EQ(info.nmmap, 0);
	CHECK_EQ(info.nerrors, 0);
}

TEST(mmap_entry_size_23_24_and_huge)
{
	struct mbi m;
	mbi_begin(&m);
	size_t off = add_mmap(&m, 24, 2);
	add_end(&m);
	mbi_finish(&m);
	CHECK(parse(&m, &info));
	CHECK_EQ(info.nmmap, 2);
	put32(&m, off + 8, 23);
	CHECK(parse(&m, &info));
	CHECK_EQ(info.nmmap, 0);
	put32(&m, off + 8, 0xfffffff8); /* a multiple of 8 whose sums would wrap 32 bits */
	CHECK(parse(&m, &info));
	CHECK_EQ(info.nmmap, 0);
	CHECK_EQ(info.nerrors, 1);
}

TEST(mmap_entries_exactly_fill_the_tag)
{
	struct mbi m;
	mbi_begin(&m);
	size_t off = add_mmap(&m, 24, 3);
	add_end(&m);
	mbi_finish(&m);
	CHECK(parse(&m, &info));
	CHECK_EQ(info.nmmap, 3);
	CHECK_EQ(info.nerrors, 0);
	put32(&m, off + 4, 16 + 3 * 24 - 1); /* the last entry one byte short */
	CHECK(parse(&m, &info));
	CHECK_EQ(info.nmmap, 2);
	CHECK_EQ(info.nerrors, 1);
}

/* The map is read in place, however long: 300 entries (an EFI-era map) are all kept. */
TEST(mmap_of_300_entries_kept_whole)
{
	struct mbi m;
	mbi_begin(&m);
	add_mmap(&m, 24, 300);
	add_end(&m);
	mbi_finish(&m);
	CHECK(parse(&m, &info));
	CHECK_EQ(info.nmmap, 300);
	CHECK_EQ(mb2_mem_count(&info), 300);
	CHECK_EQ(info.nerrors, 0);
}

TEST(rsdp_copies_at_their_minimum_sizes)
{
	uint8_t rsdp[36] = "RSD PTR ";
	struct mbi m;
	mbi_begin(&m);
	add_tag(&m, 14, rsdp, 20);
	add_end(&m);
	mbi_finish(&m);
	CHECK(parse(&m, &info));
	CHECK_EQ(info.rsdp_version, 1);
	CHECK_EQ(info.rsdp_len, 20);
	mbi_begin(&m);
	add_tag(&m, 14, rsdp, 19);
	add_tag(&m, 15, rsdp, 35);
	add_end(&m);
	mbi_finish(&m);
	CHECK(parse(&m, &info));
	CHECK_EQ(info.rsdp_version, 0);
	CHECK_EQ(info.nerrors, 2);
	mbi_begin(&m);
	add_tag(&m, 15, rsdp, 36);
	add_end(&m);
	mbi_finish(&m);
	CHECK(parse(&m, &info));
	CHECK_EQ(info.rsdp_version, 2);
	CHECK_EQ(info.rsdp_len, 36);
}

CHECK_MAIN("mb2_bounds", CASE(alignment_exactly_8), CASE(avail_at_and_below_the_header),
	   CASE(total_size_equal_to_avail_and_one_past), CASE(total_size_7_8_15_16),
	   CASE(tag_size_up_to_total_size), CASE(string_nul_at_the_last_byte_of_the_tag),
	   CASE(module_tag_16_and_17_bytes), CASE(modules_16_kept_17th_reported),
	   CASE(meminfo_15_and_16_bytes), CASE(mmap_tag_shorter_than_16_rejected),
	   CASE(mmap_entry_size_23_24_and_huge), CASE(mmap_entries_exactly_fill_the_tag),
	   CASE(mmap_of_300_entries_kept_whole), CASE(rsdp_copies_at_their_minimum_sizes))
