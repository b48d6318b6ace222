/* virtio-net (virtio 1.2 §5.1) as a port of an eth_switch: receiveq 0, transmitq 1, no
 * control queue, no offloads. Offers MAC (config bytes 0-5); VERSION_1 makes the per-packet
 * header the 12-byte virtio_net_hdr with num_buffers.
 *
 * Transmit: each chain's readable bytes are the header (ignored: no offload was offered)
 * followed by one frame, copied once into the device and handed to the switch; chains too
 * short for a header or with frames above ETH_FRAME_MAX count as malformed drops. Receive: a
 * frame from the switch takes the next posted buffer if its writable part holds header and
 * frame (flags 0, GSO_NONE, num_buffers 1); otherwise, or when no buffer is posted or the
 * driver is not running, the frame is dropped (the switch counts it) and the buffer stays. */
#pragma once
#include "devices/eth_switch.h"
#include "devices/virtio.h"
#include <stdbool.h>
#include <stdint.h>

#define VIRTIO_NET_F_MAC (1ull << 5) /* config mac is valid */

#define VIRTIO_NET_RXQ 0 /* receiveq1 */
#define VIRTIO_NET_TXQ 1 /* transmitq1 */
/* virtio_net_hdr: flags u8, gso_type u8, then le16 hdr_len, gso_size, csum_start, csum_offset
 * and num_buffers. */
#define VIRTIO_NET_HDR_SIZE	   12
#define VIRTIO_NET_HDR_NUM_BUFFERS 10	    /* offset of num_buffers */
#define VIRTIO_NET_CONFIG_SIZE	   ETH_ALEN /* mac; no other field is offered */

struct virtio_net {
	struct virtio_dev dev;
	struct virtq vq[2];
	struct virtq_seg seg[2][VIRTIO_QUEUE_SIZE];
	struct eth_switch *sw;
	unsigned port;
	uint8_t config[VIRTIO_NET_CONFIG_SIZE];
	uint8_t frame[ETH_FRAME_MAX]; /* the frame being sent: guest memory is read once */
};

/* Attaches a NIC with address `mac` to `sw`; false when the switch has no free port or
 * another NIC there has that MAC. */
bool virtio_net_init(struct virtio_net *n, const struct guest_mem *mem, struct eth_switch *sw,
		     const uint8_t mac[ETH_ALEN]);
