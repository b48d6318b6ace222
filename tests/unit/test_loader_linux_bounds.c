/* The Linux loader's bounds at the limit, one past it, and with header values that would
 * wrap at 2^64, each loaded from a heap copy of exactly the file's size so ASan reports
 * any read past it. The protocol's own limits are in test_loader_linux.c. */
#include "tests/unit/linux_harness.h"

#define NEAR_2_64(n) (0ull - (uint64_t)(n))

static bool load_exact(void)
{
	uint8_t *copy = malloc(image_size ? image_size : 1);
	memcpy(copy, image, image_size);
	err[0] = 0;
	bool ok = image_load(copy, image_size, &cfg, &mem, &entry, err, sizeof err);
	free(copy);
	return ok;
}

static bool exact_fails_with(const char *part)
{
	if (load_exact())
		return false;
	if (!strstr(err, part))
		printf("    error '%s' lacks '%s'\n", err, part);
	return strstr(err, part) != NULL;
}

TEST(setup_header_read_within_the_file)
{
	setup(GUEST_MEM);
	build(K_SETUP_SECTS);
	CHECK(load_exact());
	image_size = 0x264; /* the whole 2.12 header (up to init_size), but no kernel */
	CHECK(exact_fails_with("truncated file?"));
	image_size = 0x263;
	CHECK(exact_fails_with("Linux setup header truncated (file is 611 bytes)"));
}

/* syssize (16-byte units) may cover exactly the rest of the file, not one unit more. */
TEST(syssize_exactly_the_rest_of_the_file)
{
	setup(GUEST_MEM);
	build(K_SETUP_SECTS);
	put(0x1f4, K_BYTES / 16, 4);
	CHECK(load_exact());
	put(0x1f4, K_BYTES / 16 + 1, 4);
	CHECK(exact_fails_with("truncated file?"));
	put(0x1f4, 0xffffffff, 4); /* x 16 does not wrap */
	CHECK(exact_fails_with("truncated file?"));
}

TEST(kernel_must_reach_past_its_64bit_entry)
{
	setup(GUEST_MEM);
	build(K_SETUP_SECTS);
	put(0x1f4, 0, 4);
	image_size = (K_SETUP_SECTS + 1) * 512 + 0x201;
	CHECK(load_exact());
	image_size--;
	CHECK(exact_fails_with("ends before its 64-bit entry at +0x200"));
}

TEST(init_size_equal_to_the_kernel)
{
	setup(GUEST_MEM);
	build(K_SETUP_SECTS);
	put(0x260, K_BYTES, 4);
	CHECK(load_exact());
	put(0x260, K_BYTES - 1, 4);
	CHECK(exact_fails_with("init_size 0x2fff is smaller"));
}

/* A kernel may end exactly at the end of RAM; pref_address near 2^64 must not wrap. */
TEST(kernel_ends_at_the_end_of_ram)
{
	setup(GUEST_MEM);
	build(K_SETUP_SECTS);
	put(0x234, 0, 1);
	put(0x258, GUEST_MEM - K_INIT_SIZE, 8);
	CHECK(load_exact());
	put(0x258, GUEST_MEM - K_INIT_SIZE + 1, 8);
	CHECK(exact_fails_with("is too small"));
	put(0x258, NEAR_2_64(0x1000), 8);
	CHECK(exact_fails_with("is too small"));
	put(0x234, 1, 1); /* relocatable: rounding up must not wrap either */
	CHECK(exact_fails_with("is too small"));
	put(0x258, GUEST_MEM, 8);
	CHECK(exact_fails_with("is too small"));
}

TEST(kernel_alignment_extremes)
{
	setup(GUEST_MEM);
	build(K_SETUP_SECTS);
	put(0x230, 0x80000000, 4); /* a power of two: 16 MiB rounds up to 2 GiB */
	CHECK(exact_fails_with("at 0x80000000, mem=32 MiB is too small"));
	put(0x230, 0xffffffff, 4);
	CHECK(exact_fails_with("is not a power of two"));
	put(0x230, 1, 4);
	CHECK(load_exact());
	CHECK_EQ(entry.rip, K_PREF + 0x200);
}

/* initrd_addr_max 0xffffffff: its "+ 1" must not wrap to 0. */
TEST(initrd_addr_max_at_4g)
{
	setup(GUEST_MEM);
	build(K_SETUP_SECTS);
	put(0x22c, 0xffffffff, 4);
	give_initrd(0x1800);
	CHECK(load_exact());
	CHECK_EQ(ram_le(BP + 0x218, 4), GUEST_MEM - 0x2000);
}

/* The initrd may take exactly the room between the kernel's init_size and the end of RAM. */
TEST(initrd_fills_the_room_above_the_kernel)
{
	setup(K_PREF + K_INIT_SIZE + 0x3000);
	build(K_SETUP_SECTS);
	give_initrd(0x3000);
	CHECK(load_exact());
	CHECK_EQ(ram_le(BP + 0x218, 4), K_PREF + K_INIT_SIZE);
	setup(K_PREF + K_INIT_SIZE + 0x2fff); /* one byte short: it goes below the kernel */
	build(K_SETUP_SECTS);
	give_initrd(0x3000);
	CHECK(load_exact());
	CHECK(ram_le(BP + 0x218, 4) + 0x3000 <= K_PREF);
}

CHECK_MAIN("loader_linux_bounds", CASE(setup_header_read_within_the_file),
	   CASE(syssize_exactly_the_rest_of_the_file), CASE(kernel_must_reach_past_its_64bit_entry),
	   CASE(init_size_equal_to_the_kernel), CASE(kernel_ends_at_the_end_of_ram),
	   CASE(kernel_alignment_extremes), CASE(initrd_addr_max_at_4g),
	   CASE(initrd_fills_the_room_above_the_kernel))
