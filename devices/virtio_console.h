/* virtio-console (virtio 1.2 §5.3) with a single port (no MULTIPORT, so Linux makes it hvc0
 * at once): receiveq 0 carries host input to the guest, transmitq 1 guest output to a
 * callback. Input waits in a small ring while the guest has no receive buffer posted; the
 * caller keeps what does not fit and offers it again later, as with the UART.
 * Configuration space (cols, rows, max_nr_ports, emerg_write) is all zero: none of SIZE,
 * MULTIPORT or EMERG_WRITE is offered. */
#pragma once
#include "devices/virtio.h"
#include <stdint.h>

#define VIRTIO_CONSOLE_RXQ	   0   /* receiveq(port0) */
#define VIRTIO_CONSOLE_TXQ	   1   /* transmitq(port0) */
#define VIRTIO_CONSOLE_CONFIG_SIZE 12  /* cols le16, rows le16, max_nr_ports, emerg_write */
#define VIRTIO_CONSOLE_INPUT_SIZE  256 /* input bytes held for the guest */
#define VIRTIO_CONSOLE_TX_MAX                                                                      \
	0x10000u /* output bytes taken from one chain, the rest                                    \
		  * dropped (Linux sends at most a page) */

/* Guest output: n bytes at p (a piece of one chain; a chain may come in several pieces). */
typedef void virtio_console_out_fn(void *ctx, const uint8_t *p, uint64_t n);

struct virtio_console {
	struct virtio_dev dev;
	struct virtq vq[2];
	struct virtq_seg seg[2][VIRTIO_QUEUE_SIZE];
	virtio_console_out_fn *output;
	void *ctx;
	uint8_t in[VIRTIO_CONSOLE_INPUT_SIZE]; /* ring of pending input */
	uint32_t in_head;		       /* index of the oldest pending byte */
	uint32_t in_count;
	uint8_t config[VIRTIO_CONSOLE_CONFIG_SIZE];
};

void virtio_console_init(struct virtio_console *c, const struct guest_mem *mem,
			 virtio_console_out_fn *output, void *ctx);
/* Host input for the guest: queues up to n bytes and passes what it can to posted receive
 * buffers. Returns how many bytes it took (fewer than n when the ring is full). */
uint64_t virtio_console_input(struct virtio_console *c, const uint8_t *bytes, uint64_t n);
