#include "devices/virtio_console.h"
#include "tests/unit/virtio_harness.h"

#define N  VIRTQ_DESC_F_NEXT
#define W  VIRTQ_DESC_F_WRITE
#define RX VIRTIO_CONSOLE_RXQ
#define TX VIRTIO_CONSOLE_TXQ

static struct tmem t;
static struct virtio_console con;
static struct tring rings[2];
static struct irq_log irq;
static uint8_t out[0x20000];
static uint64_t out_len;
static unsigned out_calls;

static void output(void *ctx, const uint8_t *p, uint64_t n)
{
	CHECK(ctx == &out);
	CHECK(out_len + n <= sizeof out);
	if (out_len + n <= sizeof out)
		memcpy(out + out_len, p, n);
	out_len += n;
	out_calls++;
}

static void setup(void)
{
	tmem_free(&t);
	tmem_init(&t, TMEM_SIZE);
	memset(&con, 0xa5, sizeof con);
	virtio_console_init(&con, &t.mem, output, &out);
	dev_start(&con.dev, &t, rings, &irq, con.dev.offered, 16);
	out_len = 0;
	out_calls = 0;
}

/* The guest posts a receive buffer of len bytes at gpa as descriptor `head`. */
static void post_rx(uint16_t head, uint64_t gpa, uint32_t len)
{
	gfill(&t, gpa, 0xcc, len + 1);
	ring_desc(&rings[RX], head, gpa, len, W, 0);
	ring_post(&rings[RX], head);
}

static void expect_rx(uint16_t n, uint16_t head, uint64_t gpa, const char *text)
{
	uint32_t len = (uint32_t)strlen(text);
	CHECK_EQ(ring_used_id(&rings[RX], n), head);
	CHECK_EQ(ring_used_len(&rings[RX], n), len);
	char got[300] = {0};
	gr(&t, gpa, got, len);
	CHECK_STR(got, text);
	CHECK_EQ(grn(&t, gpa + len, 1), 0xcc);
}

static uint64_t input(const char *text)
{
	return virtio_console_input(&con, (const uint8_t *)text, strlen(text));
}

TEST(identity_and_config)
{
	setup();
	CHECK_EQ(con.dev.device_id, 3);
	CHECK_EQ(con.dev.offered, (1ull << 32) | (1ull << 29) | (1ull << 28));
	CHECK_EQ(con.dev.nqueues, 2);
	CHECK_EQ(con.dev.config_len, 12);
	uint8_t cfg[12];
	memset(cfg, 0xff, sizeof cfg);
	virtio_config_read(&con.dev, 0, cfg, sizeof cfg);
	for (unsigned i = 0; i < sizeof cfg; i++)
		CHECK_EQ(cfg[i], 0);
}

TEST(output_goes_to_the_callback)
{
	setup();
	gw(&t, BUF, "hello ", 6);
	gw(&t, BUF + 0x1ffd, "world", 5); /* crosses a page */
	ring_desc(&rings[TX], 0, BUF, 6, N, 1);
	ring_desc(&rings[TX], 1, BUF + 0x1ffd, 5, 0, 0);
	ring_post(&rings[TX], 0);
	CHECK_EQ(virtio_notify(&con.dev, TX), VIRTIO_IDLE);
	CHECK_EQ(out_len, 11);
	CHECK(memcmp(out, "hello world", 11) == 0);
	CHECK_EQ(out_calls, 3);
	CHECK_EQ(ring_used_idx(&rings[TX]), 1);
	CHECK_EQ(ring_used_len(&rings[TX], 0), 0);
	CHECK_EQ(irq.used[TX], 1);
}

TEST(output_per_chain_is_capped)
{
	setup();
	gfill(&t, BUF, 'x', 0x11000);
	ring_desc(&rings[TX], 0, BUF, 0x11000, 0, 0);
	ring_post(&rings[TX], 0);
	CHECK_EQ(virtio_notify(&con.dev, TX), VIRTIO_IDLE);
	CHECK_EQ(out_len, VIRTIO_CONSOLE_TX_MAX);
	CHECK_EQ(ring_used_idx(&rings[TX]), 1);
}

TEST(input_waits_for_buffers)
{
	setup();
	CHECK_EQ(input("abc"), 3);
	CHECK_EQ(ring_used_idx(&rings[RX]), 0);
	post_rx(0, BUF, 2);
	post_rx(1, BUF + 0x1000, 8);
	CHECK_EQ(virtio_notify(&con.dev, RX), VIRTIO_IDLE);
	CHECK_EQ(ring_used_idx(&rings[RX]), 2);
	expect_rx(0, 0, BUF, "ab");
	expect_rx(1, 1, BUF + 0x1000, "c");
	CHECK_EQ(irq.used[RX], 1);
	CHECK_EQ(con.in_count, 0);
}

TEST(input_goes_straight_to_a_posted_buffer)
{
	setup();
	post_rx(4, BUF, 64);
	CHECK_EQ(input("ls -l\n"), 6);
	CHECK_EQ(ring_used_idx(&rings[RX]), 1);
	expect_rx(0, 4, BUF, "ls -l\n");
	CHECK_EQ(irq.used[RX], 1);
	CHECK_EQ(input("more"), 4); /* no buffer left: kept */
	CHECK_EQ(ring_used_idx(&rings[RX]), 1);
	CHECK_EQ(con.in_count, 4);
}

TEST(full_ring_refuses_the_rest)
{
	setup();
	static uint8_t many[300];
	for (unsigned i = 0; i < sizeof many; i++)
		many[i] = (uint8_t)i;
	CHECK_EQ(virtio_console_input(&con, many, sizeof many), VIRTIO_CONSOLE_INPUT_SIZE);
	CHECK_EQ(virtio_console_input(&con, many, 1), 0);
	post_rx(0, BUF, 1000);
	CHECK_EQ(virtio_notify(&con.dev, RX), VIRTIO_IDLE);
	CHECK_EQ(ring_used_len(&rings[RX], 0), VIRTIO_CONSOLE_INPUT_SIZE);
	uint8_t got[VIRTIO_CONSOLE_INPUT_SIZE];
	gr(&t, BUF, got, sizeof got);
	CHECK(memcmp(got, many, sizeof got) == 0);
}

TEST(input_ring_wraps_in_order)
{
	setup();
	static uint8_t text[200];
	for (unsigned i = 0; i < sizeof text; i++)
		text[i] = (uint8_t)('A' + i % 26);
	CHECK_EQ(virtio_console_input(&con, text, 200), 200);
	post_rx(0, BUF, 200);
	CHECK_EQ(virtio_notify(&con.dev, RX), VIRTIO_IDLE);
	for (unsigned i = 0; i < sizeof text; i++)
		text[i] = (uint8_t)('a' + i % 26);
	CHECK_EQ(virtio_console_input(&con, text, 100), 100); /* bytes 200..255, then 0..43 */
	CHECK_EQ(con.in_head, 200);
	post_rx(1, BUF + 0x1000, 100);
	CHECK_EQ(virtio_notify(&con.dev, RX), VIRTIO_IDLE);
	CHECK_EQ(ring_used_len(&rings[RX], 1), 100);
	uint8_t got[100];
	gr(&t, BUF + 0x1000, got, 100);
	CHECK(memcmp(got, text, 100) == 0);
	CHECK_EQ(con.in_count, 0);
	CHECK_EQ(con.in_head, 44);
	post_rx(2, BUF + 0x2000, 100);
	CHECK_EQ(input("xyz"), 3);
	expect_rx(2, 2, BUF + 0x2000, "xyz");
}

TEST(no_delivery_before_driver_ok)
{
	setup();
	virtio_set_status(&con.dev, 0);
	CHECK_EQ(input("early"), 5);
	virtio_set_status(&con.dev, STATUS_UP);
	con.dev.driver_features = VIRTIO_F_VERSION_1;
	virtio_set_status(&con.dev, STATUS_UP | VIRTIO_STATUS_FEATURES_OK);
	tring_init(&rings[RX], &t, &con.vq[RX], 16, RING_DESC(RX), RING_AVAIL(RX), RING_USED(RX));
	gwn(&t, RING_AVAIL(RX) + 2, 0, 2);
	post_rx(0, BUF, 16);
	CHECK_EQ(input("!"), 1);
	CHECK_EQ(grn(&t, BUF, 1), 0xcc);
	virtio_set_status(&con.dev,
			  STATUS_UP | VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
	CHECK_EQ(virtio_notify(&con.dev, RX), VIRTIO_IDLE);
	expect_rx(0, 0, BUF, "early!");
}

TEST(reset_drops_pending_input)
{
	setup();
	CHECK_EQ(input("stale"), 5);
	virtio_set_status(&con.dev, 0);
	CHECK_EQ(con.in_count, 0);
	dev_start(&con.dev, &t, rings, &irq, VIRTIO_F_VERSION_1, 16);
	gwn(&t, RING_AVAIL(RX) + 2, 0, 2);
	rings[RX].avail_idx = 0;
	post_rx(0, BUF, 16);
	CHECK_EQ(input("new"), 3);
	expect_rx(0, 0, BUF, "new");
}

TEST(bad_receive_ring_on_input_needs_reset)
{
	setup();
	gwn(&t, RING_AVAIL(RX) + 2, 40, 2);
	CHECK_EQ(input("x"), 1);
	CHECK(con.dev.status & VIRTIO_STATUS_NEEDS_RESET);
	CHECK_EQ(irq.config, 1);
}

TEST(empty_receive_buffers_cannot_stall_input_forever)
{
	setup();
	/* 16 chains with no room: a hostile driver; bounded work, input kept. */
	for (uint16_t i = 0; i < 16; i++) {
		ring_desc(&rings[RX], i, BUF, 0, W, 0);
		ring_post(&rings[RX], i);
	}
	CHECK_EQ(input("keep"), 4);
	CHECK_EQ(ring_used_idx(&rings[RX]), 16);
	CHECK_EQ(con.in_count, 4);
	post_rx(0, BUF, 16);
	CHECK_EQ(virtio_notify(&con.dev, RX), VIRTIO_IDLE);
	expect_rx(16, 0, BUF, "keep");
}

CHECK_MAIN("virtio_console", CASE(identity_and_config), CASE(output_goes_to_the_callback),
	   CASE(output_per_chain_is_capped), CASE(input_waits_for_buffers),
	   CASE(input_goes_straight_to_a_posted_buffer), CASE(full_ring_refuses_the_rest),
	   CASE(input_ring_wraps_in_order), CASE(no_delivery_before_driver_ok),
	   CASE(reset_drops_pending_input), CASE(bad_receive_ring_on_input_needs_reset),
	   CASE(empty_receive_buffers_cannot_stall_input_forever))
