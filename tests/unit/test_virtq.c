#include "tests/unit/virtq_fixture.h"

TEST(enable_checks_size_alignment_and_ram)
{
	setup(8, false, false);
	virtq_init(&q, &t.mem, segs, 256);
	CHECK_EQ(q.size, 256); /* reset offers max_size */
	CHECK(!q.ready);
	CHECK(try_enable(256, 0x1000, 0x2000, 0x3000));
	CHECK(try_enable(1, 0x1000, 0x2000, 0x3000));
	CHECK(!try_enable(0, 0x1000, 0x2000, 0x3000));
	CHECK(!try_enable(12, 0x1000, 0x2000, 0x3000));
	CHECK(!try_enable(512, 0x1000, 0x2000, 0x3000)); /* above max_size */
	CHECK(!try_enable(8, 0x1008, 0x2000, 0x3000));	 /* desc align 16 */
	CHECK(!try_enable(8, 0x1000, 0x2001, 0x3000));	 /* avail align 2 */
	CHECK(!try_enable(8, 0x1000, 0x2000, 0x3002));	 /* used align 4 */
	CHECK(try_enable(8, 0x1010, 0x2002, 0x3004));
	/* Areas ending exactly at the end of RAM, then one byte beyond. */
	CHECK(try_enable(8, TMEM_SIZE - 128, TMEM_SIZE - 0x1000 - 22, TMEM_SIZE - 0x2000 - 72));
	CHECK(!try_enable(8, TMEM_SIZE - 112, 0x2000, 0x3000));
	CHECK(!try_enable(8, 0x1000, TMEM_SIZE - 20, 0x3000));
	CHECK(!try_enable(8, 0x1000, 0x2000, TMEM_SIZE - 68));
	/* Addresses whose end wraps around 2^64. */
	CHECK(!try_enable(8, 0xfffffffffffffff0ull, 0x2000, 0x3000));
	CHECK(!try_enable(8, 0x1000, 0xfffffffffffffffeull, 0x3000));
	CHECK(!try_enable(8, 0x1000, 0x2000, 0xfffffffffffffffcull));
	struct virtq_chain c;
	CHECK_EQ(virtq_pop(&q, &c), VIRTQ_EMPTY); /* a disabled queue has nothing */
}

TEST(size_32768_works_to_the_last_entry)
{
	setup(8, false, false);
	const uint64_t desc = 0x100000, avail = 0x200000, used = 0x220000;
	CHECK(try_enable(32768, desc, avail, used));
	r = (struct tring){
	    .t = &t, .q = &q, .size = 32768, .desc = desc, .avail = avail, .used = used};
	desc_at(&t, desc, 32767, 0x300000, 64, W, 0);
	ring_post(&r, 32767);
	struct virtq_chain c;
	CHECK_EQ(virtq_pop(&q, &c), VIRTQ_CHAIN);
	CHECK_EQ(c.head, 32767);
	CHECK(virtq_push(&q, &c, 64));
	CHECK_EQ(ring_used_idx(&r), 1);
	CHECK_EQ(ring_used_id(&r, 0), 32767);
	CHECK_EQ(ring_used_len(&r, 0), 64);
}

TEST(direct_chain_segments)
{
	setup(8, false, false);
	ring_desc(&r, 3, BUF, 100, R | N, 5);
	ring_desc(&r, 5, BUF + 0x1000, 20, R | N, 0);
	ring_desc(&r, 0, BUF + 0x2000, 200, W, 7); /* `next` without NEXT is ignored */
	ring_post(&r, 3);
	struct virtq_chain c;
	CHECK_EQ(virtq_pop(&q, &c), VIRTQ_CHAIN);
	CHECK_EQ(c.head, 3);
	CHECK_EQ(c.nseg, 3);
	CHECK_EQ(c.nread, 2);
	CHECK_EQ(c.read_len, 120);
	CHECK_EQ(c.write_len, 200);
	expect_seg(&c, 0, BUF, 100, false);
	expect_seg(&c, 1, BUF + 0x1000, 20, false);
	expect_seg(&c, 2, BUF + 0x2000, 200, true);
	CHECK_EQ(virtq_pop(&q, &c), VIRTQ_EMPTY);
	CHECK_EQ(q.last_avail, 1);
}

TEST(indirect_table)
{
	setup(8, true, false);
	desc_at(&t, TABLE, 0, BUF, 16, R | N, 2);
	desc_at(&t, TABLE, 2, BUF + 0x1000, 512, W | N, 1);
	desc_at(&t, TABLE, 1, BUF + 0x2000, 1, W, 0);
	ring_desc(&r, 5, TABLE, 3 * 16, I | W, 0); /* WRITE on the referring one: ignored */
	ring_post(&r, 5);
	struct virtq_chain c;
	CHECK_EQ(virtq_pop(&q, &c), VIRTQ_CHAIN);
	CHECK_EQ(c.head, 5);
	CHECK_EQ(c.nseg, 3);
	CHECK_EQ(c.nread, 1);
	CHECK_EQ(c.read_len, 16);
	CHECK_EQ(c.write_len, 513);
	expect_seg(&c, 0, BUF, 16, false);
	expect_seg(&c, 1, BUF + 0x1000, 512, true);
	expect_seg(&c, 2, BUF + 0x2000, 1, true);
}

TEST(direct_descriptors_then_an_indirect_one)
{
	setup(8, true, false);
	ring_desc(&r, 0, BUF, 10, R | N, 1);
	ring_desc(&r, 1, TABLE, 32, I, 0);
	desc_at(&t, TABLE, 0, BUF + 0x1000, 20, R | N, 1);
	desc_at(&t, TABLE, 1, BUF + 0x2000, 30, W, 0);
	ring_post(&r, 0);
	struct virtq_chain c;
	CHECK_EQ(virtq_pop(&q, &c), VIRTQ_CHAIN);
	CHECK_EQ(c.nseg, 3);
	CHECK_EQ(c.nread, 2);
	expect_seg(&c, 0, BUF, 10, false);
	expect_seg(&c, 1, BUF + 0x1000, 20, false);
	expect_seg(&c, 2, BUF + 0x2000, 30, true);
}

TEST(indirect_table_of_queue_size_entries)
{
	setup(8, true, false);
	for (uint16_t i = 0; i < 8; i++)
		desc_at(&t, TABLE, i, BUF + 0x10 * i, 0x10, W | (i < 7 ? N : 0), i + 1);
	ring_desc(&r, 0, TABLE, 8 * 16, I, 0);
	ring_post(&r, 0);
	struct virtq_chain c;
	CHECK_EQ(virtq_pop(&q, &c), VIRTQ_CHAIN);
	CHECK_EQ(c.nseg, 8);
	CHECK_EQ(c.write_len, 0x80);
}

TEST(indirect_rule_breaking_is_fatal)
{
	/* Not negotiated. */
	setup(8, false, false);
	desc_at(&t, TABLE, 0, BUF, 16, W, 0);
	ring_desc(&r, 0, TABLE, 16, I, 0);
	ring_post(&r, 0);
	expect_fatal();
	/* NEXT on the referring descriptor. */
	setup(8, true, false);
	desc_at(&t, TABLE, 0, BUF, 16, W, 0);
	ring_desc(&r, 0, TABLE, 16, I | N, 1);
	ring_desc(&r, 1, BUF + 0x1000, 16, W, 0);
	ring_post(&r, 0);
	expect_fatal();
	/* Nested. */
	setup(8, true, false);
	desc_at(&t, TABLE, 0, BUF, 16, R | N, 1);
	desc_at(&t, TABLE, 1, TABLE + 0x100, 16, I, 0);
	desc_at(&t, TABLE + 0x100, 0, BUF, 16, W, 0);
	ring_desc(&r, 0, TABLE, 32, I, 0);
	ring_post(&r, 0);
	expect_fatal();
}

TEST(indirect_table_sizes)
{
	static const uint32_t bad[] = {0, 8, 24, 9 * 16, 0x80000000u};
	for (unsigned k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		setup(8, true, false);
		for (uint16_t i = 0; i < 9; i++)
			desc_at(&t, TABLE, i, BUF, 16, W, 0);
		ring_desc(&r, 0, TABLE, bad[k], I, 0);
		ring_post(&r, 0);
		expect_fatal();
	}
}

TEST(indirect_table_outside_ram)
{
	static const uint64_t bad[] = {TMEM_SIZE - 16, TMEM_SIZE, 0xfffffffffffffff0ull};
	for (unsigned k = 0; k < 3; k++) {
		setup(8, true, false);
		ring_desc(&r, 0, bad[k], 32, I, 0);
		ring_post(&r, 0);
		expect_fatal();
	}
	/* The same table ending exactly at the end of RAM is fine. */
	setup(8, true, false);
	desc_at(&t, TMEM_SIZE - 32, 0, BUF, 16, W, 0);
	ring_desc(&r, 0, TMEM_SIZE - 32, 32, I, 0);
	ring_post(&r, 0);
	struct virtq_chain c;
	CHECK_EQ(virtq_pop(&q, &c), VIRTQ_CHAIN);
	CHECK_EQ(c.write_len, 16);
}

TEST(loops_end_in_fatal)
{
	setup(8, false, false); /* self loop */
	ring_desc(&r, 0, BUF, 16, R | N, 0);
	ring_post(&r, 0);
	expect_fatal();
	setup(8, false, false); /* 2 -> 6 -> 2 */
	ring_desc(&r, 2, BUF, 16, R | N, 6);
	ring_desc(&r, 6, BUF, 16, R | N, 2);
	ring_post(&r, 2);
	expect_fatal();
	setup(8, true, false); /* inside an indirect table */
	desc_at(&t, TABLE, 0, BUF, 16, R | N, 1);
	desc_at(&t, TABLE, 1, BUF, 16, R | N, 0);
	ring_desc(&r, 0, TABLE, 32, I, 0);
	ring_post(&r, 0);
	expect_fatal();
}

TEST(chain_length_bounded_by_queue_size)
{
	setup(8, false, false); /* all 8 descriptors: fine */
	for (uint16_t i = 0; i < 8; i++)
		ring_desc(&r, i, BUF + i, 1, R | (i < 7 ? N : 0), i + 1);
	ring_post(&r, 0);
	struct virtq_chain c;
	CHECK_EQ(virtq_pop(&q, &c), VIRTQ_CHAIN);
	CHECK_EQ(c.nseg, 8);
	/* One direct buffer plus a full table is 9 buffers on an 8-entry queue. */
	setup(8, true, false);
	for (uint16_t i = 0; i < 8; i++)
		desc_at(&t, TABLE, i, BUF + i, 1, R | (i < 7 ? N : 0), i + 1);
	ring_desc(&r, 0, BUF + 0x1000, 1, R | N, 1);
	ring_desc(&r, 1, TABLE, 8 * 16, I, 0);
	ring_post(&r, 0);
	expect_fatal();
}

TEST(indexes_out_of_range)
{
	setup(8, false, false); /* head */
	ring_desc(&r, 0, BUF, 16, R, 0);
	ring_post(&r, 8);
	expect_fatal();
	setup(8, false, false); /* next */
	ring_desc(&r, 0, BUF, 16, R | N, 8);
	ring_post(&r, 0);
	expect_fatal();
	setup(8, true, false); /* next past the indirect table's 2 entries */
	desc_at(&t, TABLE, 0, BUF, 16, R | N, 2);
	desc_at(&t, TABLE, 2, BUF, 16, R, 0);
	ring_desc(&r, 0, TABLE, 32, I, 0);
	ring_post(&r, 0);
	expect_fatal();
}

TEST(buffers_outside_ram)
{
	static const struct {
		uint64_t addr;
		uint32_t len;
	} bad[] = {
	    {TMEM_SIZE - 10, 20},	   /* straddles the end */
	    {TMEM_SIZE, 1},		   /* just past */
	    {0xfee00000ull, 4},		   /* the LAPIC page: MMIO, not RAM */
	    {0xfffffffffffffff0ull, 0x20}, /* wraps 2^64 */
	    {0xffffffffffffffffull, 1},	   /* last byte of the address space */
	    {0x40, 0xffffffffu},	   /* huge */
	};
	for (unsigned k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		setup(8, false, false);
		ring_desc(&r, 0, BUF, 16, R | N, 1);
		ring_desc(&r, 1, bad[k].addr, bad[k].len, W, 0);
		ring_post(&r, 0);
		expect_fatal();
	}
	setup(8, false, false);
	ring_desc(&r, 0, TMEM_SIZE - 20, 20, W, 0);
	ring_post(&r, 0);
	struct virtq_chain c;
	CHECK_EQ(virtq_pop(&q, &c), VIRTQ_CHAIN);
}

TEST(avail_index_jump)
{
	setup(8, false, false);
	for (uint16_t i = 0; i < 8; i++)
		ring_desc(&r, i, BUF, 16, W, 0);
	gwn(&t, r.avail + 2, 9, 2); /* 9 new entries on an 8-entry ring */
	expect_fatal();
	setup(8, false, false);
	for (uint16_t i = 0; i < 8; i++) {
		ring_desc(&r, i, BUF, 16, W, 0);
		ring_post(&r, i); /* exactly 8: fine */
	}
	struct virtq_chain c;
	CHECK_EQ(virtq_pop(&q, &c), VIRTQ_CHAIN);
	/* Going backwards looks like a jump of almost 65536. */
	setup(8, false, false);
	gwn(&t, r.avail + 2, 0xffff, 2);
	expect_fatal();
}

TEST(readable_after_writable_is_fatal)
{
	setup(8, false, false);
	ring_desc(&r, 0, BUF, 16, W | N, 1);
	ring_desc(&r, 1, BUF + 0x1000, 16, R, 0);
	ring_post(&r, 0);
	expect_fatal();
	setup(8, true, false); /* direct writable, then a table starting readable */
	desc_at(&t, TABLE, 0, BUF, 16, R, 0);
	ring_desc(&r, 0, BUF + 0x1000, 16, W | N, 1);
	ring_desc(&r, 1, TABLE, 16, I, 0);
	ring_post(&r, 0);
	expect_fatal();
}

TEST(zero_length_buffers_are_skipped_but_counted)
{
	setup(8, false, false);
	/* Never touched, so even a wild address is harmless. */
	ring_desc(&r, 0, 0xdead00000000ull, 0, R | N, 1);
	ring_desc(&r, 1, BUF, 32, W | N, 2);
	ring_desc(&r, 2, BUF, 0, W, 0);
	ring_post(&r, 0);
	struct virtq_chain c;
	CHECK_EQ(virtq_pop(&q, &c), VIRTQ_CHAIN);
	CHECK_EQ(c.nseg, 1);
	CHECK_EQ(c.nread, 0);
	CHECK_EQ(c.read_len, 0);
	CHECK_EQ(c.write_len, 32);
	expect_seg(&c, 0, BUF, 32, true);
	/* They still obey the ordering rule. */
	setup(8, false, false);
	ring_desc(&r, 0, BUF, 0, W | N, 1);
	ring_desc(&r, 1, BUF, 16, R, 0);
	ring_post(&r, 0);
	expect_fatal();
	/* And the length bound: 9 of them in an 8-entry table of an 8-entry queue is
	 * impossible, so use a direct buffer plus a full table of empty ones. */
	setup(8, true, false);
	for (uint16_t i = 0; i < 8; i++)
		desc_at(&t, TABLE, i, 0, 0, R | (i < 7 ? N : 0), i + 1);
	ring_desc(&r, 0, BUF, 1, R | N, 1);
	ring_desc(&r, 1, TABLE, 128, I, 0);
	ring_post(&r, 0);
	expect_fatal();
}

TEST(chain_total_below_4_gib)
{
	/* 1024 buffers of 4 MiB (all of RAM each) make exactly 2^32 bytes. */
	setup(8, true, false);
	CHECK(try_enable(1024, 0x1000, 0x2000, 0x3000));
	r = (struct tring){
	    .t = &t, .q = &q, .size = 1024, .desc = 0x1000, .avail = 0x2000, .used = 0x3000};
	for (uint16_t i = 0; i < 1024; i++)
		desc_at(&t, TABLE, i, 0, (uint32_t)TMEM_SIZE, W | (i < 1023 ? N : 0), i + 1);
	ring_desc(&r, 0, TABLE, 1024 * 16, I, 0);
	ring_post(&r, 0);
	expect_fatal();
	/* One byte less is allowed. */
	CHECK(try_enable(1024, 0x1000, 0x2000, 0x3000));
	r.avail_idx = 0;
	desc_at(&t, TABLE, 1023, 1, (uint32_t)TMEM_SIZE - 1, W, 0);
	ring_post(&r, 0);
	struct virtq_chain c;
	CHECK_EQ(virtq_pop(&q, &c), VIRTQ_CHAIN);
	CHECK_EQ(c.write_len, 0xffffffffu);
	CHECK_EQ(c.nseg, 1024);
}

CHECK_MAIN("virtq", CASE(enable_checks_size_alignment_and_ram),
	   CASE(size_32768_works_to_the_last_entry), CASE(direct_chain_segments),
	   CASE(indirect_table), CASE(direct_descriptors_then_an_indirect_one),
	   CASE(indirect_table_of_queue_size_entries), CASE(indirect_rule_breaking_is_fatal),
	   CASE(indirect_table_sizes), CASE(indirect_table_outside_ram), CASE(loops_end_in_fatal),
	   CASE(chain_length_bounded_by_queue_size), CASE(indexes_out_of_range),
	   CASE(buffers_outside_ram), CASE(avail_index_jump),
	   CASE(readable_after_writable_is_fatal),
	   CASE(zero_length_buffers_are_skipped_but_counted), CASE(chain_total_below_4_gib))
