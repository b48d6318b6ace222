/* One queue over test guest memory for the virtq tests, driven by hand. */
#pragma once
#include "devices/virtq.h"
#include "tests/unit/virtio_harness.h"

#define R     0
#define N     VIRTQ_DESC_F_NEXT
#define W     VIRTQ_DESC_F_WRITE
#define I     VIRTQ_DESC_F_INDIRECT
#define TABLE 0x80000ull /* an indirect table */

static struct tmem t;
static struct virtq q;
static struct virtq_seg segs[VIRTQ_SIZE_MAX];
static struct tring r;

/* A queue of `size` entries at the default layout, enabled, with the given features. */
static inline void setup(uint16_t size, bool indirect, bool event_idx)
{
	tmem_free(&t);
	tmem_init(&t, TMEM_SIZE);
	virtq_init(&q, &t.mem, segs, VIRTQ_SIZE_MAX);
	q.indirect = indirect;
	q.event_idx = event_idx;
	tring_init(&r, &t, &q, size, RING_DESC(0), RING_AVAIL(0), RING_USED(0));
}

static inline void expect_fatal(void)
{
	struct virtq_chain c;
	CHECK_EQ(virtq_pop(&q, &c), VIRTQ_FATAL);
	CHECK(q.broken);
}

static inline void expect_seg(const struct virtq_chain *c, unsigned i, uint64_t gpa, uint32_t len,
			      bool write)
{
	CHECK(i < c->nseg);
	if (i >= c->nseg)
		return;
	CHECK_EQ(c->seg[i].gpa, gpa);
	CHECK_EQ(c->seg[i].len, len);
	CHECK_EQ(c->seg[i].write, write);
}

/* Reprograms and enables the queue, keeping its negotiated features. */
static inline bool try_enable(uint16_t size, uint64_t desc, uint64_t avail, uint64_t used)
{
	bool indirect = q.indirect, event_idx = q.event_idx;
	virtq_reset(&q);
	q.indirect = indirect;
	q.event_idx = event_idx;
	q.size = size;
	q.desc_gpa = desc;
	q.avail_gpa = avail;
	q.used_gpa = used;
	bool ok = virtq_enable(&q);
	CHECK_EQ(q.ready, ok);
	return ok;
}
