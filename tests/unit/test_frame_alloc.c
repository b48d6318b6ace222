/* The bitmap frame allocator on its own: a private bitmap over a pretend physical range. */
#include "kernel/frame_alloc.h"
#include "kernel/mem.h"
#include "tests/unit/check.h"
#include "tests/unit/shim.h"
#include <stdbool.h>

#define MiB	(1ull << 20)
#define NFRAMES 4096 /* 16 MiB */

static uint64_t bitmap[NFRAMES / 64 + 1];
static struct falloc fa;
static bool taken[NFRAMES + 64];

static void fresh(uint64_t nframes)
{
	falloc_init(&fa, bitmap, nframes);
	memset(taken, 0, sizeof taken);
	shim_log_take();
}

/* Records [pa, pa + n pages) as handed out; fails the case on any overlap. */
static void take(uint64_t pa, uint64_t n)
{
	CHECK(pa != FRAME_NONE);
	if (pa == FRAME_NONE)
		return;
	CHECK_EQ(pa % PAGE_SIZE, 0);
	for (uint64_t f = pa / PAGE_SIZE; f < pa / PAGE_SIZE + n; f++) {
		CHECK(f < NFRAMES);
		CHECK(!taken[f]);
		taken[f] = true;
	}
}

TEST(starts_with_everything_used)
{
	fresh(NFRAMES);
	CHECK_EQ(falloc_free_count(&fa), 0);
	CHECK_EQ(falloc_alloc(&fa, 1, 1), FRAME_NONE);
}

TEST(release_makes_frames_allocatable)
{
	fresh(NFRAMES);
	falloc_release(&fa, 2 * MiB, 8 * PAGE_SIZE);
	CHECK_EQ(falloc_free_count(&fa), 8);
	for (int i = 0; i < 8; i++) {
		uint64_t pa = falloc_alloc(&fa, 1, 1);
		CHECK(pa >= 2 * MiB && pa < 2 * MiB + 8 * PAGE_SIZE);
		take(pa, 1);
	}
	CHECK_EQ(falloc_free_count(&fa), 0);
	CHECK_EQ(falloc_alloc(&fa, 1, 1), FRAME_NONE);
}

TEST(release_rounds_inward)
{
	fresh(NFRAMES);
	/* [0x1800, 0x5800) holds whole frames 2, 3 and 4 only */
	falloc_release(&fa, 0x1800, 0x4000);
	CHECK_EQ(falloc_free_count(&fa), 3);
	for (int i = 0; i < 3; i++)
		take(falloc_alloc(&fa, 1, 1), 1);
	CHECK(!taken[1] && taken[2] && taken[3] && taken[4] && !taken[5]);
	/* less than a frame releases nothing */
	falloc_release(&fa, 0x10800, 0xfff);
	CHECK_EQ(falloc_free_count(&fa), 0);
}

TEST(reserve_rounds_outward)
{
	fresh(NFRAMES);
	falloc_release(&fa, 0, 16 * PAGE_SIZE);
	falloc_reserve(&fa, 0x2fff, 2); /* touches frames 2 and 3 */
	CHECK_EQ(falloc_free_count(&fa), 14);
	falloc_reserve(&fa, 0x8000, 1); /* one byte still takes frame 8 */
	CHECK_EQ(falloc_free_count(&fa), 13);
	falloc_reserve(&fa, 0x9000, 0); /* an empty range reserves nothing */
	CHECK_EQ(falloc_free_count(&fa), 13);
	while (falloc_free_count(&fa))
		take(falloc_alloc(&fa, 1, 1), 1);
	CHECK(!taken[2] && !taken[3] && !taken[8]);
	CHECK(taken[1] && taken[4] && taken[9]);
}

TEST(release_and_reserve_clip_to_nframes)
{
	fresh(100);
	falloc_release(&fa, 0, 1ull << 40);
	CHECK_EQ(falloc_free_count(&fa), 100);
	falloc_release(&fa, UINT64_MAX - PAGE_SIZE, 2 * PAGE_SIZE); /* wraps: ignored */
	CHECK_EQ(falloc_free_count(&fa), 100);
	falloc_reserve(&fa, 96 * PAGE_SIZE, 1ull << 40);
	CHECK_EQ(falloc_free_count(&fa), 96);
	uint64_t last = 0;
	while (falloc_free_count(&fa))
		last = falloc_alloc(&fa, 1, 1);
	CHECK_EQ(last, 95 * PAGE_SIZE);
	CHECK_EQ(falloc_alloc(&fa, 1, 1),
		 FRAME_NONE); /* frames 100..127 of the last word stay used */
}

TEST(overlapping_release_and_reserve_count_once)
{
	fresh(NFRAMES);
	falloc_release(&fa, 0, 64 * PAGE_SIZE);
	falloc_release(&fa, 32 * PAGE_SIZE, 64 * PAGE_SIZE);
	CHECK_EQ(falloc_free_count(&fa), 96);
	falloc_reserve(&fa, 0, 10 * PAGE_SIZE);
	falloc_reserve(&fa, 5 * PAGE_SIZE, 10 * PAGE_SIZE);
	CHECK_EQ(falloc_free_count(&fa), 81);
}

TEST(allocate_everything_avoids_reserved_holes)
{
	fresh(NFRAMES);
	falloc_release(&fa, 0, 16 * MiB);
	falloc_reserve(&fa, 0, 1 * MiB);
	falloc_reserve(&fa, 3 * MiB + 0x123, 0x20000);
	falloc_reserve(&fa, 7 * MiB, 64 * PAGE_SIZE);
	falloc_reserve(&fa, 9 * MiB + 5 * PAGE_SIZE, 1);
	uint64_t expect = NFRAMES - 256 - 33 - 64 - 1;
	CHECK_EQ(falloc_free_count(&fa), expect);

	uint64_t got = 0;
	for (uint64_t pa; (pa = falloc_alloc(&fa, 1, 1)) != FRAME_NONE; got++)
		take(pa, 1);
	CHECK_EQ(got, expect);
	CHECK_EQ(falloc_free_count(&fa), 0);
	for (uint64_t f = 0; f < 256; f++)
		CHECK(!taken[f]);
	for (uint64_t f = (3 * MiB) / PAGE_SIZE; f <= (3 * MiB + 0x20122) / PAGE_SIZE; f++)
		CHECK(!taken[f]);
	for (uint64_t f = (7 * MiB) / PAGE_SIZE; f < (7 * MiB) / PAGE_SIZE + 64; f++)
		CHECK(!taken[f]);
	CHECK(!taken[(9 * MiB) / PAGE_SIZE + 5]);
	CHECK(taken[(9 * MiB) / PAGE_SIZE + 4] && taken[(9 * MiB) / PAGE_SIZE + 6]);
}

TEST(contiguous_runs_skip_fragments)
{
	fresh(NFRAMES);
	falloc_release(&fa, 0, 64 * PAGE_SIZE);
	for (uint64_t f = 0; f < 64; f += 4)
		falloc_reserve(&fa, (f + 3) * PAGE_SIZE, PAGE_SIZE); /* free runs of 3 */
	CHECK_EQ(falloc_alloc(&fa, 4, 1), FRAME_NONE);
	uint64_t pa = falloc_alloc(&fa, 3, 1);
	CHECK_EQ(pa % (4 * PAGE_SIZE), 0);
	take(pa, 3);
	falloc_release(&fa, 100 * PAGE_SIZE, 10 * PAGE_SIZE);
	pa = falloc_alloc(&fa, 10, 1);
	CHECK_EQ(pa, 100 * PAGE_SIZE);
}

TEST(aligned_2mib_blocks)
{
	fresh(NFRAMES);
	falloc_release(&fa, 1 * MiB, 15 * MiB); /* 1..16 MiB: whole 2 MiB blocks at 2, 4, ..., 14 */
	falloc_reserve(&fa, 6 * MiB + PAGE_SIZE, PAGE_SIZE); /* spoils the block at 6 MiB */
	uint64_t per = LARGE_PAGE_SIZE / PAGE_SIZE;
	uint64_t seen = 0;
	for (uint64_t pa; (pa = falloc_alloc(&fa, per, per)) != FRAME_NONE;) {
		CHECK_EQ(pa % LARGE_PAGE_SIZE, 0);
		CHECK(pa != 6 * MiB);
		take(pa, per);
		seen++;
	}
	CHECK_EQ(seen, 6); /* 2, 4, 8, 10, 12, 14 */
	CHECK(!taken[(1 * MiB) / PAGE_SIZE]);
	CHECK_EQ(falloc_free_count(&fa), (15 * MiB) / PAGE_SIZE - 1 - 6 * per);
}

TEST(alignment_not_a_power_of_two)
{
	fresh(NFRAMES);
	falloc_release(&fa, 1 * PAGE_SIZE, 40 * PAGE_SIZE);
	CHECK_EQ(falloc_alloc(&fa, 1, 0), 1 * PAGE_SIZE); /* align 0 means 1 */
	CHECK_EQ(falloc_alloc(&fa, 2, 3), 3 * PAGE_SIZE);
	CHECK_EQ(falloc_alloc(&fa, 1, 7), 7 * PAGE_SIZE);
}

TEST(exhaustion_returns_frame_none)
{
	fresh(NFRAMES);
	falloc_release(&fa, 0, 32 * PAGE_SIZE);
	CHECK_EQ(falloc_alloc(&fa, 33, 1), FRAME_NONE);
	CHECK_EQ(falloc_free_count(&fa), 32); /* a failed request takes nothing */
	take(falloc_alloc(&fa, 32, 1), 32);
	CHECK_EQ(falloc_alloc(&fa, 1, 1), FRAME_NONE);
	CHECK_EQ(falloc_alloc(&fa, 0, 1), FRAME_NONE);
	CHECK_EQ(falloc_alloc(&fa, 1, 1ull << 62), FRAME_NONE);
}

TEST(free_then_reuse)
{
	fresh(NFRAMES);
	falloc_release(&fa, 0, 16 * PAGE_SIZE);
	uint64_t a = falloc_alloc(&fa, 4, 1);
	uint64_t b = falloc_alloc(&fa, 4, 1);
	take(a, 4);
	take(b, 4);
	CHECK(falloc_free(&fa, a, 4));
	CHECK_EQ(falloc_free_count(&fa), 12);
	CHECK_EQ(falloc_alloc(&fa, 4, 1), a); /* lowest fit is the freed run */
	/* fill up, free one frame in the middle, and get exactly that frame back */
	while (falloc_alloc(&fa, 1, 1) != FRAME_NONE)
		;
	CHECK(falloc_free(&fa, b + PAGE_SIZE, 1));
	CHECK_EQ(falloc_alloc(&fa, 1, 1), b + PAGE_SIZE);
}

TEST(search_wraps_past_the_hint)
{
	fresh(NFRAMES);
	falloc_release(&fa, 0, 8 * PAGE_SIZE);
	falloc_release(&fa, 1 * MiB, 8 * PAGE_SIZE);
	uint64_t low = falloc_alloc(&fa, 8, 1);
	uint64_t high = falloc_alloc(&fa, 8, 1);
	CHECK_EQ(low, 0);
	CHECK_EQ(high, 1 * MiB);
	CHECK(falloc_free(&fa, high + 3 * PAGE_SIZE, 1));
	CHECK(falloc_free(&fa, 2 * PAGE_SIZE, 1));
	/* the hint now sits at frame 2; both freed frames must still be found */
	take(falloc_alloc(&fa, 1, 1), 1);
	take(falloc_alloc(&fa, 1, 1), 1);
	CHECK(taken[2] && taken[256 + 3]);
}

TEST(search_wraps_to_frames_below_the_hint)
{
	fresh(NFRAMES);
	falloc_release(&fa, 1 * PAGE_SIZE, 8 * PAGE_SIZE); /* frames 1..8 */
	CHECK_EQ(falloc_alloc(&fa, 4, 4), 4 * PAGE_SIZE);  /* skips 1..3, ends at 8 */
	CHECK_EQ(falloc_alloc(&fa, 3, 1), 1 * PAGE_SIZE);  /* only fits below */
	falloc_release(&fa, 100 * PAGE_SIZE, PAGE_SIZE);
	falloc_release(&fa, 9 * PAGE_SIZE, PAGE_SIZE);
	CHECK_EQ(falloc_alloc(&fa, 1, 1), 8 * PAGE_SIZE);
	CHECK_EQ(falloc_alloc(&fa, 1, 1), 9 * PAGE_SIZE);
	CHECK_EQ(falloc_alloc(&fa, 1, 1), 100 * PAGE_SIZE);
}

TEST(double_free_detected)
{
	fresh(NFRAMES);
	falloc_release(&fa, 0, 16 * PAGE_SIZE);
	uint64_t pa = falloc_alloc(&fa, 4, 1);
	CHECK(falloc_free(&fa, pa, 4));
	shim_log_take();
	CHECK(!falloc_free(&fa, pa, 4));
	CHECK(strstr(shim_log_take(), "double free"));
	CHECK_EQ(falloc_free_count(&fa), 16);
	/* a range only partly allocated is refused whole */
	pa = falloc_alloc(&fa, 2, 1);
	CHECK(!falloc_free(&fa, pa, 3));
	CHECK_EQ(falloc_free_count(&fa), 14);
	CHECK(falloc_free(&fa, pa, 2));
}

TEST(bad_free_arguments_rejected)
{
	fresh(64);
	falloc_release(&fa, 0, 64 * PAGE_SIZE);
	uint64_t pa = falloc_alloc(&fa, 1, 1);
	shim_log_take();
	CHECK(!falloc_free(&fa, pa + 8, 1));
	CHECK(strstr(shim_log_take(), "aligned"));
	CHECK(!falloc_free(&fa, 64 * PAGE_SIZE, 1));
	CHECK(!falloc_free(&fa, 63 * PAGE_SIZE, 2));
	CHECK(!falloc_free(&fa, 0, UINT64_MAX));
	CHECK(!falloc_free(&fa, pa, 0));
	CHECK(strstr(shim_log_take(), "outside"));
	CHECK_EQ(falloc_free_count(&fa), 63);
	CHECK(falloc_free(&fa, pa, 1));
}

TEST(never_allocated_frame_cannot_be_freed)
{
	fresh(NFRAMES);
	falloc_release(&fa, 0, 16 * PAGE_SIZE);
	take(falloc_alloc(&fa, 4, 1), 4);
	CHECK(!falloc_free(&fa, 8 * PAGE_SIZE, 1));
	CHECK(!falloc_free(&fa, 2 * PAGE_SIZE, 4)); /* frames 4 and 5 were never handed out */
	CHECK_EQ(falloc_free_count(&fa), 12);
}

TEST(large_bitmap_scan)
{
	static uint64_t big[(1u << 20) / 64];
	struct falloc f;
	falloc_init(&f, big, 1u << 20); /* 4 GiB */
	falloc_release(&f, 4096ull * MiB - 3 * PAGE_SIZE, 3 * PAGE_SIZE);
	CHECK_EQ(falloc_free_count(&f), 3);
	CHECK_EQ(falloc_alloc(&f, 2, 2), 4096ull * MiB - 2 * PAGE_SIZE);
	CHECK_EQ(falloc_alloc(&f, 1, 1), 4096ull * MiB - 3 * PAGE_SIZE);
	CHECK_EQ(falloc_alloc(&f, 1, 1), FRAME_NONE);
}

CHECK_MAIN("frame_alloc", CASE(starts_with_everything_used), CASE(release_makes_frames_allocatable),
	   CASE(release_rounds_inward), CASE(reserve_rounds_outward),
	   CASE(release_and_reserve_clip_to_nframes),
	   CASE(overlapping_release_and_reserve_count_once),
	   CASE(allocate_everything_avoids_reserved_holes), CASE(contiguous_runs_skip_fragments),
	   CASE(aligned_2mib_blocks), CASE(alignment_not_a_power_of_two),
	   CASE(exhaustion_returns_frame_none), CASE(free_then_reuse),
	   CASE(search_wraps_past_the_hint), CASE(search_wraps_to_frames_below_the_hint),
	   CASE(double_free_detected), CASE(bad_free_arguments_rejected),
	   CASE(never_allocated_frame_cannot_be_freed), CASE(large_bitmap_scan))
