#include "devices/virtio_net.h"
#include "kernel/kstring.h"

static int64_t transmit(struct virtio_dev *d, struct virtq *q, const struct virtq_chain *c)
{
	struct virtio_net *n = virtio_container(d, struct virtio_net);
	uint64_t len = c->read_len;
	uint32_t frame_len = 0;
	if (len < VIRTIO_NET_HDR_SIZE || len - VIRTIO_NET_HDR_SIZE > ETH_FRAME_MAX) {
		eth_switch_drop(n->sw, n->port, ETH_DROP_MALFORMED);
	} else {
		/* A private copy: the source MAC checked is the one delivered. */
		frame_len = (uint32_t)(len - VIRTIO_NET_HDR_SIZE);
		virtq_read(q, c, VIRTIO_NET_HDR_SIZE, n->frame, frame_len);
		eth_switch_send(n->sw, n->port, n->frame, frame_len);
	}
	virtq_push(q, c, 0);
	return frame_len;
}

static enum virtio_work net_notify(struct virtio_dev *d, unsigned q)
{
	/* Receive buffers are taken when frames arrive: a receiveq kick needs no work. */
	return q == VIRTIO_NET_TXQ ? virtio_process(d, q, transmit) : VIRTIO_IDLE;
}

static bool receive(void *ctx, const uint8_t *frame, uint32_t len)
{
	struct virtio_net *n = ctx;
	struct virtq *q = &n->vq[VIRTIO_NET_RXQ];
	if (!virtio_running(&n->dev))
		return false;
	struct virtq_chain c;
	enum virtq_pop_result r = virtq_pop(q, &c);
	if (r == VIRTQ_FATAL)
		virtio_fail(&n->dev);
	if (r != VIRTQ_CHAIN)
		return false;
	if (c.write_len < VIRTIO_NET_HDR_SIZE + (uint64_t)len) {
		virtq_unpop(q);
		return false;
	}
	uint8_t hdr[VIRTIO_NET_HDR_SIZE] = {0};
	hdr[VIRTIO_NET_HDR_NUM_BUFFERS] = 1; /* le16 num_buffers: without MRG_RXBUF, always 1 */
	virtq_write(q, &c, 0, hdr, sizeof hdr);
	virtq_write(q, &c, VIRTIO_NET_HDR_SIZE, frame, len);
	virtq_push(q, &c, VIRTIO_NET_HDR_SIZE + len);
	virtio_used(&n->dev, VIRTIO_NET_RXQ);
	return true;
}

static const struct virtio_dev_ops net_ops = {.notify = net_notify};

bool virtio_net_init(struct virtio_net *n, const struct guest_mem *mem, struct eth_switch *sw,
		     const uint8_t mac[ETH_ALEN])
{
	int port = eth_switch_add_port(sw, mac, receive, n);
	if (port < 0)
		return false;
	virtio_dev_init(&n->dev, &net_ops, mem, VIRTIO_ID_NET, VIRTIO_F_COMMON | VIRTIO_NET_F_MAC,
			n->vq, n->seg, 2);
	n->sw = sw;
	n->port = (unsigned)port;
	memcpy(n->config, mac, ETH_ALEN);
	n->dev.config = n->config;
	n->dev.config_len = sizeof n->config;
	return true;
}
