#include "devices/virtio.h"
#include "tests/unit/virtio_harness.h"

#define FAKE_FEATURE (1ull << 3)

/* A device that completes chains through virtio_process, reporting a chosen size each. */
struct fake {
	struct virtio_dev dev;
	struct virtq vq[2];
	struct virtq_seg seg[2][VIRTIO_QUEUE_SIZE];
	uint8_t config[6];
	unsigned handled, notifies, resets;
	int64_t bytes_per_chain; /* what the handler reports; -1: the chain is unusable */
};

static struct tmem t;
static struct fake f;
static struct tring rings[2];
static struct irq_log irq;

static int64_t handle(struct virtio_dev *d, struct virtq *q, const struct virtq_chain *c)
{
	struct fake *fk = virtio_container(d, struct fake);
	fk->handled++;
	if (fk->bytes_per_chain >= 0)
		virtq_push(q, c, 0);
	return fk->bytes_per_chain;
}

static enum virtio_work fake_notify(struct virtio_dev *d, unsigned q)
{
	virtio_container(d, struct fake)->notifies++;
	return virtio_process(d, q, handle);
}

static void fake_reset(struct virtio_dev *d)
{
	virtio_container(d, struct fake)->resets++;
}

static const struct virtio_dev_ops fake_ops = {.notify = fake_notify, .reset = fake_reset};

static void setup(void)
{
	tmem_free(&t);
	tmem_init(&t, TMEM_SIZE);
	memset(&f, 0xa5, sizeof f); /* init must not rely on zeroed memory */
	virtio_dev_init(&f.dev, &fake_ops, &t.mem, 7, VIRTIO_F_COMMON | FAKE_FEATURE, f.vq, f.seg,
			2);
	f.handled = f.notifies = f.resets = 0;
	f.bytes_per_chain = 1;
	for (unsigned i = 0; i < sizeof f.config; i++)
		f.config[i] = (uint8_t)(0x10 + i);
	f.dev.config = f.config;
	f.dev.config_len = sizeof f.config;
}

/* Posts n single-buffer chains on queue q. */
static void post(unsigned q, unsigned n)
{
	ring_desc(&rings[q], 0, BUF, 64, VIRTQ_DESC_F_WRITE, 0);
	for (unsigned i = 0; i < n; i++)
		ring_post(&rings[q], 0);
}

TEST(init_state)
{
	setup();
	CHECK_EQ(f.dev.device_id, 7);
	CHECK_EQ(f.dev.offered, (1ull << 32) | (1ull << 29) | (1ull << 28) | (1ull << 3));
	CHECK_EQ(f.dev.status, 0);
	CHECK_EQ(f.dev.features, 0);
	CHECK_EQ(f.dev.nqueues, 2);
	for (unsigned i = 0; i < 2; i++) {
		CHECK_EQ(f.vq[i].size, VIRTIO_QUEUE_SIZE);
		CHECK_EQ(f.vq[i].max_size, VIRTIO_QUEUE_SIZE);
		CHECK(!f.vq[i].ready);
		CHECK(f.vq[i].seg == f.seg[i]);
	}
	CHECK(!virtio_running(&f.dev));
}

TEST(features_ok_needs_version_1_and_a_subset)
{
	setup();
	virtio_set_status(&f.dev, STATUS_UP);
	f.dev.driver_features = FAKE_FEATURE; /* legacy driver: no VERSION_1 */
	virtio_set_status(&f.dev, STATUS_UP | VIRTIO_STATUS_FEATURES_OK);
	CHECK_EQ(f.dev.status, STATUS_UP);
	f.dev.driver_features = VIRTIO_F_VERSION_1 | (1ull << 4); /* not offered */
	virtio_set_status(&f.dev, STATUS_UP | VIRTIO_STATUS_FEATURES_OK);
	CHECK_EQ(f.dev.status, STATUS_UP);
	CHECK_EQ(f.dev.features, 0);
	f.dev.driver_features = VIRTIO_F_VERSION_1 | VIRTIO_F_EVENT_IDX;
	virtio_set_status(&f.dev, STATUS_UP | VIRTIO_STATUS_FEATURES_OK);
	CHECK_EQ(f.dev.status, STATUS_UP | VIRTIO_STATUS_FEATURES_OK);
	CHECK_EQ(f.dev.features, VIRTIO_F_VERSION_1 | VIRTIO_F_EVENT_IDX);
	CHECK(f.vq[0].event_idx && f.vq[1].event_idx);
	CHECK(!f.vq[0].indirect && !f.vq[1].indirect);
	/* Frozen: later feature writes change nothing. */
	f.dev.driver_features = VIRTIO_F_COMMON;
	virtio_set_status(&f.dev, STATUS_UP | VIRTIO_STATUS_FEATURES_OK);
	CHECK_EQ(f.dev.features, VIRTIO_F_VERSION_1 | VIRTIO_F_EVENT_IDX);
	CHECK(!f.vq[0].indirect);
}

TEST(status_bits_are_sticky_and_needs_reset_is_the_devices)
{
	setup();
	virtio_set_status(&f.dev, STATUS_UP | VIRTIO_STATUS_NEEDS_RESET);
	CHECK_EQ(f.dev.status, STATUS_UP);
	virtio_set_status(&f.dev, VIRTIO_STATUS_ACKNOWLEDGE);
	CHECK_EQ(f.dev.status, STATUS_UP);
	/* DRIVER_OK without FEATURES_OK does not start the device. */
	virtio_set_status(&f.dev, STATUS_UP | VIRTIO_STATUS_DRIVER_OK);
	CHECK(!virtio_running(&f.dev));
}

TEST(reset_returns_to_power_on)
{
	setup();
	dev_start(&f.dev, &t, rings, &irq, VIRTIO_F_COMMON, 8);
	post(0, 1);
	CHECK_EQ(virtio_notify(&f.dev, 0), VIRTIO_IDLE);
	CHECK_EQ(f.handled, 1);
	virtio_set_status(&f.dev, 0);
	CHECK_EQ(f.resets, 1);
	CHECK_EQ(f.dev.status, 0);
	CHECK_EQ(f.dev.features, 0);
	CHECK_EQ(f.dev.driver_features, 0);
	for (unsigned i = 0; i < 2; i++) {
		CHECK(!f.vq[i].ready);
		CHECK(!f.vq[i].event_idx && !f.vq[i].indirect);
		CHECK_EQ(f.vq[i].size, VIRTIO_QUEUE_SIZE);
		CHECK_EQ(f.vq[i].last_avail, 0);
		CHECK_EQ(f.vq[i].used_idx, 0);
	}
	CHECK_EQ(virtio_notify(&f.dev, 0), VIRTIO_IDLE);
	CHECK_EQ(f.notifies, 1);
}

TEST(queue_enable_checks_the_index_and_layout)
{
	setup();
	CHECK(!virtio_queue_enable(&f.dev, 2));
	f.vq[1].size = 8;
	f.vq[1].desc_gpa = 0x1000;
	f.vq[1].avail_gpa = 0x2000;
	f.vq[1].used_gpa = 0x3001;
	CHECK(!virtio_queue_enable(&f.dev, 1));
	f.vq[1].used_gpa = 0x3000;
	CHECK(virtio_queue_enable(&f.dev, 1));
	CHECK(f.vq[1].ready);
}

TEST(notify_reaches_the_device_only_when_it_may)
{
	setup();
	virtio_set_status(&f.dev, STATUS_UP);
	f.dev.driver_features = VIRTIO_F_VERSION_1;
	virtio_set_status(&f.dev, STATUS_UP | VIRTIO_STATUS_FEATURES_OK);
	tring_init(&rings[0], &t, &f.vq[0], 8, RING_DESC(0), RING_AVAIL(0), RING_USED(0));
	post(0, 1);
	CHECK_EQ(virtio_notify(&f.dev, 0), VIRTIO_IDLE); /* no DRIVER_OK yet */
	virtio_set_status(&f.dev, STATUS_UP | VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
	CHECK_EQ(virtio_notify(&f.dev, 1), VIRTIO_IDLE); /* queue 1 not enabled */
	CHECK_EQ(virtio_notify(&f.dev, 2), VIRTIO_IDLE); /* no such queue */
	CHECK_EQ(virtio_notify(&f.dev, 0xffffffffu), VIRTIO_IDLE);
	CHECK_EQ(f.notifies, 0);
	CHECK_EQ(virtio_notify(&f.dev, 0), VIRTIO_IDLE);
	CHECK_EQ(f.notifies, 1);
	CHECK_EQ(f.handled, 1);
}

TEST(budget_bounds_chains_per_notify)
{
	setup();
	dev_start(&f.dev, &t, rings, &irq, VIRTIO_F_VERSION_1, 256);
	post(0, 100);
	CHECK_EQ(virtio_notify(&f.dev, 0), VIRTIO_PENDING);
	CHECK_EQ(f.handled, VIRTIO_BUDGET_CHAINS);
	CHECK_EQ(ring_used_idx(&rings[0]), VIRTIO_BUDGET_CHAINS);
	CHECK_EQ(irq.used[0], 1); /* one interrupt for the batch */
	CHECK_EQ(virtio_notify(&f.dev, 0), VIRTIO_IDLE);
	CHECK_EQ(f.handled, 100);
	CHECK_EQ(ring_used_idx(&rings[0]), 100);
	CHECK_EQ(irq.used[0], 2);
}

TEST(budget_bounds_bytes_per_notify)
{
	setup();
	dev_start(&f.dev, &t, rings, &irq, VIRTIO_F_VERSION_1, 256);
	f.bytes_per_chain = 300000; /* the 4th chain passes 1 MiB: no 5th */
	post(0, 10);
	CHECK_EQ(virtio_notify(&f.dev, 0), VIRTIO_PENDING);
	CHECK_EQ(f.handled, 4);
	CHECK_EQ(virtio_notify(&f.dev, 0), VIRTIO_PENDING);
	CHECK_EQ(f.handled, 8);
	CHECK_EQ(virtio_notify(&f.dev, 0), VIRTIO_IDLE);
	CHECK_EQ(f.handled, 10);
}

TEST(failure_sets_needs_reset_once)
{
	setup();
	dev_start(&f.dev, &t, rings, &irq, VIRTIO_F_VERSION_1, 8);
	f.bytes_per_chain = -1;
	post(0, 2);
	CHECK_EQ(virtio_notify(&f.dev, 0), VIRTIO_FAILED);
	CHECK_EQ(f.handled, 1);
	CHECK(f.dev.status & VIRTIO_STATUS_NEEDS_RESET);
	CHECK(!virtio_running(&f.dev));
	CHECK_EQ(irq.config, 1);
	CHECK_EQ(irq.used[0], 0);
	virtio_fail(&f.dev);
	CHECK_EQ(irq.config, 1);
	CHECK_EQ(virtio_notify(&f.dev, 0), VIRTIO_IDLE); /* ignored until reset */
	CHECK_EQ(f.handled, 1);
	virtio_set_status(&f.dev, 0);
	CHECK_EQ(f.dev.status, 0);
}

TEST(bad_ring_is_a_device_failure)
{
	setup();
	dev_start(&f.dev, &t, rings, &irq, VIRTIO_F_VERSION_1, 8);
	gwn(&t, rings[1].avail + 2, 9, 2);
	CHECK_EQ(virtio_notify(&f.dev, 1), VIRTIO_FAILED);
	CHECK_EQ(f.handled, 0);
	CHECK_EQ(f.dev.status & VIRTIO_STATUS_NEEDS_RESET, VIRTIO_STATUS_NEEDS_RESET);
	CHECK_EQ(irq.config, 1);
}

TEST(used_interrupt_honours_suppression)
{
	setup();
	dev_start(&f.dev, &t, rings, &irq, VIRTIO_F_VERSION_1, 8);
	gwn(&t, rings[1].avail, VIRTQ_AVAIL_F_NO_INTERRUPT, 2);
	post(1, 2);
	CHECK_EQ(virtio_notify(&f.dev, 1), VIRTIO_IDLE);
	CHECK_EQ(ring_used_idx(&rings[1]), 2);
	CHECK_EQ(irq.used[1], 0);
	gwn(&t, rings[1].avail, 0, 2);
	post(1, 1);
	CHECK_EQ(virtio_notify(&f.dev, 1), VIRTIO_IDLE);
	CHECK_EQ(irq.used[1], 1);
	CHECK_EQ(irq.used[0], 0);
}

TEST(config_reads_zero_past_the_end)
{
	setup();
	uint8_t b[8];
	memset(b, 0xff, sizeof b);
	virtio_config_read(&f.dev, 0, b, 6);
	CHECK_EQ(b[0], 0x10);
	CHECK_EQ(b[5], 0x15);
	CHECK_EQ(b[6], 0xff);
	memset(b, 0xff, sizeof b);
	virtio_config_read(&f.dev, 4, b, 4);
	CHECK_EQ(b[0], 0x14);
	CHECK_EQ(b[1], 0x15);
	CHECK_EQ(b[2], 0);
	CHECK_EQ(b[3], 0);
	memset(b, 0xff, sizeof b);
	virtio_config_read(&f.dev, 0xfffffffffffffffeull, b, 4);
	CHECK_EQ(b[0] | b[1] | b[2] | b[3], 0);
}

CHECK_MAIN("virtio", CASE(init_state), CASE(features_ok_needs_version_1_and_a_subset),
	   CASE(status_bits_are_sticky_and_needs_reset_is_the_devices),
	   CASE(reset_returns_to_power_on), CASE(queue_enable_checks_the_index_and_layout),
	   CASE(notify_reaches_the_device_only_when_it_may), CASE(budget_bounds_chains_per_notify),
	   CASE(budget_bounds_bytes_per_notify), CASE(failure_sets_needs_reset_once),
	   CASE(bad_ring_is_a_device_failure), CASE(used_interrupt_honours_suppression),
	   CASE(config_reads_zero_past_the_end))
