#include "devices/virtio_rng.h"
#include "tests/unit/virtio_harness.h"

#define N VIRTQ_DESC_F_NEXT
#define W VIRTQ_DESC_F_WRITE

static struct tmem t;
static struct virtio_rng rng;
static struct tring rq;
static struct irq_log irq;
static uint8_t next_byte;  /* the source yields 0, 1, 2, ... */
static uint64_t dry_after; /* bytes left before the source runs dry */
static unsigned calls;

static uint64_t entropy(void *ctx, void *buf, uint64_t n)
{
	CHECK(ctx == &rng);
	calls++;
	uint64_t give = n < dry_after ? n : dry_after;
	for (uint64_t i = 0; i < give; i++)
		((uint8_t *)buf)[i] = next_byte++;
	dry_after -= give;
	return give;
}

static void setup(void)
{
	tmem_free(&t);
	tmem_init(&t, TMEM_SIZE);
	memset(&rng, 0xa5, sizeof rng);
	virtio_rng_init(&rng, &t.mem, entropy, &rng);
	dev_start(&rng.dev, &t, &rq, &irq, rng.dev.offered, 16);
	next_byte = 0;
	dry_after = ~0ull;
	calls = 0;
	gfill(&t, BUF, 0xcc, 0x10000);
}

static void expect_counting(uint64_t gpa, uint8_t first, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		if (grn(&t, gpa + i, 1) != (uint8_t)(first + i)) {
			CHECK_EQ(grn(&t, gpa + i, 1), (uint8_t)(first + i));
			return;
		}
}

TEST(identity)
{
	setup();
	CHECK_EQ(rng.dev.device_id, 4);
	CHECK_EQ(rng.dev.offered, (1ull << 32) | (1ull << 29) | (1ull << 28));
	CHECK_EQ(rng.dev.nqueues, 1);
	CHECK_EQ(rng.dev.config_len, 0);
}

TEST(fills_the_writable_buffers)
{
	setup();
	ring_desc(&rq, 2, BUF, 16, W, 0);
	ring_post(&rq, 2);
	CHECK_EQ(virtio_notify(&rng.dev, 0), VIRTIO_IDLE);
	CHECK_EQ(ring_used_idx(&rq), 1);
	CHECK_EQ(ring_used_id(&rq, 0), 2);
	CHECK_EQ(ring_used_len(&rq, 0), 16);
	expect_counting(BUF, 0, 16);
	CHECK_EQ(grn(&t, BUF + 16, 1), 0xcc);
	CHECK_EQ(irq.used[0], 1);
}

TEST(readable_part_is_left_alone)
{
	setup();
	ring_desc(&rq, 0, BUF, 8, N, 1);
	ring_desc(&rq, 1, BUF + 0xffc, 8, W | N, 2); /* crosses a page */
	ring_desc(&rq, 2, BUF + 0x3000, 4, W, 0);
	ring_post(&rq, 0);
	CHECK_EQ(virtio_notify(&rng.dev, 0), VIRTIO_IDLE);
	CHECK_EQ(ring_used_len(&rq, 0), 12);
	CHECK_EQ(grn(&t, BUF, 8), 0xccccccccccccccccull);
	expect_counting(BUF + 0xffc, 0, 8);
	expect_counting(BUF + 0x3000, 8, 4);
}

TEST(a_request_gets_at_most_4_kib)
{
	setup();
	ring_desc(&rq, 0, BUF, 0x2000, W, 0);
	ring_post(&rq, 0);
	CHECK_EQ(virtio_notify(&rng.dev, 0), VIRTIO_IDLE);
	CHECK_EQ(ring_used_len(&rq, 0), VIRTIO_RNG_REQUEST_MAX);
	CHECK_EQ(grn(&t, BUF + VIRTIO_RNG_REQUEST_MAX, 1), 0xcc);
}

TEST(a_dry_source_gives_short_answers)
{
	setup();
	dry_after = 3;
	/* Three pieces (2 bytes to a page end, 2 after it, then another buffer): the second
	 * comes short, the third is not asked for. */
	ring_desc(&rq, 0, BUF + 0xffe, 4, W | N, 1);
	ring_desc(&rq, 1, BUF + 0x3000, 8, W, 0);
	ring_post(&rq, 0);
	CHECK_EQ(virtio_notify(&rng.dev, 0), VIRTIO_IDLE);
	CHECK_EQ(ring_used_len(&rq, 0), 2 + 1);
	CHECK_EQ(calls, 2);
	ring_post(&rq, 0);
	CHECK_EQ(virtio_notify(&rng.dev, 0), VIRTIO_IDLE);
	CHECK_EQ(ring_used_len(&rq, 1), 0);
}

TEST(no_writable_buffer_answers_zero)
{
	setup();
	ring_desc(&rq, 0, BUF, 64, 0, 0);
	ring_post(&rq, 0);
	CHECK_EQ(virtio_notify(&rng.dev, 0), VIRTIO_IDLE);
	CHECK_EQ(ring_used_len(&rq, 0), 0);
	CHECK_EQ(calls, 0);
	CHECK_EQ(grn(&t, BUF, 1), 0xcc);
}

CHECK_MAIN("virtio_rng", CASE(identity), CASE(fills_the_writable_buffers),
	   CASE(readable_part_is_left_alone), CASE(a_request_gets_at_most_4_kib),
	   CASE(a_dry_source_gives_short_answers), CASE(no_writable_buffer_answers_zero))
