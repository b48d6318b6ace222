#include "devices/bus.h"
#include "tests/unit/check.h"

static int hits;
static void io_fn(void *dev, struct io_access *a)
{
	hits++;
	if (!a->write)
		a->value = *(uint32_t *)dev;
}

static void mmio_fn(void *dev, uint64_t off, struct mmio_access *a)
{
	*(uint64_t *)dev = off;
}

TEST(unclaimed_port_reads_all_ones)
{
	struct io_bus bus = {0};
	struct io_access a = {.port = 0x80, .size = 1};
	io_bus_dispatch(&bus, &a);
	CHECK_EQ(a.value, 0xff);
	a = (struct io_access){.port = 0x80, .size = 2};
	io_bus_dispatch(&bus, &a);
	CHECK_EQ(a.value, 0xffff);
	a = (struct io_access){.port = 0x80, .size = 4};
	io_bus_dispatch(&bus, &a);
	CHECK_EQ(a.value, 0xffffffff);
}

TEST(registered_range_gets_access)
{
	struct io_bus bus = {0};
	uint32_t val = 0x12;
	CHECK(io_bus_register(&bus, 0x40, 4, io_fn, &val));
	hits = 0;
	struct io_access a = {.port = 0x43, .size = 1};
	io_bus_dispatch(&bus, &a);
	CHECK_EQ(hits, 1);
	CHECK_EQ(a.value, 0x12);
	a = (struct io_access){.port = 0x44, .size = 1};
	io_bus_dispatch(&bus, &a);
	CHECK_EQ(hits, 1);
}

TEST(overlapping_io_rejected)
{
	struct io_bus bus = {0};
	uint32_t v = 0;
	CHECK(io_bus_register(&bus, 0x20, 2, io_fn, &v));
	CHECK(!io_bus_register(&bus, 0x21, 2, io_fn, &v));
	CHECK(!io_bus_register(&bus, 0x1f, 2, io_fn, &v));
	CHECK(io_bus_register(&bus, 0x22, 2, io_fn, &v));
	CHECK(!io_bus_register(&bus, 0xffff, 2, io_fn, &v));
	CHECK(!io_bus_register(&bus, 0x100, 0, io_fn, &v));
}

TEST(mmio_dispatch_offsets_and_misses)
{
	struct mmio_bus bus = {0};
	uint64_t off = 0;
	CHECK(mmio_bus_register(&bus, 0xfeb00000, 0x1000, mmio_fn, &off));
	CHECK(!mmio_bus_register(&bus, 0xfeb00800, 0x1000, mmio_fn, &off));
	struct mmio_access a = {.gpa = 0xfeb00010, .size = 4, .write = true};
	CHECK(mmio_bus_dispatch(&bus, &a));
	CHECK_EQ(off, 0x10);
	a.gpa = 0xfeb01000;
	CHECK(!mmio_bus_dispatch(&bus, &a));
	a.gpa = 0xfeb00ffe; /* straddles the end */
	CHECK(!mmio_bus_dispatch(&bus, &a));
	CHECK(mmio_bus_find(&bus, 0xfeb00fff) != 0);
	CHECK(mmio_bus_find(&bus, 0xfeaffff0) == 0);
}

/* An access may end exactly at the end of its range, not a byte past it, even where the
 * range ends just below 2^64 and gpa + size wraps (found by tests/fuzz/fuzz_bus). */
TEST(mmio_access_ends_at_the_range_end)
{
	struct mmio_bus bus = {0};
	uint64_t off = 0;
	CHECK(mmio_bus_register(&bus, 0xfec00000, 0x1000, mmio_fn, &off));
	struct mmio_access a = {.gpa = 0xfec00ff8, .size = 8};
	CHECK(mmio_bus_dispatch(&bus, &a));
	CHECK_EQ(off, 0xff8);
	a.gpa = 0xfec00ff9;
	CHECK(!mmio_bus_dispatch(&bus, &a));
	CHECK(mmio_bus_register(&bus, 0ull - 0x10, 0xf, mmio_fn, &off)); /* up to 2^64 - 2 */
	a = (struct mmio_access){.gpa = 0ull - 0x9, .size = 8};
	off = 0;
	CHECK(mmio_bus_dispatch(&bus, &a));
	CHECK_EQ(off, 7);
	a.gpa = 0ull - 0x8;
	CHECK(!mmio_bus_dispatch(&bus, &a));
	a.gpa = 0ull - 0x2;
	CHECK(!mmio_bus_dispatch(&bus, &a));
}

static uint32_t last_dev;
static void tag_fn(void *dev, struct io_access *a)
{
	last_dev = *(uint32_t *)dev;
	a->value = last_dev;
}

TEST(last_hit_cache_routes_correctly)
{
	struct io_bus bus = {0};
	uint32_t one = 1, two = 2;
	CHECK(io_bus_register(&bus, 0x40, 4, tag_fn, &one));
	CHECK(io_bus_register(&bus, 0x60, 1, tag_fn, &two));
	uint16_t ports[] = {0x40, 0x40, 0x60, 0x43, 0x60, 0x61, 0x40};
	uint32_t want[] = {1, 1, 2, 1, 2, 0xff, 1};
	for (unsigned i = 0; i < sizeof ports / sizeof ports[0]; i++) {
		struct io_access a = {.port = ports[i], .size = 1};
		io_bus_dispatch(&bus, &a);
		CHECK_EQ(a.value, want[i]);
	}
}

CHECK_MAIN("bus", CASE(last_hit_cache_routes_correctly), CASE(unclaimed_port_reads_all_ones), CASE(registered_range_gets_access),
	   CASE(overlapping_io_rejected), CASE(mmio_dispatch_offsets_and_misses),
	   CASE(mmio_access_ends_at_the_range_end))
