#include "tests/unit/virtq_fixture.h"

TEST(push_fills_used_element_then_index)
{
	setup(8, false, false);
	ring_desc(&r, 2, BUF, 16, R | N, 4);
	ring_desc(&r, 4, BUF + 0x1000, 64, W, 0);
	ring_desc(&r, 6, BUF + 0x2000, 32, W, 0);
	ring_post(&r, 2);
	ring_post(&r, 6);
	struct virtq_chain a, b;
	CHECK_EQ(virtq_pop(&q, &a), VIRTQ_CHAIN);
	CHECK(virtq_push(&q, &a, 40));
	CHECK_EQ(ring_used_idx(&r), 1);
	CHECK_EQ(ring_used_id(&r, 0), 2);
	CHECK_EQ(ring_used_len(&r, 0), 40);
	CHECK_EQ(virtq_pop(&q, &b), VIRTQ_CHAIN);
	CHECK(virtq_push(&q, &b, 1000)); /* more than the chain can hold: clamped */
	CHECK_EQ(ring_used_idx(&r), 2);
	CHECK_EQ(ring_used_id(&r, 1), 6);
	CHECK_EQ(ring_used_len(&r, 1), 32);
}

TEST(indexes_wrap_at_65536)
{
	setup(4, false, false);
	ring_desc(&r, 0, BUF, 8, W, 0);
	ring_desc(&r, 1, BUF + 8, 8, W, 0);
	for (uint32_t n = 0; n < 0x10006; n++) {
		ring_post(&r, n % 2);
		struct virtq_chain c;
		CHECK_EQ(virtq_pop(&q, &c), VIRTQ_CHAIN);
		CHECK_EQ(c.head, n % 2);
		CHECK(virtq_push(&q, &c, n % 8));
		if (c.head != n % 2)
			return;
	}
	CHECK_EQ(ring_used_idx(&r), 6);
	CHECK_EQ(q.last_avail, 6);
	for (uint16_t n = 2; n < 6; n++) {
		CHECK_EQ(ring_used_id(&r, n), n % 2);
		CHECK_EQ(ring_used_len(&r, n), (0x10000 + n) % 8);
	}
	struct virtq_chain c;
	CHECK_EQ(virtq_pop(&q, &c), VIRTQ_EMPTY);
}

TEST(several_pending_across_the_wrap)
{
	setup(8, false, false);
	q.last_avail = q.used_idx = q.signalled = 0xfffd;
	r.avail_idx = 0xfffd;
	for (uint16_t i = 0; i < 5; i++) {
		ring_desc(&r, i, BUF + 0x100 * i, 4, W, 0);
		ring_post(&r, i);
	}
	CHECK_EQ(r.avail_idx, 2);
	for (uint16_t i = 0; i < 5; i++) {
		struct virtq_chain c;
		CHECK_EQ(virtq_pop(&q, &c), VIRTQ_CHAIN);
		CHECK_EQ(c.head, i);
		CHECK(virtq_push(&q, &c, i));
	}
	CHECK_EQ(ring_used_idx(&r), 2);
	CHECK_EQ(ring_used_id(&r, 0xffff), 2); /* slot 7 */
	CHECK_EQ(ring_used_id(&r, 0), 3);      /* slot 0 */
	CHECK_EQ(ring_used_len(&r, 1), 4);
}

TEST(fatal_is_sticky_until_reset)
{
	setup(8, false, false);
	ring_desc(&r, 0, BUF, 16, R | N, 0);
	ring_post(&r, 0);
	expect_fatal();
	ring_desc(&r, 0, BUF, 16, W, 0); /* the driver repairs the chain: too late */
	expect_fatal();
	struct virtq_chain c = {.head = 0, .write_len = 16};
	CHECK(!virtq_push(&q, &c, 1));
	CHECK(!virtq_need_notify(&q));
	CHECK_EQ(ring_used_idx(&r), 0);
	CHECK(virtq_enable(&q)); /* enabling again is no way out */
	CHECK_EQ(virtq_pop(&q, &c), VIRTQ_FATAL);
	virtq_reset(&q);
	CHECK(!q.broken);
	tring_init(&r, &t, &q, 8, RING_DESC(0), RING_AVAIL(0), RING_USED(0));
	gwn(&t, r.avail + 2, 0, 2);
	ring_post(&r, 0);
	CHECK_EQ(virtq_pop(&q, &c), VIRTQ_CHAIN);
}

TEST(unpop_gives_the_same_chain_back)
{
	setup(8, false, false);
	ring_desc(&r, 4, BUF, 16, W, 0);
	ring_desc(&r, 5, BUF, 32, W, 0);
	ring_post(&r, 4);
	ring_post(&r, 5);
	struct virtq_chain c;
	CHECK_EQ(virtq_pop(&q, &c), VIRTQ_CHAIN);
	virtq_unpop(&q);
	CHECK_EQ(virtq_pop(&q, &c), VIRTQ_CHAIN);
	CHECK_EQ(c.head, 4);
	CHECK_EQ(virtq_pop(&q, &c), VIRTQ_CHAIN);
	CHECK_EQ(c.head, 5);
}

/* Pushes n chains of 4 writable bytes (descriptor 0 reused). */
static void complete(uint16_t n)
{
	for (uint16_t i = 0; i < n; i++) {
		ring_post(&r, 0);
		struct virtq_chain c;
		CHECK_EQ(virtq_pop(&q, &c), VIRTQ_CHAIN);
		CHECK(virtq_push(&q, &c, 4));
	}
}

TEST(notify_without_event_idx_follows_avail_flags)
{
	setup(8, false, false);
	ring_desc(&r, 0, BUF, 4, W, 0);
	CHECK(!virtq_need_notify(&q)); /* nothing used yet */
	complete(1);
	CHECK(virtq_need_notify(&q));
	CHECK(!virtq_need_notify(&q)); /* nothing new since */
	gwn(&t, r.avail, VIRTQ_AVAIL_F_NO_INTERRUPT, 2);
	complete(2);
	CHECK(!virtq_need_notify(&q));
	gwn(&t, r.avail, 0, 2);
	complete(1);
	CHECK(virtq_need_notify(&q));
}

TEST(notify_with_event_idx_follows_used_event)
{
	setup(8, false, true);
	ring_desc(&r, 0, BUF, 4, W, 0);
	gwn(&t, r.avail, VIRTQ_AVAIL_F_NO_INTERRUPT, 2); /* ignored with EVENT_IDX */
	ring_set_used_event(&r, 0);
	complete(1); /* entry 0 published: the driver asked for it */
	CHECK(virtq_need_notify(&q));
	ring_set_used_event(&r, 3); /* wake me when entry 3 is used */
	complete(1);
	CHECK(!virtq_need_notify(&q)); /* used idx 2 */
	complete(1);
	CHECK(!virtq_need_notify(&q)); /* 3: entry 3 not published yet */
	complete(2);
	CHECK(virtq_need_notify(&q)); /* 5: entries 3 and 4 published together */
	complete(1);
	CHECK(!virtq_need_notify(&q)); /* used_event is behind: no more interrupts */
	/* Across the 16-bit wrap. */
	q.used_idx = q.signalled = 0xfffe;
	ring_set_used_event(&r, 0xffff);
	complete(2);
	CHECK_EQ(q.used_idx, 0);
	CHECK(virtq_need_notify(&q));
	complete(1);
	CHECK(!virtq_need_notify(&q)); /* entry 0xffff went out with the previous batch */
	ring_set_used_event(&r, 1);
	complete(1);
	CHECK(virtq_need_notify(&q)); /* entry 1 */
}

TEST(empty_ring_publishes_avail_event)
{
	setup(8, false, true);
	ring_desc(&r, 0, BUF, 4, W, 0);
	gwn(&t, r.used + 4 + 8 * 8, 0x5555, 2);
	struct virtq_chain c;
	CHECK_EQ(virtq_pop(&q, &c), VIRTQ_EMPTY);
	CHECK_EQ(ring_avail_event(&r), 0);
	complete(3);
	CHECK_EQ(ring_avail_event(&r), 0); /* only written when the ring runs dry */
	CHECK_EQ(virtq_pop(&q, &c), VIRTQ_EMPTY);
	CHECK_EQ(ring_avail_event(&r), 3);
	/* Without EVENT_IDX the field is not the device's to write. */
	setup(8, false, false);
	gwn(&t, r.used + 4 + 8 * 8, 0x5555, 2);
	CHECK_EQ(virtq_pop(&q, &c), VIRTQ_EMPTY);
	CHECK_EQ(ring_avail_event(&r), 0x5555);
}

/* The driver adds a buffer right as the device publishes avail_event. */
static void post_now(struct tmem *tm)
{
	ring_post(&r, 0);
}

TEST(avail_event_race_is_caught_by_the_second_look)
{
	setup(8, false, true);
	ring_desc(&r, 0, BUF, 4, W, 0);
	t.hook = post_now;
	t.hook_gpa = r.used + 4 + 8 * 8;
	struct virtq_chain c;
	CHECK_EQ(virtq_pop(&q, &c), VIRTQ_CHAIN);
	CHECK(t.hook == NULL);
	CHECK_EQ(c.head, 0);
}

TEST(streams_copy_across_segments_and_pages)
{
	setup(8, false, false);
	uint8_t pattern[32];
	for (unsigned i = 0; i < sizeof pattern; i++)
		pattern[i] = (uint8_t)(0xa0 + i);
	/* Readable: 10 bytes straddling a page boundary, then 5 bytes elsewhere. */
	gw(&t, BUF + 0xffa, pattern, 10);
	gw(&t, BUF + 0x5000, pattern + 10, 5);
	ring_desc(&r, 0, BUF + 0xffa, 10, R | N, 1);
	ring_desc(&r, 1, BUF + 0x5000, 5, R | N, 2);
	ring_desc(&r, 2, BUF + 0x7ffe, 4, W | N, 3);
	ring_desc(&r, 3, BUF + 0x9000, 8, W, 0);
	ring_post(&r, 0);
	struct virtq_chain c;
	CHECK_EQ(virtq_pop(&q, &c), VIRTQ_CHAIN);
	uint8_t out[32] = {0};
	CHECK_EQ(virtq_read(&q, &c, 0, out, 15), 15);
	CHECK(memcmp(out, pattern, 15) == 0);
	memset(out, 0, sizeof out);
	CHECK_EQ(virtq_read(&q, &c, 8, out, 32), 7); /* clamped at the stream's end */
	CHECK(memcmp(out, pattern + 8, 7) == 0);
	CHECK_EQ(virtq_read(&q, &c, 15, out, 1), 0);
	memset(out, 0, sizeof out);
	CHECK_EQ(virtq_read(&q, &c, 1, out, 3), 3); /* part of one segment */
	CHECK(memcmp(out, pattern + 1, 3) == 0);
	CHECK_EQ(out[3], 0);
	CHECK_EQ(virtq_read(&q, &c, 100, out, 1), 0);

	gfill(&t, BUF + 0x7ff0, 0xee, 0x20);
	gfill(&t, BUF + 0x9000, 0xee, 0x10);
	CHECK_EQ(virtq_write(&q, &c, 2, pattern, 20), 10);
	uint8_t got[12];
	gr(&t, BUF + 0x7ffd, got, 6); /* 1 untouched, 2 untouched, then 2 written + edge */
	CHECK_EQ(got[0], 0xee);
	CHECK_EQ(got[1], 0xee);
	CHECK_EQ(got[2], 0xee);
	CHECK_EQ(got[3], pattern[0]);
	CHECK_EQ(got[4], pattern[1]);
	CHECK_EQ(got[5], 0xee); /* the segment ends at 0x8002 */
	gr(&t, BUF + 0x9000, got, 9);
	CHECK(memcmp(got, pattern + 2, 8) == 0);
	CHECK_EQ(got[8], 0xee);
	gfill(&t, BUF + 0x9000, 0xee, 0x10);
	CHECK_EQ(virtq_write(&q, &c, 4, pattern, 2), 2);
	gr(&t, BUF + 0x9000, got, 4);
	CHECK_EQ(got[0], pattern[0]);
	CHECK_EQ(got[1], pattern[1]);
	CHECK_EQ(got[2], 0xee);
	/* Readable buffers are never written. */
	gr(&t, BUF + 0xffa, got, 10);
	CHECK(memcmp(got, pattern, 10) == 0);
}

static unsigned pieces;
static bool count_piece(void *ctx, void *p, uint64_t len)
{
	uint64_t *total = ctx;
	pieces++;
	*total += len;
	return true;
}

TEST(for_each_splits_at_pages_and_refuses_overruns)
{
	setup(8, false, false);
	ring_desc(&r, 0, BUF + 0x800, 0x2000, W, 0); /* covers parts of 3 pages */
	ring_post(&r, 0);
	struct virtq_chain c;
	CHECK_EQ(virtq_pop(&q, &c), VIRTQ_CHAIN);
	uint64_t total = 0;
	pieces = 0;
	CHECK(virtq_for_each(&q, &c, true, 0, 0x2000, count_piece, &total));
	CHECK_EQ(pieces, 3);
	CHECK_EQ(total, 0x2000);
	pieces = 0;
	CHECK(!virtq_for_each(&q, &c, true, 1, 0x2000, count_piece, &total));
	CHECK(!virtq_for_each(&q, &c, false, 0, 1, count_piece, &total));
	CHECK(!virtq_for_each(&q, &c, true, 0xffffffffffffffffull, 2, count_piece, &total));
	CHECK_EQ(pieces, 0);
}

CHECK_MAIN("virtq_ring", CASE(push_fills_used_element_then_index), CASE(indexes_wrap_at_65536),
	   CASE(several_pending_across_the_wrap), CASE(fatal_is_sticky_until_reset),
	   CASE(unpop_gives_the_same_chain_back),
	   CASE(notify_without_event_idx_follows_avail_flags),
	   CASE(notify_with_event_idx_follows_used_event), CASE(empty_ring_publishes_avail_event),
	   CASE(avail_event_race_is_caught_by_the_second_look),
	   CASE(streams_copy_across_segments_and_pages),
	   CASE(for_each_splits_at_pages_and_refuses_overruns))
