#include "devices/guest_mem.h"
#include "tests/unit/virtio_harness.h"

static struct tmem t;

static void setup(void)
{
	tmem_free(&t);
	tmem_init(&t, 16 * GMEM_PAGE_SIZE);
}

TEST(in_ram_is_overflow_safe)
{
	setup();
	const uint64_t size = 16 * GMEM_PAGE_SIZE;
	CHECK(gmem_in_ram(&t.mem, 0, size));
	CHECK(gmem_in_ram(&t.mem, size - 1, 1));
	CHECK(gmem_in_ram(&t.mem, size, 0));
	CHECK(!gmem_in_ram(&t.mem, size, 1));
	CHECK(!gmem_in_ram(&t.mem, size + 1, 0));
	CHECK(!gmem_in_ram(&t.mem, 1, size));
	CHECK(!gmem_in_ram(&t.mem, 0, size + 1));
	CHECK(!gmem_in_ram(&t.mem, 0xffffffffffffff00ull, 0x200)); /* end wraps to 0x100 */
	CHECK(!gmem_in_ram(&t.mem, 0x100, 0xffffffffffffff00ull));
}

TEST(span_stops_at_the_page_end)
{
	setup();
	uint64_t n = 99;
	CHECK(gmem_span(&t.mem, 0x1ff0, 0x100, &n) == tmem_host(&t, 0x1ff0));
	CHECK_EQ(n, 0x10);
	CHECK(gmem_span(&t.mem, 0x2000, 0x100, &n) == tmem_host(&t, 0x2000));
	CHECK_EQ(n, 0x100);
	CHECK(gmem_span(&t.mem, 0x2000, 0x3000, &n) != NULL);
	CHECK_EQ(n, 0x1000);
	/* The whole range is checked, not only the first page. */
	CHECK(gmem_span(&t.mem, 0xfff0, 0x20, &n) == NULL);
	CHECK_EQ(n, 0);
	CHECK(gmem_span(&t.mem, 0x10, 0, &n) == NULL);
	CHECK(gmem_span(&t.mem, 0xfffffffffffffff0ull, 0x20, &n) == NULL);
}

TEST(ptr_needs_one_page)
{
	setup();
	CHECK(gmem_ptr(&t.mem, 0x1ffe, 2) == tmem_host(&t, 0x1ffe));
	CHECK(gmem_ptr(&t.mem, 0x1fff, 2) == NULL);
	CHECK(gmem_ptr(&t.mem, 0xffff, 1) == tmem_host(&t, 0xffff));
	CHECK(gmem_ptr(&t.mem, 0x10000, 1) == NULL);
}

TEST(read_write_cross_pages)
{
	setup();
	uint8_t src[0x1800], dst[0x1800];
	for (unsigned i = 0; i < sizeof src; i++)
		src[i] = (uint8_t)(i * 7 + 3);
	CHECK(gmem_write(&t.mem, 0x2c00, src, sizeof src));
	gr(&t, 0x2c00, dst, sizeof dst);
	CHECK(memcmp(src, dst, sizeof src) == 0);
	memset(dst, 0, sizeof dst);
	CHECK(gmem_read(&t.mem, 0x2c00, dst, sizeof dst));
	CHECK(memcmp(src, dst, sizeof src) == 0);
	/* A range running past RAM moves nothing at all. */
	gfill(&t, 0xf000, 0x11, 0x1000);
	CHECK(!gmem_write(&t.mem, 0xf800, src, 0x1000));
	CHECK_EQ(grn(&t, 0xf800, 1), 0x11);
	CHECK_EQ(grn(&t, 0xffff, 1), 0x11);
	memset(dst, 0x22, sizeof dst);
	CHECK(!gmem_read(&t.mem, 0xf800, dst, 0x1000));
	CHECK_EQ(dst[0], 0x22);
	CHECK(gmem_read(&t.mem, 0x10000, dst, 0)); /* empty at the end is fine */
}

CHECK_MAIN("guest_mem", CASE(in_ram_is_overflow_safe), CASE(span_stops_at_the_page_end),
	   CASE(ptr_needs_one_page), CASE(read_write_cross_pages))
