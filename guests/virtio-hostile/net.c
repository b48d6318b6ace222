/* virtio-net transmit abuse: malformed chains the device must complete and drop, and frames
 * that carry other VMs' source MACs, which the switch must never deliver. The frames look
 * like the virtio test guest's own (guests/virtio-test/net.c), so a delivered one would
 * spoil its peer's counts. */
#include "guests/lib/lapic.h"
#include "guests/lib/report.h"
#include "guests/lib/string.h"
#include "guests/virtio-hostile/hostile.h"

#define QSIZE	       8
#define RXQ	       0
#define TXQ	       1
#define RX_WAIT_MS     10000 /* guest time for a neighbour's broadcast to come */
#define NET_HDR_SIZE   12    /* §5.1.6 virtio_net_hdr with num_buffers */
#define ETH_HLEN       14
#define ETH_FRAME_MAX  9018 /* the switch's largest frame */
#define FRAME_LEN      60
#define ETHERTYPE_TEST 0x88b5
#define TEST_MAGIC     0x5448564du /* "MHVT" */
#define KIND_HELLO     1
#define KIND_DATA      2
#define KIND_DONE      4

static const u8 broadcast[ETH_ALEN] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static bool transmit(struct rig *r, const struct virtq_buf *b, unsigned nout, unsigned nin)
{
	u32 id, len;

	if (virtq_add(&r->q[TXQ], b, nout, nin) < 0)
		return false;
	virtq_kick(&r->q[TXQ]);
	return virtq_wait_used(&r->q[TXQ], &id, &len, 100);
}

/* A test frame from `src` to `dst` claiming to come from role `from`. */
static bool forged(struct rig *r, const u8 *dst, const u8 *src, u8 kind, u8 from)
{
	u8 *p = env.scratch;

	memset(p, 0, NET_HDR_SIZE + FRAME_LEN);
	u8 *f = p + NET_HDR_SIZE;
	memcpy(f, dst, ETH_ALEN);
	memcpy(f + ETH_ALEN, src, ETH_ALEN);
	f[12] = ETHERTYPE_TEST >> 8;
	f[13] = ETHERTYPE_TEST & 0xff;
	u32 magic = TEST_MAGIC;
	memcpy(f + ETH_HLEN, &magic, 4);
	f[ETH_HLEN + 4] = kind;
	f[ETH_HLEN + 5] = from;
	f[ETH_HLEN + 6] = 1; /* "heard you" */
	f[ETH_HLEN + 8] = FRAME_LEN;
	struct virtq_buf b = {(u32)p, NET_HDR_SIZE + FRAME_LEN};
	return transmit(r, &b, 1, 0);
}

void spoof_burst(struct rig *net)
{
	static const u8 kinds[] = {KIND_HELLO, KIND_DATA, KIND_DONE};
	bool sent = env.have_victims && rig_up(net, 0, QSIZE);

	for (unsigned v = 0; sent && v < 2; v++)
		for (unsigned k = 0; k < sizeof kinds; k++)
			sent =
			    forged(net, broadcast, env.victim[v], kinds[k], (u8)('a' + v)) &&
			    forged(net, env.victim[1 - v], env.victim[v], kinds[k], (u8)('a' + v));
	if (env.have_victims)
		report(sent && rig_running(net),
		       "%s: frames impersonating both other VMs sent (the switch drops them)",
		       net->name);
}

void abuse_net(struct rig *net)
{
	if (!rig_up(net, 0, QSIZE))
		return;
	struct virtq_buf shorter = {(u32)env.scratch, 4};
	report(transmit(net, &shorter, 1, 0) && rig_running(net),
	       "%s: a transmit chain shorter than the header completes, dropped", net->name);
	struct virtq_buf huge = {(u32)env.scratch, NET_HDR_SIZE + ETH_FRAME_MAX + 1};
	report(transmit(net, &huge, 1, 0) && rig_running(net),
	       "%s: a frame above %u bytes completes, dropped", net->name, ETH_FRAME_MAX);
	struct virtq_buf writable = {(u32)env.scratch, 64};
	report(transmit(net, &writable, 0, 1) && rig_running(net),
	       "%s: a transmit chain of writable buffers only completes", net->name);
	struct virtq_buf header_only = {(u32)env.scratch, NET_HDR_SIZE + 5};
	memset(env.scratch, 0, NET_HDR_SIZE + 5);
	report(transmit(net, &header_only, 1, 0) && rig_running(net),
	       "%s: a frame shorter than an Ethernet header completes, dropped", net->name);
	virtio_reset(&net->dev);
}

/* The first broadcast another VM floods to this NIC meets a receive chain that loops: the
 * device must fail with NEEDS_RESET (while handling the sender's notification) and the
 * sender must not notice; its own checks say whether it did. */
void abuse_rx_ring(struct rig *net)
{
	struct virtq *q = &net->q[RXQ];

	if (!rig_up(net, 0, QSIZE))
		return;
	u32 before = lapic_irq_count[rig_config_vector(net)];
	set_desc(q, 0, (u32)env.scratch, 64, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 0);
	virtq_publish(q, 0);
	if (!rig_wait_status(net, VIRTIO_STATUS_NEEDS_RESET, RX_WAIT_MS)) {
		report(false, "%s: a looping receive chain: no frame came to hit it", net->name);
		virtio_reset(&net->dev);
		return;
	}
	expect_needs_reset(net, RXQ, before, "a looping receive chain hit by another VM's frame");
}
