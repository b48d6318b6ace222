/* virtio-net (virtio 1.2 §5.1) on the hypervisor's Ethernet switch. With role=a and role=b,
 * two instances find each other by broadcast, then each sends the other a run of unicast
 * frames to the learned MAC with two spoofed frames in the middle and a closing frame; each
 * checks what arrived: every data frame once, in order, intact, and nothing spoofed. */
#include "guests/lib/lapic.h"
#include "guests/lib/printf.h"
#include "guests/lib/report.h"
#include "guests/lib/string.h"
#include "guests/lib/tsc.h"
#include "guests/lib/vmcall.h"
#include "guests/lib/x86.h"
#include "guests/virtio-test/vtest.h"

#define VIRTIO_NET_F_MAC   (1ull << 5) /* §5.1.3: config mac is valid */
#define VIRTIO_NET_CFG_MAC 0
#define NET_HDR_SIZE	   12 /* §5.1.6: virtio_net_hdr with num_buffers (VERSION_1) */
#define NET_HDR_NUM_BUFS   10
#define RXQ		   0
#define TXQ		   1
#define QSIZE		   64
#define RX_BUFFERS	   32
#define ETH_HLEN	   14
#define ETH_FRAME_MAX	   1514
#define RX_BUF_SIZE	   (NET_HDR_SIZE + ETH_FRAME_MAX)
#define ETHERTYPE_TEST	   0x88b5 /* IEEE 802 local experimental EtherType */

/* Test payload after the Ethernet header. */
#define MAGIC	      0x5448564du /* "MHVT" */
#define KIND_HELLO    1		  /* broadcast: here I am; `heard` says whether I have heard you */
#define KIND_DATA     2		  /* unicast, seq 0..DATA_FRAMES-1 */
#define KIND_SPOOF    3		  /* sent with a source MAC that is not the sender's: must vanish */
#define KIND_DONE     4		  /* unicast, after everything else */
#define DATA_FRAMES   8
#define DATA_LEN(seq) (60u + 190u * (seq)) /* whole frame: 60 to 1390 bytes */
#define HELLO_LEN     60

#define HELLO_EVERY_MS 5
#define EXCHANGE_MS    20000 /* guest time the exchange may take: both VMs share one CPU */
#define TIMER_VECTOR   0x31
#define TIMER_WAKE_US  1000

struct test_payload {
	u32 magic;
	u8 kind, from, heard, seq;
	u16 len; /* the whole frame's length */
} __attribute__((packed));

static struct vdev net;
static u8 own_mac[ETH_ALEN], peer_mac[ETH_ALEN];
static u8 *rx_buf[QSIZE];
static u8 *tx_frame;

static struct {
	bool heard_peer, peer_heard_me, reply_hello, sent_all, done;
	u32 hellos, data, bad_data, spoofed, foreign, bad_hdr, frames;
} st;

static const u8 broadcast[ETH_ALEN] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const u8 fake_mac[ETH_ALEN] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x66};

static u8 data_byte(u32 seq, u32 i)
{
	return (u8)(seq * 31 + i * 3 + 1);
}

/* Sends one frame: the header and the frame in two buffers of one chain. */
static void send_frame(u8 kind, const u8 *dst, const u8 *src, u8 seq, u32 len)
{
	u8 *hdr = tx_frame, *frame = tx_frame + NET_HDR_SIZE;
	struct test_payload p = {MAGIC, kind, (u8)vtest.role, st.heard_peer, seq, (u16)len};

	memset(hdr, 0, NET_HDR_SIZE);
	memcpy(frame, dst, ETH_ALEN);
	memcpy(frame + ETH_ALEN, src, ETH_ALEN);
	frame[12] = ETHERTYPE_TEST >> 8;
	frame[13] = ETHERTYPE_TEST & 0xff;
	memcpy(frame + ETH_HLEN, &p, sizeof p);
	for (u32 i = ETH_HLEN + sizeof p; i < len; i++)
		frame[i] = data_byte(seq, i);
	struct virtq_buf bufs[2] = {{(u32)hdr, NET_HDR_SIZE}, {(u32)frame, len}};
	u32 used;
	vtest_io(&net, TXQ, bufs, 2, 0, &used);
}

static bool data_intact(const u8 *frame, u32 len, const struct test_payload *p)
{
	if (p->seq != st.data || len != DATA_LEN(p->seq) || p->len != len)
		return false;
	for (u32 i = ETH_HLEN + sizeof *p; i < len; i++)
		if (frame[i] != data_byte(p->seq, i))
			return false;
	return true;
}

static void receive(const u8 *buf, u32 used)
{
	const u8 *frame = buf + NET_HDR_SIZE;
	u32 len = used - NET_HDR_SIZE;
	struct test_payload p;

	st.frames++;
	if (used < NET_HDR_SIZE + ETH_HLEN + sizeof p || buf[0] || buf[1] ||
	    buf[NET_HDR_NUM_BUFS] != 1 || buf[NET_HDR_NUM_BUFS + 1]) {
		st.bad_hdr++;
		return;
	}
	memcpy(&p, frame + ETH_HLEN, sizeof p);
	bool ours = frame[12] == ETHERTYPE_TEST >> 8 && frame[13] == (ETHERTYPE_TEST & 0xff) &&
		    p.magic == MAGIC;
	if (ours && p.kind == KIND_SPOOF) {
		st.spoofed++;
		return;
	}
	if (!ours || p.from == vtest.role ||
	    (st.heard_peer && memcmp(frame + ETH_ALEN, peer_mac, ETH_ALEN))) {
		st.foreign++;
		return;
	}
	if (!st.heard_peer) {
		memcpy(peer_mac, frame + ETH_ALEN, ETH_ALEN);
		st.heard_peer = true;
	}
	if (p.kind == KIND_HELLO) {
		st.hellos++;
		/* A peer that has not heard us yet needs an answer it can hear. */
		st.reply_hello = st.reply_hello || !p.heard;
	}
	/* The peer sends anything but HELLO only once it has heard us. */
	if (p.heard || p.kind != KIND_HELLO)
		st.peer_heard_me = true;
	if (p.kind == KIND_DATA) {
		if (!data_intact(frame, len, &p))
			st.bad_data++;
		st.data++;
	}
	if (p.kind == KIND_DONE)
		st.done = true;
}

static void post_rx(u8 *buf)
{
	struct virtq_buf b = {(u32)buf, RX_BUF_SIZE};
	int head = virtq_add(&net.q[RXQ], &b, 0, 1);
	if (head >= 0)
		rx_buf[head] = buf;
}

static void poll_rx(void)
{
	u32 id, used;
	bool reposted = false;

	while (virtq_get_used(&net.q[RXQ], &id, &used)) {
		u8 *buf = id < QSIZE ? rx_buf[id] : NULL;
		if (!buf || used > RX_BUF_SIZE) {
			st.bad_hdr++;
			continue;
		}
		receive(buf, used);
		post_rx(buf);
		reposted = true;
	}
	if (reposted)
		virtq_kick(&net.q[RXQ]);
}

static void send_run(void)
{
	for (u8 seq = 0; seq < DATA_FRAMES; seq++) {
		if (seq == DATA_FRAMES / 2) {
			send_frame(KIND_SPOOF, peer_mac, fake_mac, 0, HELLO_LEN);
			send_frame(KIND_SPOOF, broadcast, peer_mac, 0, HELLO_LEN);
		}
		send_frame(KIND_DATA, peer_mac, own_mac, seq, DATA_LEN(seq));
	}
	send_frame(KIND_DONE, peer_mac, own_mac, 0, HELLO_LEN);
	st.sent_all = true;
}

static void exchange(void)
{
	u64 start = rdtsc(), end = start + tsc_from_ms(EXCHANGE_MS), last_hello = 0;

	while (!(st.done && st.sent_all) && rdtsc() < end) {
		poll_rx();
		bool ready = st.heard_peer && st.peer_heard_me;
		if (st.reply_hello) {
			st.reply_hello = false;
			send_frame(KIND_HELLO, peer_mac, own_mac, 0, HELLO_LEN);
		}
		if (!ready && rdtsc() - last_hello >= tsc_from_ms(HELLO_EVERY_MS)) {
			send_frame(KIND_HELLO, broadcast, own_mac, 0, HELLO_LEN);
			last_hello = rdtsc();
		}
		if (ready && !st.sent_all)
			send_run();
		hc_idle(VTEST_IDLE_US);
	}
	poll_rx();
}

static void check_mac(void)
{
	for (unsigned i = 0; i < ETH_ALEN; i++)
		own_mac[i] = virtio_cfg_read8(&net.dev, VIRTIO_NET_CFG_MAC + i);
	bool as_set = !vtest.have_mac || !memcmp(own_mac, vtest.mac, ETH_ALEN);
	report((net.dev.features & VIRTIO_NET_F_MAC) && !(own_mac[0] & 1) && as_set,
	       "net: MAC %02x:%02x:%02x:%02x:%02x:%02x in config space, unicast%s", own_mac[0],
	       own_mac[1], own_mac[2], own_mac[3], own_mac[4], own_mac[5],
	       vtest.have_mac ? ", as mac= set it" : "");
}

void test_net(const struct pci_func *f, unsigned slot_index)
{
	if (!vtest_start(&net, "net", f, slot_index, VIRTIO_NET_F_MAC | VIRTIO_F_EVENT_IDX, 2,
			 QSIZE))
		return;
	check_mac();
	tx_frame = virtio_alloc(RX_BUF_SIZE, 16);
	for (unsigned i = 0; i < RX_BUFFERS; i++)
		post_rx(virtio_alloc(RX_BUF_SIZE, 16));
	virtq_kick(&net.q[RXQ]);
	if (!vtest.role) { /* nobody to talk to: one broadcast, for the interrupt accounting */
		send_frame(KIND_HELLO, broadcast, own_mac, 0, HELLO_LEN);
		vtest_report_interrupts(&net);
		return;
	}
	u32 rx_irqs = lapic_irq_count[vtest_queue_vector(&net, RXQ)];
	exchange();
	rx_irqs = lapic_irq_count[vtest_queue_vector(&net, RXQ)] - rx_irqs;
	printf("net: %u frames in (%u hellos, %u data), %u rx interrupts\n", st.frames, st.hellos,
	       st.data, rx_irqs);
	report(st.heard_peer && memcmp(peer_mac, own_mac, ETH_ALEN),
	       "net: heard the peer's broadcast from %02x:%02x:%02x:%02x:%02x:%02x", peer_mac[0],
	       peer_mac[1], peer_mac[2], peer_mac[3], peer_mac[4], peer_mac[5]);
	report(st.sent_all, "net: sent %u unicast frames to the learned MAC", DATA_FRAMES + 1);
	report(st.data == DATA_FRAMES && !st.bad_data,
	       "net: %u of %u unicast frames arrived in order and intact (%u bad)", st.data,
	       DATA_FRAMES, st.bad_data);
	report(st.done, "net: the peer's closing frame arrived");
	report(!st.spoofed && !st.foreign,
	       "net: no spoofed or foreign frame delivered (%u spoofed, %u foreign)", st.spoofed,
	       st.foreign);
	report(!st.bad_hdr,
	       "net: every receive buffer holds a GSO_NONE header, num_buffers 1 (%u "
	       "bad)",
	       st.bad_hdr);
	report(rx_irqs >= 1 && rx_irqs <= st.frames,
	       "net: receive interrupts come with frames (%u for %u frames)", rx_irqs, st.frames);
	vtest_report_interrupts(&net);
}
