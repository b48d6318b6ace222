/* virtio-rng, "entropy device" (virtio 1.2 §5.4): one requestq whose writable buffers the
 * device fills from an entropy source (the hypervisor: RDRAND/RDSEED or a DRBG). A request
 * gets at most VIRTIO_RNG_REQUEST_MAX bytes, fewer if the source runs dry; the used length
 * says how many (the driver asks again). No configuration space, no device features. */
#pragma once
#include "devices/virtio.h"
#include <stdint.h>

#define VIRTIO_RNG_REQUESTQ    0
#define VIRTIO_RNG_REQUEST_MAX 4096 /* bytes per request: Linux asks for far less */

/* Fills up to n bytes at buf with entropy; returns how many it filled. */
typedef uint64_t virtio_entropy_fn(void *ctx, void *buf, uint64_t n);

struct virtio_rng {
	struct virtio_dev dev;
	struct virtq vq[1];
	struct virtq_seg seg[1][VIRTIO_QUEUE_SIZE];
	virtio_entropy_fn *entropy;
	void *ctx;
};

void virtio_rng_init(struct virtio_rng *r, const struct guest_mem *mem, virtio_entropy_fn *entropy,
		     void *ctx);
