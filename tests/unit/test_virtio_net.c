#include "devices/virtio_net.h"
#include "tests/unit/virtio_harness.h"

#define R	VIRTQ_DESC_F_NEXT * 0
#define N	VIRTQ_DESC_F_NEXT
#define W	VIRTQ_DESC_F_WRITE
#define RX	VIRTIO_NET_RXQ
#define TX	VIRTIO_NET_TXQ
#define TXBUF	BUF
#define RXBUF	(BUF + 0x10000)
#define HDR_LEN VIRTIO_NET_HDR_SIZE

/* Two VMs, each with one NIC on the same switch. */
struct vm {
	struct tmem mem;
	struct virtio_net net;
	uint8_t canary[256]; /* catches writes past the NIC's frame buffer */
	struct tring ring[2];
	struct irq_log irq;
};

static struct eth_switch sw;
static struct vm a, b;
static const uint8_t MAC_A[ETH_ALEN] = {0x02, 0, 0, 0, 0, 0xa};
static const uint8_t MAC_B[ETH_ALEN] = {0x02, 0, 0, 0, 0, 0xb};

static void vm_setup(struct vm *v, const uint8_t *mac, uint16_t queue_size)
{
	tmem_free(&v->mem);
	tmem_init(&v->mem, TMEM_SIZE);
	CHECK(virtio_net_init(&v->net, &v->mem.mem, &sw, mac));
	memset(v->canary, 0x3c, sizeof v->canary);
	dev_start(&v->net.dev, &v->mem, v->ring, &v->irq, v->net.dev.offered, queue_size);
}

static void setup_sized(uint16_t queue_size)
{
	eth_switch_init(&sw);
	vm_setup(&a, MAC_A, queue_size);
	vm_setup(&b, MAC_B, queue_size);
}

static void setup(void)
{
	setup_sized(16);
}

static uint8_t frame[ETH_FRAME_MAX + 256];

/* Builds a frame dst/src/0x0800 followed by bytes counting up from `tag`. */
static void make_frame(const uint8_t *dst, const uint8_t *src, uint32_t len, uint8_t tag)
{
	for (uint32_t i = 0; i < len; i++)
		frame[i] = (uint8_t)(tag + i);
	memcpy(frame, dst, ETH_ALEN);
	memcpy(frame + ETH_ALEN, src, ETH_ALEN);
	frame[12] = 0x08;
	frame[13] = 0x00;
}

/* VM v transmits header + frame as one readable buffer (descriptor `head`), and kicks. */
static enum virtio_work transmit(struct vm *v, uint16_t head, uint32_t len)
{
	uint64_t at = TXBUF + 0x4000ull * head;
	gfill(&v->mem, at, 0, HDR_LEN);
	gw(&v->mem, at + HDR_LEN, frame, len);
	ring_desc(&v->ring[TX], head, at, HDR_LEN + len, R, 0);
	ring_post(&v->ring[TX], head);
	return virtio_notify(&v->net.dev, TX);
}

/* VM v posts one writable receive buffer of len bytes as descriptor `head`. The buffer and
 * the bytes after it are poisoned to show what the device wrote. */
static void post_rx(struct vm *v, uint16_t head, uint32_t len)
{
	uint64_t at = RXBUF + 0x4000ull * head;
	gfill(&v->mem, at, 0xcc, len + 16);
	ring_desc(&v->ring[RX], head, at, len, W, 0);
	ring_post(&v->ring[RX], head);
}

static void expect_received(struct vm *v, uint16_t n, uint16_t head, uint32_t len)
{
	CHECK_EQ(ring_used_id(&v->ring[RX], n), head);
	CHECK_EQ(ring_used_len(&v->ring[RX], n), HDR_LEN + len);
	uint64_t at = RXBUF + 0x4000ull * head;
	uint8_t hdr[HDR_LEN];
	gr(&v->mem, at, hdr, HDR_LEN);
	static const uint8_t want[HDR_LEN] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0};
	CHECK(memcmp(hdr, want, HDR_LEN) == 0);
	static uint8_t got[ETH_FRAME_MAX];
	gr(&v->mem, at + HDR_LEN, got, len);
	CHECK(memcmp(got, frame, len) == 0);
	CHECK_EQ(grn(&v->mem, at + HDR_LEN + len, 1), 0xcc);
}

TEST(identity_features_and_mac)
{
	setup();
	CHECK_EQ(a.net.dev.device_id, 1);
	CHECK_EQ(a.net.dev.offered, (1ull << 32) | (1ull << 29) | (1ull << 28) | (1ull << 5));
	CHECK_EQ(a.net.dev.nqueues, 2);
	uint8_t cfg[8];
	virtio_config_read(&b.net.dev, 0, cfg, sizeof cfg);
	CHECK(memcmp(cfg, MAC_B, ETH_ALEN) == 0);
	CHECK_EQ(cfg[6] | cfg[7], 0);
	CHECK_EQ(a.net.port, 0);
	CHECK_EQ(b.net.port, 1);
}

TEST(frame_crosses_from_one_vm_to_the_other)
{
	setup();
	post_rx(&b, 3, 1526);
	make_frame(MAC_B, MAC_A, 60, 0x40);
	CHECK_EQ(transmit(&a, 0, 60), VIRTIO_IDLE);
	CHECK_EQ(ring_used_idx(&a.ring[TX]), 1);
	CHECK_EQ(ring_used_id(&a.ring[TX], 0), 0);
	CHECK_EQ(ring_used_len(&a.ring[TX], 0), 0);
	CHECK_EQ(a.irq.used[TX], 1);
	CHECK_EQ(ring_used_idx(&b.ring[RX]), 1);
	expect_received(&b, 0, 3, 60);
	CHECK_EQ(b.irq.used[RX], 1);
	CHECK_EQ(eth_switch_stats(&sw, 0)->tx_frames, 1);
	CHECK_EQ(eth_switch_stats(&sw, 1)->rx_bytes, 60);
	/* And back, now that the switch knows A. */
	post_rx(&a, 0, 1526);
	make_frame(MAC_A, MAC_B, 1514, 0x99);
	CHECK_EQ(transmit(&b, 1, 1514), VIRTIO_IDLE);
	expect_received(&a, 0, 0, 1514);
}

TEST(split_buffers_on_both_sides)
{
	setup();
	make_frame(MAC_B, MAC_A, 100, 7);
	gfill(&a.mem, TXBUF, 0, HDR_LEN);
	gw(&a.mem, TXBUF + 0x0ffa, frame, 30); /* crosses a page */
	gw(&a.mem, TXBUF + 0x3000, frame + 30, 70);
	ring_desc(&a.ring[TX], 0, TXBUF, HDR_LEN, N, 1);
	ring_desc(&a.ring[TX], 1, TXBUF + 0x0ffa, 30, N, 2);
	ring_desc(&a.ring[TX], 2, TXBUF + 0x3000, 70, R, 0);
	ring_post(&a.ring[TX], 0);
	ring_desc(&b.ring[RX], 5, RXBUF, HDR_LEN, W | N, 6);
	ring_desc(&b.ring[RX], 6, RXBUF + 0x1ff0, 200, W, 0);
	ring_post(&b.ring[RX], 5);
	CHECK_EQ(virtio_notify(&a.net.dev, TX), VIRTIO_IDLE);
	CHECK_EQ(ring_used_id(&b.ring[RX], 0), 5);
	CHECK_EQ(ring_used_len(&b.ring[RX], 0), HDR_LEN + 100);
	CHECK_EQ(grn(&b.mem, RXBUF + 10, 2), 1);
	uint8_t got[100];
	gr(&b.mem, RXBUF + 0x1ff0, got, 100);
	CHECK(memcmp(got, frame, 100) == 0);
}

TEST(no_receive_buffer_drops_without_blocking_the_sender)
{
	setup();
	make_frame(MAC_B, MAC_A, 60, 0);
	CHECK_EQ(transmit(&a, 0, 60), VIRTIO_IDLE);
	CHECK_EQ(ring_used_idx(&a.ring[TX]), 1);
	CHECK_EQ(eth_switch_stats(&sw, 1)->drops[ETH_DROP_NO_BUFFER], 1);
	CHECK_EQ(eth_switch_stats(&sw, 1)->rx_frames, 0);
	CHECK_EQ(b.irq.used[RX], 0);
}

TEST(too_small_buffer_is_left_for_a_smaller_frame)
{
	setup();
	post_rx(&b, 2, 40);
	make_frame(MAC_B, MAC_A, 60, 0);
	transmit(&a, 0, 60);
	make_frame(MAC_B, MAC_A, 30, 0); /* the frame fits, but not with its header */
	transmit(&a, 3, 30);
	CHECK_EQ(eth_switch_stats(&sw, 1)->drops[ETH_DROP_NO_BUFFER], 2);
	CHECK_EQ(ring_used_idx(&b.ring[RX]), 0);
	CHECK_EQ(grn(&b.mem, RXBUF + 0x8000, 1), 0xcc); /* untouched */
	make_frame(MAC_B, MAC_A, 28, 5);		/* 12 + 28 = 40: fits exactly */
	transmit(&a, 1, 28);
	CHECK_EQ(ring_used_idx(&b.ring[RX]), 1);
	CHECK_EQ(ring_used_id(&b.ring[RX], 0), 2);
	CHECK_EQ(ring_used_len(&b.ring[RX], 0), 40);
	CHECK_EQ(eth_switch_stats(&sw, 1)->rx_frames, 1);
}

TEST(malformed_transmissions_are_counted_and_completed)
{
	setup();
	ring_desc(&a.ring[TX], 0, TXBUF, HDR_LEN - 1, R, 0); /* not even a header */
	ring_post(&a.ring[TX], 0);
	CHECK_EQ(virtio_notify(&a.net.dev, TX), VIRTIO_IDLE);
	make_frame(MAC_B, MAC_A, ETH_FRAME_MAX + 1, 0);
	transmit(&a, 1, ETH_FRAME_MAX + 1);
	make_frame(MAC_B, MAC_A, 13, 0); /* a runt: the switch refuses it */
	transmit(&a, 2, 13);
	make_frame(MAC_B, MAC_A, ETH_FRAME_MAX + 200, 0); /* must not reach the NIC's buffer */
	transmit(&a, 4, ETH_FRAME_MAX + 200);
	for (unsigned i = 0; i < sizeof a.canary; i++)
		CHECK_EQ(a.canary[i], 0x3c);
	CHECK_EQ(eth_switch_stats(&sw, 0)->drops[ETH_DROP_MALFORMED], 4);
	CHECK_EQ(ring_used_idx(&a.ring[TX]), 4);
	CHECK_EQ(ring_used_idx(&b.ring[RX]), 0);
	post_rx(&b, 1, ETH_FRAME_MAX + HDR_LEN); /* the largest frame goes through */
	make_frame(MAC_B, MAC_A, ETH_FRAME_MAX, 0);
	transmit(&a, 3, ETH_FRAME_MAX);
	CHECK_EQ(ring_used_idx(&b.ring[RX]), 1);
	expect_received(&b, 0, 1, ETH_FRAME_MAX);
}

TEST(spoofed_source_never_leaves_the_vm)
{
	setup();
	post_rx(&b, 0, 1526);
	make_frame(MAC_B, MAC_B, 60, 0);
	transmit(&a, 0, 60);
	CHECK_EQ(eth_switch_stats(&sw, 0)->drops[ETH_DROP_SPOOFED], 1);
	CHECK_EQ(ring_used_idx(&b.ring[RX]), 0);
	CHECK_EQ(ring_used_idx(&a.ring[TX]), 1);
}

TEST(receiver_not_running_drops)
{
	setup();
	post_rx(&b, 0, 1526);
	virtio_set_status(&b.net.dev, 0); /* the driver resets the NIC */
	make_frame(MAC_B, MAC_A, 60, 0);
	transmit(&a, 0, 60);
	CHECK_EQ(eth_switch_stats(&sw, 1)->drops[ETH_DROP_NO_BUFFER], 1);
	CHECK_EQ(ring_used_idx(&b.ring[RX]), 0);
	/* Queues enabled and a buffer posted, but the device has failed. The NIC comes back
	 * as after a VM restart: its old port goes first (a MAC belongs to one NIC). */
	eth_switch_remove_port(&sw, b.net.port);
	vm_setup(&b, MAC_B, 16);
	post_rx(&b, 0, 1526);
	virtio_fail(&b.net.dev);
	transmit(&a, 1, 60);
	CHECK_EQ(ring_used_idx(&b.ring[RX]), 0);
	CHECK_EQ(grn(&b.mem, RXBUF, 1), 0xcc);
}

TEST(broken_receive_ring_fails_only_the_receiver)
{
	setup();
	gwn(&b.mem, b.ring[RX].avail + 2, 100, 2); /* avail idx jump */
	make_frame(MAC_B, MAC_A, 60, 0);
	CHECK_EQ(transmit(&a, 0, 60), VIRTIO_IDLE);
	CHECK(b.net.dev.status & VIRTIO_STATUS_NEEDS_RESET);
	CHECK_EQ(b.irq.config, 1);
	CHECK(virtio_running(&a.net.dev));
	CHECK_EQ(a.irq.config, 0);
	CHECK_EQ(ring_used_idx(&a.ring[TX]), 1);
	CHECK_EQ(eth_switch_stats(&sw, 1)->drops[ETH_DROP_NO_BUFFER], 1);
}

TEST(receive_kick_consumes_nothing)
{
	setup();
	post_rx(&b, 0, 1526);
	CHECK_EQ(virtio_notify(&b.net.dev, RX), VIRTIO_IDLE);
	CHECK_EQ(b.net.vq[RX].last_avail, 0);
	CHECK_EQ(ring_used_idx(&b.ring[RX]), 0);
}

TEST(transmit_budget)
{
	setup_sized(256);
	make_frame(MAC_B, MAC_A, 60, 0);
	gfill(&a.mem, TXBUF, 0, HDR_LEN);
	gw(&a.mem, TXBUF + HDR_LEN, frame, 60);
	ring_desc(&a.ring[TX], 0, TXBUF, HDR_LEN + 60, R, 0);
	for (unsigned i = 0; i < 70; i++)
		ring_post(&a.ring[TX], 0);
	CHECK_EQ(virtio_notify(&a.net.dev, TX), VIRTIO_PENDING);
	CHECK_EQ(ring_used_idx(&a.ring[TX]), VIRTIO_BUDGET_CHAINS);
	CHECK_EQ(virtio_notify(&a.net.dev, TX), VIRTIO_IDLE);
	CHECK_EQ(ring_used_idx(&a.ring[TX]), 70);
	CHECK_EQ(eth_switch_stats(&sw, 1)->drops[ETH_DROP_NO_BUFFER], 70);
}

TEST(switch_full_refuses_a_nic)
{
	eth_switch_init(&sw);
	static struct virtio_net nics[ETH_SWITCH_MAX_PORTS + 1];
	tmem_free(&a.mem);
	tmem_init(&a.mem, TMEM_SIZE);
	for (unsigned i = 0; i < ETH_SWITCH_MAX_PORTS; i++) {
		uint8_t mac[ETH_ALEN] = {0x02, 0, 0, 0, 1, (uint8_t)i};
		CHECK(virtio_net_init(&nics[i], &a.mem.mem, &sw, mac));
	}
	CHECK(!virtio_net_init(&nics[ETH_SWITCH_MAX_PORTS], &a.mem.mem, &sw, MAC_A));
}

CHECK_MAIN("virtio_net", CASE(identity_features_and_mac),
	   CASE(frame_crosses_from_one_vm_to_the_other), CASE(split_buffers_on_both_sides),
	   CASE(no_receive_buffer_drops_without_blocking_the_sender),
	   CASE(too_small_buffer_is_left_for_a_smaller_frame),
	   CASE(malformed_transmissions_are_counted_and_completed),
	   CASE(spoofed_source_never_leaves_the_vm), CASE(receiver_not_running_drops),
	   CASE(broken_receive_ring_fails_only_the_receiver), CASE(receive_kick_consumes_nothing),
	   CASE(transmit_budget), CASE(switch_full_refuses_a_nic))
