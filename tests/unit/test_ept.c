/* EPT tables against the SDM vol. 3C ch. 29 layout: entries are read back raw where it matters. */
#include "ept/ept.h"
#include "ept/ept_flush.h"
#include "kernel/mem.h"
#include "tests/unit/check.h"
#include "tests/unit/shim.h"

#define KiB4 0x1000ull
#define MiB2 0x200000ull
#define GiB1 0x40000000ull

#define ADDR_BITS  0x000ffffffffff000ull /* bits 51:12 */
#define LARGE_BIT  (1ull << 7)
#define MEMTYPE(e) (((e) >> 3) & 7) /* bits 5:3 */
#define WB	   6

static unsigned flushes;
static uint64_t in_use_at_first_flush;

void ept_flush(struct ept *ept)
{
	if (flushes++ == 0)
		in_use_at_first_flush = shim_frames_in_use();
}

static uint64_t baseline;

static void setup(struct ept *ept)
{
	shim_fail_after(-1);
	baseline = shim_frames_in_use();
	CHECK(ept_init(ept));
	flushes = 0;
}

static void teardown(struct ept *ept)
{
	shim_fail_after(-1);
	ept_destroy(ept);
	CHECK_EQ(shim_frames_in_use(), baseline);
}

static uint64_t *table(uint64_t pa)
{
	return phys_to_virt(pa & ADDR_BITS);
}

/* The raw entry mapping gpa at `level` (3 = PML4 ... 0 = PT), or 0 if the walk stops earlier. */
static uint64_t raw_entry(const struct ept *ept, uint64_t gpa, int want)
{
	uint64_t pa = ept->pml4_pa;
	for (int level = 3;; level--) {
		uint64_t e = table(pa)[(gpa >> (12 + 9 * level)) & 511];
		if (level == want)
			return e;
		if (!(e & 7) || (e & LARGE_BIT))
			return 0;
		pa = e;
	}
}

/* Walks the whole tree checking the SDM's entry formats; returns how many tables it holds. */
static uint64_t check_tree_at(uint64_t pa, int level)
{
	uint64_t n = 1;
	const uint64_t *t = table(pa);
	for (int i = 0; i < 512; i++) {
		uint64_t e = t[i];
		if (!(e & 7)) {
			CHECK_EQ(e, 0);
			continue;
		}
		bool leaf = level == 0 || (e & LARGE_BIT);
		CHECK(level < 2 || !leaf); /* only 2 MiB and 4 KiB pages are made */
		if (leaf) {
			CHECK_EQ(MEMTYPE(e), WB);
			if (level == 1)
				CHECK_EQ(e & 0x1ff000,
					 0); /* a 2 MiB page's address bits 20:12 are reserved */
		} else {
			CHECK_EQ(e & 0xff8,
				 0); /* bits 11:3 of a non-leaf entry: reserved or ignored */
			CHECK_EQ(e & 7, 7);
			n += check_tree_at(e, level - 1);
		}
	}
	return n;
}

static void check_tree(const struct ept *ept)
{
	CHECK_EQ(check_tree_at(ept->pml4_pa, 3), ept->table_frames);
	CHECK_EQ(shim_frames_in_use() - baseline, ept->table_frames);
}

static void check_maps(const struct ept *ept, uint64_t gpa, uint64_t hpa, unsigned prot,
		       uint64_t page_size)
{
	struct ept_mapping m = {0};
	CHECK(ept_query(ept, gpa, &m));
	CHECK_EQ(m.hpa, hpa);
	CHECK_EQ(m.prot, prot);
	CHECK_EQ(m.page_size, page_size);
}

static void check_unmapped(const struct ept *ept, uint64_t gpa)
{
	struct ept_mapping m;
	CHECK(!ept_query(ept, gpa, &m));
}

TEST(init_takes_one_empty_pml4)
{
	struct ept ept;
	setup(&ept);
	CHECK_EQ(ept.table_frames, 1);
	CHECK_EQ(shim_frames_in_use(), baseline + 1);
	CHECK_EQ(ept.pml4_pa % KiB4, 0);
	for (int i = 0; i < 512; i++)
		CHECK_EQ(table(ept.pml4_pa)[i], 0);
	check_unmapped(&ept, 0);
	teardown(&ept);
	CHECK_EQ(flushes, 0); /* nothing was ever mapped */
}

TEST(init_fails_without_frames)
{
	struct ept ept;
	uint64_t before = shim_frames_in_use();
	shim_fail_after(0);
	CHECK(!ept_init(&ept));
	shim_fail_after(-1);
	CHECK_EQ(ept.pml4_pa, 0);
	CHECK_EQ(shim_frames_in_use(), before);
}

TEST(eptp_is_wb_four_level_without_ad)
{
	struct ept ept;
	setup(&ept);
	uint64_t eptp = ept_eptp(&ept);
	CHECK_EQ(eptp & 7, 6);		 /* paging-structure memory type WB */
	CHECK_EQ((eptp >> 3) & 7, 3);	 /* walk length 4 - 1 */
	CHECK_EQ(eptp & (1ull << 6), 0); /* accessed/dirty flags off */
	CHECK_EQ(eptp & 0xf80, 0);	 /* bits 11:7 reserved */
	CHECK_EQ(eptp & ADDR_BITS, ept.pml4_pa);
	teardown(&ept);
}

TEST(map_4k_and_query_offset)
{
	struct ept ept;
	setup(&ept);
	CHECK(ept_map(&ept, 0x1000, 0x12345000, KiB4, EPT_R | EPT_W));
	check_maps(&ept, 0x1000, 0x12345000, EPT_R | EPT_W, KiB4);
	check_maps(&ept, 0x1abc, 0x12345abc, EPT_R | EPT_W, KiB4);
	check_unmapped(&ept, 0x0fff);
	check_unmapped(&ept, 0x2000);
	uint64_t pte = raw_entry(&ept, 0x1000, 0);
	CHECK_EQ(pte & ADDR_BITS, 0x12345000);
	CHECK_EQ(pte & 7, EPT_R | EPT_W);
	CHECK_EQ(ept.table_frames, 4);
	check_tree(&ept);
	CHECK_EQ(flushes, 0);
	teardown(&ept);
}

/* A CPU without 2 MiB EPT pages (IA32_VMX_EPT_VPID_CAP bit 16 clear) gets 4 KiB leaves. */
TEST(no_large_pages_when_the_cpu_lacks_them)
{
	struct ept ept;
	setup(&ept);
	ept_large_pages = false;
	CHECK(ept_map(&ept, 0x200000, 0x80000000, 2 * MiB2, EPT_RWX));
	ept_large_pages = true;
	check_maps(&ept, 0x200000, 0x80000000, EPT_RWX, KiB4);
	check_maps(&ept, 0x412345, 0x80212345, EPT_RWX, KiB4);
	CHECK(!(raw_entry(&ept, 0x200000, 1) & LARGE_BIT));
	CHECK_EQ(ept.table_frames, 5); /* PML4, PDPT, PD, two PTs */
	check_tree(&ept);
	teardown(&ept);
}

TEST(aligned_map_uses_2m_pages)
{
	struct ept ept;
	setup(&ept);
	CHECK(ept_map(&ept, 0x200000, 0x80000000, 2 * MiB2, EPT_RWX));
	check_maps(&ept, 0x200000, 0x80000000, EPT_RWX, MiB2);
	check_maps(&ept, 0x3fffff, 0x801fffff, EPT_RWX, MiB2);
	check_maps(&ept, 0x412345, 0x80212345, EPT_RWX, MiB2);
	check_unmapped(&ept, 0x600000);
	check_unmapped(&ept, 0x1ff000);
	uint64_t pde = raw_entry(&ept, 0x200000, 1);
	CHECK(pde & LARGE_BIT);
	CHECK_EQ(pde & ADDR_BITS, 0x80000000);
	CHECK_EQ(ept.table_frames, 3); /* PML4, PDPT, PD: no PT */
	check_tree(&ept);
	teardown(&ept);
}

TEST(misaligned_hpa_falls_back_to_4k)
{
	struct ept ept;
	setup(&ept);
	CHECK(ept_map(&ept, 0x200000, 0x80001000, MiB2, EPT_RWX));
	for (uint64_t off = 0; off < MiB2; off += KiB4)
		check_maps(&ept, 0x200000 + off, 0x80001000 + off, EPT_RWX, KiB4);
	CHECK(!(raw_entry(&ept, 0x200000, 1) & LARGE_BIT));
	CHECK_EQ(ept.table_frames, 4);
	check_tree(&ept);
	teardown(&ept);
}

TEST(unaligned_ends_use_4k_middle_uses_2m)
{
	struct ept ept;
	setup(&ept);
	/* gpa and hpa differ by a multiple of 2 MiB, so the aligned middle can be large. */
	CHECK(ept_map(&ept, 0x1ff000, 0x805ff000, MiB2 + 2 * KiB4, EPT_R | EPT_X));
	check_maps(&ept, 0x1ff000, 0x805ff000, EPT_R | EPT_X, KiB4);
	check_maps(&ept, 0x200000, 0x80600000, EPT_R | EPT_X, MiB2);
	check_maps(&ept, 0x3ff000, 0x807ff000, EPT_R | EPT_X, MiB2);
	check_maps(&ept, 0x400000, 0x80800000, EPT_R | EPT_X, KiB4);
	check_unmapped(&ept, 0x401000);
	check_unmapped(&ept, 0x1fe000);
	CHECK_EQ(ept.table_frames, 5); /* two PTs around one large PDE */
	check_tree(&ept);
	teardown(&ept);
}

TEST(tail_shorter_than_2m_uses_4k)
{
	struct ept ept;
	setup(&ept);
	CHECK(ept_map(&ept, 0, 0x80000000, 3 * MiB2 / 2, EPT_RWX));
	check_maps(&ept, 0, 0x80000000, EPT_RWX, MiB2);
	check_maps(&ept, MiB2, 0x80000000 + MiB2, EPT_RWX, KiB4);
	check_maps(&ept, 0x2ff000, 0x802ff000, EPT_RWX, KiB4);
	check_unmapped(&ept, 0x300000);
	check_tree(&ept);
	teardown(&ept);
}

TEST(every_leaf_is_write_back)
{
	struct ept ept;
	setup(&ept);
	CHECK(ept_map(&ept, 0, 0x80000000, 4 * MiB2, EPT_RWX));
	CHECK(ept_map(&ept, 0x10000000, 0x90003000, 5 * KiB4, EPT_R));
	CHECK(ept_map(&ept, 0x201000, 0xa0000000, KiB4, EPT_R | EPT_W)); /* splits one */
	CHECK_EQ(MEMTYPE(raw_entry(&ept, 0, 1)), WB);
	CHECK_EQ(MEMTYPE(raw_entry(&ept, 0x10002000, 0)), WB);
	CHECK_EQ(MEMTYPE(raw_entry(&ept, 0x201000, 0)), WB);
	CHECK_EQ(MEMTYPE(raw_entry(&ept, 0x200000, 0)), WB);
	check_tree(&ept); /* every leaf in the tree */
	teardown(&ept);
}

TEST(prot_bits_are_kept_per_mapping)
{
	struct ept ept;
	setup(&ept);
	CHECK(ept_map(&ept, 0x0000, 0x1000000, KiB4, EPT_R));
	CHECK(ept_map(&ept, 0x1000, 0x1001000, KiB4, EPT_R | EPT_X));
	CHECK(ept_map(&ept, 0x2000, 0x1002000, KiB4, EPT_X));
	CHECK(ept_map(&ept, 0x3000, 0x1003000, KiB4, EPT_RWX));
	check_maps(&ept, 0x0000, 0x1000000, EPT_R, KiB4);
	check_maps(&ept, 0x1000, 0x1001000, EPT_R | EPT_X, KiB4);
	check_maps(&ept, 0x2000, 0x1002000, EPT_X, KiB4);
	check_maps(&ept, 0x3000, 0x1003000, EPT_RWX, KiB4);
	CHECK_EQ(raw_entry(&ept, 0x2000, 0) & 7, EPT_X);
	teardown(&ept);
}

TEST(bad_arguments_are_refused_untouched)
{
	struct ept ept;
	setup(&ept);
	CHECK(!ept_map(&ept, 0x800, 0x1000, KiB4, EPT_RWX));
	CHECK(!ept_map(&ept, 0x1000, 0x1800, KiB4, EPT_RWX));
	CHECK(!ept_map(&ept, 0x1000, 0x1000, 0x800, EPT_RWX));
	CHECK(!ept_map(&ept, 0x1000, 0x1000, KiB4, 0));
	CHECK(!ept_map(&ept, 0x1000, 0x1000, KiB4, EPT_W)); /* write-only: misconfiguration */
	CHECK(!ept_map(&ept, 0x1000, 0x1000, KiB4, EPT_W | EPT_X)); /* ditto */
	CHECK(!ept_map(&ept, 0x1000, 0x1000, KiB4, 8));
	CHECK(!ept_map(&ept, (1ull << 48) - KiB4, 0x1000, 2 * KiB4, EPT_RWX));
	CHECK(!ept_map(&ept, 0, (1ull << 52) - KiB4, 2 * KiB4, EPT_RWX));
	CHECK(!ept_map(&ept, KiB4, 0, ~0ull - 0xfff, EPT_RWX));
	CHECK(!ept_unmap(&ept, 0x800, KiB4));
	CHECK(!ept_unmap(&ept, (1ull << 48) - KiB4, 2 * KiB4));
	CHECK_EQ(ept.table_frames, 1);
	CHECK_EQ(table(ept.pml4_pa)[0], 0);
	CHECK_EQ(flushes, 0);
	teardown(&ept);
}

/* Ranges may end exactly at 2^48 (guest) or 2^52 (host), not one page further, and a start
 * near 2^64 must not wrap its end into the low addresses. */
TEST(range_limits_and_wrapping_ends)
{
	struct ept ept;
	setup(&ept);
	CHECK(!ept_map(&ept, 0ull - KiB4, 0x1000, 2 * KiB4, EPT_RWX));
	CHECK(!ept_map(&ept, 0ull - 2 * MiB2, 0, 4 * MiB2, EPT_RWX));
	CHECK(!ept_map(&ept, 1ull << 48, 0x1000, KiB4, EPT_RWX));
	CHECK(!ept_map(&ept, 0x1000, 0ull - KiB4, 2 * KiB4, EPT_RWX));
	CHECK(!ept_map(&ept, 0x1000, 1ull << 52, KiB4, EPT_RWX));
	CHECK(!ept_unmap(&ept, 0ull - KiB4, 2 * KiB4));
	CHECK(!ept_unmap(&ept, 1ull << 48, KiB4));
	CHECK_EQ(table(ept.pml4_pa)[0], 0);
	CHECK_EQ(table(ept.pml4_pa)[511], 0);
	CHECK(ept_map(&ept, (1ull << 48) - 2 * KiB4, (1ull << 52) - 2 * KiB4, 2 * KiB4, EPT_R));
	check_maps(&ept, (1ull << 48) - 1, (1ull << 52) - 1, EPT_R, KiB4);
	struct ept_mapping m;
	CHECK(!ept_query(&ept, 1ull << 48, &m));
	CHECK(!ept_query(&ept, ~0ull, &m));
	CHECK(ept_unmap(&ept, (1ull << 48) - 2 * KiB4, 2 * KiB4));
	check_unmapped(&ept, (1ull << 48) - 1);
	teardown(&ept);
}

TEST(top_of_gpa_space_and_pml4_boundary)
{
	struct ept ept;
	setup(&ept);
	CHECK(ept_map(&ept, (1ull << 48) - KiB4, 0x5000, KiB4, EPT_R));
	check_maps(&ept, (1ull << 48) - 1, 0x5fff, EPT_R, KiB4);
	check_unmapped(&ept, 1ull << 48);
	CHECK(ept_map(&ept, 0x7ffffff000, 0x7000, 2 * KiB4, EPT_RWX)); /* crosses 512 GiB */
	check_maps(&ept, 0x7ffffff000, 0x7000, EPT_RWX, KiB4);
	check_maps(&ept, 0x8000000000, 0x8000, EPT_RWX, KiB4);
	CHECK_EQ(ept.table_frames, 1 + 3 * 3);
	check_tree(&ept);
	teardown(&ept);
}

TEST(partial_unmap_splits_large_page)
{
	struct ept ept;
	setup(&ept);
	CHECK(ept_map(&ept, 0x400000, 0x80000000, MiB2, EPT_RWX));
	CHECK_EQ(ept.table_frames, 3);
	CHECK(ept_unmap(&ept, 0x401000, KiB4));
	CHECK_EQ(flushes, 1);
	CHECK_EQ(ept.table_frames, 4);
	check_maps(&ept, 0x400000, 0x80000000, EPT_RWX, KiB4);
	check_unmapped(&ept, 0x401000);
	check_maps(&ept, 0x402000, 0x80002000, EPT_RWX, KiB4);
	check_maps(&ept, 0x5ff123, 0x801ff123, EPT_RWX, KiB4);
	check_unmapped(&ept, 0x600000);
	check_tree(&ept);
	teardown(&ept);
}

TEST(partial_remap_splits_large_page)
{
	struct ept ept;
	setup(&ept);
	CHECK(ept_map(&ept, 0, 0x80000000, 2 * MiB2, EPT_R | EPT_X));
	CHECK(ept_map(&ept, 0x210000, 0x90000000, 2 * KiB4, EPT_RWX));
	CHECK_EQ(flushes, 1);
	check_maps(&ept, 0x1ff000, 0x801ff000, EPT_R | EPT_X,
		   MiB2); /* other large page untouched */
	check_maps(&ept, 0x200000, 0x80200000, EPT_R | EPT_X, KiB4);
	check_maps(&ept, 0x20f000, 0x8020f000, EPT_R | EPT_X, KiB4);
	check_maps(&ept, 0x210000, 0x90000000, EPT_RWX, KiB4);
	check_maps(&ept, 0x211fff, 0x90001fff, EPT_RWX, KiB4);
	check_maps(&ept, 0x212000, 0x80212000, EPT_R | EPT_X, KiB4);
	check_maps(&ept, 0x3ff000, 0x803ff000, EPT_R | EPT_X, KiB4);
	check_tree(&ept);
	teardown(&ept);
}

TEST(whole_2m_remap_replaces_table_with_large_page)
{
	struct ept ept;
	setup(&ept);
	CHECK(ept_map(&ept, MiB2, 0x80001000, MiB2, EPT_RWX));
	CHECK_EQ(ept.table_frames, 4);
	CHECK(ept_map(&ept, MiB2, 0x80200000, MiB2, EPT_RWX));
	CHECK_EQ(flushes, 1);
	CHECK_EQ(ept.table_frames, 3);
	check_maps(&ept, MiB2 + 0x5000, 0x80205000, EPT_RWX, MiB2);
	check_tree(&ept); /* also: the PT went back to the allocator */
	teardown(&ept);
}

TEST(unmap_returns_emptied_tables)
{
	struct ept ept;
	setup(&ept);
	CHECK(ept_map(&ept, 0x40001000, 0x3000, 2 * KiB4, EPT_RWX));
	CHECK_EQ(ept.table_frames, 4);
	CHECK(ept_unmap(&ept, 0x40001000, KiB4));
	CHECK_EQ(ept.table_frames, 4);
	check_maps(&ept, 0x40002000, 0x4000, EPT_RWX, KiB4);
	CHECK(ept_unmap(&ept, 0x40002000, KiB4));
	CHECK_EQ(ept.table_frames, 1);
	CHECK_EQ(table(ept.pml4_pa)[0], 0);
	check_unmapped(&ept, 0x40002000);
	check_tree(&ept);
	teardown(&ept);
}

TEST(unmap_skips_holes_and_removes_both_sizes)
{
	struct ept ept;
	setup(&ept);
	CHECK(ept_map(&ept, 0x1000, 0x1000, KiB4, EPT_RWX));
	CHECK(ept_map(&ept, 0x600000, 0x80000000, MiB2, EPT_RWX));
	CHECK(ept_map(&ept, 3 * GiB1, 0x5000, KiB4, EPT_R));
	CHECK(ept_unmap(&ept, 0, GiB1));
	CHECK_EQ(flushes, 1);
	check_unmapped(&ept, 0x1000);
	check_unmapped(&ept, 0x600000);
	check_maps(&ept, 3 * GiB1, 0x5000, EPT_R, KiB4);
	CHECK_EQ(ept.table_frames, 4); /* only the tables for 3 GiB remain */
	check_tree(&ept);
	teardown(&ept);
}

TEST(flush_only_when_present_entry_changes)
{
	struct ept ept;
	setup(&ept);
	CHECK(ept_map(&ept, 0, 0x100000, 16 * KiB4, EPT_RWX));
	CHECK(ept_map(&ept, MiB2, 0x80000000, 4 * MiB2, EPT_RWX));
	CHECK_EQ(flushes, 0); /* fresh mappings */
	CHECK(ept_map(&ept, 0, 0x100000, 16 * KiB4, EPT_RWX));
	CHECK_EQ(flushes, 0); /* identical: nothing changed */
	CHECK(ept_map(&ept, 16 * KiB4, 0x200000, 4 * KiB4, EPT_RWX));
	CHECK_EQ(flushes, 0); /* next to, not over, existing ones */
	CHECK(ept_map(&ept, 0, 0x300000, 16 * KiB4, EPT_RWX));
	CHECK_EQ(flushes, 1); /* 16 entries changed, one flush */
	CHECK(ept_map(&ept, 0, 0x300000, KiB4, EPT_R));
	CHECK_EQ(flushes, 2); /* permissions only */
	CHECK(ept_map(&ept, MiB2, 0x90000000, 4 * MiB2, EPT_RWX));
	CHECK_EQ(flushes, 3);
	CHECK(ept_unmap(&ept, 64 * MiB2, MiB2));
	CHECK_EQ(flushes, 3); /* nothing was there */
	CHECK(ept_unmap(&ept, 0, 64 * MiB2));
	CHECK_EQ(flushes, 4);
	teardown(&ept);
}

TEST(retired_tables_are_freed_after_the_flush)
{
	struct ept ept;
	setup(&ept);
	CHECK(ept_map(&ept, 0, 0x80001000, 40 * MiB2, EPT_RWX)); /* 40 PTs of 4 KiB pages */
	CHECK_EQ(ept.table_frames, 3 + 40);
	uint64_t before = shim_frames_in_use();
	CHECK(ept_map(&ept, 0, 0x80000000, 40 * MiB2, EPT_RWX)); /* all large now */
	CHECK(flushes >= 1);
	CHECK_EQ(in_use_at_first_flush, before); /* no table freed before the first flush */
	CHECK_EQ(ept.table_frames, 3);
	check_maps(&ept, 39 * MiB2 + 7, 0x80000000 + 39 * MiB2 + 7, EPT_RWX, MiB2);
	check_tree(&ept);
	teardown(&ept);
}

TEST(map_failing_midway_leaves_consistent_tables)
{
	/* 4 KiB pages straddling a 512 GiB boundary: a PDPT, PD and PT on each side. */
	const uint64_t gpa = 0x8000000000 - 2 * KiB4, size = 4 * KiB4, hpa = 0x1000;
	for (long k = 0; k <= 6; k++) {
		struct ept ept;
		setup(&ept);
		CHECK(ept_map(&ept, gpa, 0x70000000, KiB4, EPT_R)); /* one page mapped before */
		shim_fail_after(k);
		bool ok = ept_map(&ept, gpa, hpa, size, EPT_RWX);
		shim_fail_after(-1);
		CHECK_EQ(ok, k >= 3);
		check_tree(&ept);
		for (uint64_t off = 0; off < size; off += KiB4) {
			struct ept_mapping m;
			if (ept_query(&ept, gpa + off, &m)) /* old, new or absent; never torn */
				CHECK(m.hpa == hpa + off || (off == 0 && m.hpa == 0x70000000));
			else
				CHECK(off != 0);
		}
		CHECK(ept_map(&ept, gpa, hpa, size, EPT_RWX)); /* a retry completes it */
		for (uint64_t off = 0; off < size; off += KiB4)
			check_maps(&ept, gpa + off, hpa + off, EPT_RWX, KiB4);
		check_tree(&ept);
		teardown(&ept);
	}
}

TEST(split_without_frames_keeps_large_page)
{
	struct ept ept;
	setup(&ept);
	CHECK(ept_map(&ept, 0, 0x80000000, MiB2, EPT_RWX));
	shim_fail_after(0);
	CHECK(!ept_unmap(&ept, 0x3000, KiB4));
	CHECK(!ept_map(&ept, 0x3000, 0x5000, KiB4, EPT_R));
	shim_fail_after(-1);
	CHECK_EQ(flushes, 0);
	check_maps(&ept, 0x3000, 0x80003000, EPT_RWX, MiB2);
	check_tree(&ept);
	teardown(&ept);
}

TEST(destroy_returns_every_table)
{
	struct ept ept;
	setup(&ept);
	CHECK(ept_map(&ept, 0, 0x80000000, 3 * MiB2 + 5 * KiB4, EPT_RWX));
	CHECK(ept_map(&ept, 5 * GiB1 + KiB4, 0x1000, 3 * KiB4, EPT_R));
	CHECK(ept_map(&ept, 0x100000000000, 0x1000, KiB4, EPT_R));
	CHECK(ept_unmap(&ept, 0x1000, KiB4));
	check_tree(&ept);
	CHECK(ept.table_frames > 5);
	flushes = 0;
	ept_destroy(&ept);
	CHECK_EQ(flushes, 1); /* mappings were left: their cached translations must go */
	CHECK_EQ(ept.table_frames, 0);
	CHECK_EQ(ept.pml4_pa, 0);
	CHECK_EQ(shim_frames_in_use(), baseline);
}

CHECK_MAIN("ept", CASE(init_takes_one_empty_pml4), CASE(init_fails_without_frames),
	   CASE(eptp_is_wb_four_level_without_ad), CASE(map_4k_and_query_offset),
	   CASE(no_large_pages_when_the_cpu_lacks_them), CASE(aligned_map_uses_2m_pages), CASE(misaligned_hpa_falls_back_to_4k),
	   CASE(unaligned_ends_use_4k_middle_uses_2m), CASE(tail_shorter_than_2m_uses_4k),
	   CASE(every_leaf_is_write_back), CASE(prot_bits_are_kept_per_mapping),
	   CASE(bad_arguments_are_refused_untouched), CASE(top_of_gpa_space_and_pml4_boundary),
	   CASE(range_limits_and_wrapping_ends), CASE(partial_unmap_splits_large_page),
	   CASE(partial_remap_splits_large_page),
	   CASE(whole_2m_remap_replaces_table_with_large_page), CASE(unmap_returns_emptied_tables),
	   CASE(unmap_skips_holes_and_removes_both_sizes),
	   CASE(flush_only_when_present_entry_changes),
	   CASE(retired_tables_are_freed_after_the_flush),
	   CASE(map_failing_midway_leaves_consistent_tables),
	   CASE(split_without_frames_keeps_large_page), CASE(destroy_returns_every_table))
