/* Guest RAM: checked through the EPT (what the guest would see) as well as through the API. */
#include "ept/ept.h"
#include "ept/ept_flush.h"
#include "ept/guest_ram.h"
#include "kernel/mem.h"
#include "tests/unit/check.h"
#include "tests/unit/shim.h"
#include <stdlib.h>

#define KiB4 0x1000ull
#define MiB  0x100000ull
#define MiB2 0x200000ull

void ept_flush(struct ept *ept) {}

static uint64_t baseline;

static void setup(struct ept *ept)
{
	shim_fail_after(-1);
	baseline = shim_frames_in_use();
	CHECK(ept_init(ept));
}

static void teardown(struct ept *ept)
{
	ept_destroy(ept);
	CHECK_EQ(shim_frames_in_use(), baseline);
}

/* The byte the guest reaches at gpa: the EPT translation, then the host's view of it. */
static uint8_t *via_ept(const struct ept *ept, uint64_t gpa)
{
	struct ept_mapping m;
	if (!ept_query(ept, gpa, &m))
		return NULL;
	return phys_to_virt(m.hpa);
}

static uint64_t page_size_at(const struct ept *ept, uint64_t gpa)
{
	struct ept_mapping m = {0};
	CHECK(ept_query(ept, gpa, &m));
	CHECK_EQ(m.prot, EPT_RWX);
	return m.page_size;
}

/* Takes every free frame, then gives back the first `holey` whole 2 MiB blocks but for their
 * first frame, and the next `whole` blocks entirely. Returns the frames still held. */
static uint64_t *fragment(unsigned holey, unsigned whole, uint64_t *nheld)
{
	uint64_t *held = malloc(frame_free_count() * sizeof *held);
	uint64_t n = 0, kept = 0, pa;
	while ((pa = frame_alloc()) != FRAME_NONE)
		held[n++] = pa; /* first fit: ascending */
	unsigned blocks = 0;
	for (uint64_t i = 0; i < n;) {
		bool block =
		    held[i] % MiB2 == 0 && i + 511 < n && held[i + 511] == held[i] + MiB2 - KiB4;
		if (!block || blocks == holey + whole) {
			held[kept++] = held[i++];
			continue;
		}
		if (blocks++ < holey)
			held[kept++] = held[i];
		else
			frame_free(held[i], 1);
		for (uint64_t j = i + 1; j < i + 512; j++)
			frame_free(held[j], 1);
		i += 512;
	}
	*nheld = kept;
	return held;
}

static void unfragment(uint64_t *held, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		frame_free(held[i], 1);
	free(held);
}

TEST(sixteen_mib_is_all_large_pages)
{
	struct ept ept;
	struct guest_ram ram;
	setup(&ept);
	CHECK(guest_ram_create(&ram, &ept, 16 * MiB));
	CHECK_EQ(ram.size, 16 * MiB);
	CHECK_EQ(guest_ram_large_pages(&ram), 8);
	for (uint64_t gpa = 0; gpa < 16 * MiB; gpa += MiB2) {
		CHECK_EQ(page_size_at(&ept, gpa), MiB2);
		CHECK(guest_ram_hva(&ram, gpa + 0x1234) == via_ept(&ept, gpa + 0x1234));
	}
	CHECK(via_ept(&ept, 16 * MiB) == NULL);
	/* 4096 RAM frames, the slot array, and only PML4 + PDPT + PD for tables */
	CHECK_EQ(shim_frames_in_use() - baseline, 4096 + 1 + 3);
	guest_ram_destroy(&ram, &ept);
	teardown(&ept);
}

TEST(three_mib_and_a_page_mixes_sizes)
{
	struct ept ept;
	struct guest_ram ram;
	setup(&ept);
	CHECK(guest_ram_create(&ram, &ept, 3 * MiB + KiB4));
	CHECK_EQ(ram.size, 3 * MiB + KiB4);
	CHECK_EQ(guest_ram_large_pages(&ram), 1);
	CHECK_EQ(page_size_at(&ept, 0), MiB2);
	for (uint64_t gpa = MiB2; gpa <= 3 * MiB; gpa += KiB4) {
		CHECK_EQ(page_size_at(&ept, gpa), KiB4);
		CHECK(guest_ram_hva(&ram, gpa + 5) == via_ept(&ept, gpa + 5));
	}
	CHECK(via_ept(&ept, 3 * MiB + KiB4) == NULL);
	guest_ram_destroy(&ram, &ept);
	teardown(&ept);
}

TEST(size_rounds_up_to_a_page)
{
	struct ept ept;
	struct guest_ram ram;
	setup(&ept);
	CHECK(guest_ram_create(&ram, &ept, 5000));
	CHECK_EQ(ram.size, 2 * KiB4);
	CHECK(guest_ram_hva(&ram, 8191) != NULL);
	CHECK(guest_ram_hva(&ram, 8192) == NULL);
	CHECK(via_ept(&ept, KiB4) != NULL);
	CHECK(via_ept(&ept, 2 * KiB4) == NULL);
	CHECK_EQ(guest_ram_large_pages(&ram), 0);
	guest_ram_destroy(&ram, &ept);
	teardown(&ept);
}

TEST(ram_starts_zeroed)
{
	struct ept ept;
	struct guest_ram ram;
	/* leave garbage in the frames the RAM will get */
	uint64_t dirty = frame_alloc_contig(2048, 1);
	memset(phys_to_virt(dirty), 0xa5, 2048 * KiB4);
	frame_free(dirty, 2048);
	setup(&ept);
	CHECK(guest_ram_create(&ram, &ept, 6 * MiB + 3 * KiB4));
	static uint8_t buf[6 * MiB + 3 * KiB4];
	memset(buf, 1, sizeof buf);
	CHECK(guest_ram_read(&ram, 0, buf, sizeof buf));
	uint64_t nonzero = 0;
	for (uint64_t i = 0; i < sizeof buf; i++)
		nonzero += buf[i] != 0;
	CHECK_EQ(nonzero, 0);
	guest_ram_destroy(&ram, &ept);
	teardown(&ept);
}

TEST(write_then_read_across_page_and_slot_boundaries)
{
	struct ept ept;
	struct guest_ram ram;
	setup(&ept);
	CHECK(guest_ram_create(&ram, &ept, 3 * MiB + KiB4));
	uint8_t pattern[3 * KiB4 + 100], back[sizeof pattern];
	for (unsigned i = 0; i < sizeof pattern; i++)
		pattern[i] = (uint8_t)(i * 7 + 3);
	uint64_t starts[] = {MiB2 - 50, MiB2 + KiB4 - 1, 3 * MiB + KiB4 - sizeof pattern,
			     0x1000 - 7};
	for (unsigned s = 0; s < sizeof starts / sizeof starts[0]; s++) {
		uint64_t gpa = starts[s];
		CHECK(guest_ram_write(&ram, gpa, pattern, sizeof pattern));
		for (unsigned i = 0; i < sizeof pattern;
		     i++) /* the guest sees it through the EPT */
			CHECK_EQ(*via_ept(&ept, gpa + i), pattern[i]);
		memset(back, 0, sizeof back);
		CHECK(guest_ram_read(&ram, gpa, back, sizeof back));
		CHECK(memcmp(back, pattern, sizeof pattern) == 0);
	}
	*via_ept(&ept, MiB2 + KiB4) = 0x5a; /* and the other way round */
	uint8_t b = 0;
	CHECK(guest_ram_read(&ram, MiB2 + KiB4, &b, 1));
	CHECK_EQ(b, 0x5a);
	guest_ram_destroy(&ram, &ept);
	teardown(&ept);
}

TEST(outside_ram_is_refused)
{
	struct ept ept;
	struct guest_ram ram;
	setup(&ept);
	CHECK(guest_ram_create(&ram, &ept, 4 * MiB));
	uint8_t buf[16] = {0};
	memset(guest_ram_hva(&ram, 4 * MiB - 8), 0x77, 8);
	CHECK(guest_ram_hva(&ram, 4 * MiB) == NULL);
	CHECK(guest_ram_hva(&ram, ~0ull) == NULL);
	CHECK(guest_ram_hva(&ram, 4 * MiB - 1) != NULL);
	CHECK(!guest_ram_write(&ram, 4 * MiB - 8, buf, 9));
	CHECK_EQ(*(uint8_t *)guest_ram_hva(&ram, 4 * MiB - 8), 0x77); /* nothing partly written */
	CHECK(!guest_ram_read(&ram, 4 * MiB - 8, buf, 9));
	CHECK(!guest_ram_read(&ram, 8, buf, ~0ull - 4));
	CHECK(!guest_ram_write(&ram, ~0ull - 3, buf, 8));
	CHECK(guest_ram_write(&ram, 4 * MiB - 8, buf, 8));
	CHECK(guest_ram_read(&ram, 4 * MiB, buf, 0));
	guest_ram_destroy(&ram, &ept);
	teardown(&ept);
}

TEST(destroy_unmaps_and_returns_every_frame)
{
	struct ept ept;
	struct guest_ram ram;
	setup(&ept);
	uint64_t before = shim_frames_in_use();
	CHECK(guest_ram_create(&ram, &ept, 5 * MiB + 8 * KiB4));
	guest_ram_destroy(&ram, &ept);
	CHECK_EQ(ram.size, 0);
	CHECK(via_ept(&ept, 0) == NULL);
	CHECK(via_ept(&ept, 4 * MiB + KiB4) == NULL);
	CHECK(guest_ram_hva(&ram, 0) == NULL);
	CHECK_EQ(ept.table_frames, 1);
	CHECK_EQ(shim_frames_in_use(), before);
	teardown(&ept);
}

TEST(falls_back_to_4k_frames_without_free_2m_blocks)
{
	struct ept ept;
	struct guest_ram ram;
	setup(&ept);
	uint64_t nheld;
	uint64_t *held = fragment(6, 0, &nheld);
	CHECK(frame_alloc_contig(512, 512) == FRAME_NONE);
	uint64_t in_use = shim_frames_in_use();
	CHECK(guest_ram_create(&ram, &ept, 4 * MiB));
	CHECK_EQ(guest_ram_large_pages(&ram), 0);
	for (uint64_t gpa = 0; gpa < 4 * MiB; gpa += KiB4)
		CHECK_EQ(page_size_at(&ept, gpa), KiB4);
	uint8_t pattern[KiB4 + 2], back[sizeof pattern] = {0};
	for (unsigned i = 0; i < sizeof pattern; i++)
		pattern[i] = (uint8_t)(i ^ 0x3c);
	CHECK(guest_ram_write(&ram, MiB2 - KiB4 - 1, pattern, sizeof pattern));
	CHECK(guest_ram_read(&ram, MiB2 - KiB4 - 1, back, sizeof back));
	CHECK(memcmp(back, pattern, sizeof pattern) == 0);
	for (unsigned i = 0; i < sizeof pattern; i++)
		CHECK_EQ(*via_ept(&ept, MiB2 - KiB4 - 1 + i), pattern[i]);
	guest_ram_destroy(&ram, &ept);
	CHECK_EQ(shim_frames_in_use(), in_use);
	unfragment(held, nheld);
	teardown(&ept);
}

TEST(uses_the_2m_blocks_that_are_left)
{
	struct ept ept;
	struct guest_ram ram;
	setup(&ept);
	uint64_t nheld;
	uint64_t *held = fragment(4, 1, &nheld);
	CHECK(guest_ram_create(&ram, &ept, 8 * MiB));
	CHECK_EQ(guest_ram_large_pages(&ram), 1);
	uint64_t large = 0;
	for (uint64_t gpa = 0; gpa < 8 * MiB; gpa += MiB2)
		large += page_size_at(&ept, gpa) == MiB2;
	CHECK_EQ(large, 1);
	CHECK(guest_ram_write(&ram, 8 * MiB - 3, "abc", 3));
	CHECK(memcmp(via_ept(&ept, 8 * MiB - 3), "abc", 3) == 0);
	guest_ram_destroy(&ram, &ept);
	unfragment(held, nheld);
	teardown(&ept);
}

TEST(failure_at_any_allocation_returns_everything)
{
	for (long k = 0; k < 270; k++) { /* covers each allocation of a 1-large + 257-frame RAM */
		struct ept ept;
		struct guest_ram ram;
		setup(&ept);
		uint64_t before = shim_frames_in_use();
		shim_fail_after(k);
		bool ok = guest_ram_create(&ram, &ept, 3 * MiB + KiB4);
		shim_fail_after(-1);
		/* slot array, 2 MiB block, PDPT, PD, frame list, 257 frames, PT */
		CHECK_EQ(ok, k >= 263);
		if (ok) {
			guest_ram_destroy(&ram, &ept);
		} else {
			CHECK_EQ(ram.size, 0);
			CHECK(via_ept(&ept, 0) == NULL);
		}
		CHECK_EQ(ept.table_frames, 1);
		CHECK_EQ(shim_frames_in_use(), before);
		teardown(&ept);
	}
}

TEST(too_large_or_empty_is_refused)
{
	struct ept ept;
	struct guest_ram ram;
	setup(&ept);
	CHECK(!guest_ram_create(&ram, &ept, 0));
	CHECK(!guest_ram_create(&ram, &ept, SHIM_ARENA_SIZE * 2));
	CHECK_EQ(ram.size, 0);
	CHECK(!guest_ram_create(&ram, &ept, ~0ull));
	CHECK_EQ(ept.table_frames, 1);
	CHECK_EQ(shim_frames_in_use(), baseline + 1);
	teardown(&ept);
}

CHECK_MAIN("guest_ram", CASE(sixteen_mib_is_all_large_pages),
	   CASE(three_mib_and_a_page_mixes_sizes), CASE(size_rounds_up_to_a_page),
	   CASE(ram_starts_zeroed), CASE(write_then_read_across_page_and_slot_boundaries),
	   CASE(outside_ram_is_refused), CASE(destroy_unmaps_and_returns_every_frame),
	   CASE(falls_back_to_4k_frames_without_free_2m_blocks),
	   CASE(uses_the_2m_blocks_that_are_left),
	   CASE(failure_at_any_allocation_returns_everything), CASE(too_large_or_empty_is_refused))
