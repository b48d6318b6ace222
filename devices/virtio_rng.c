#include "devices/virtio_rng.h"

struct fill {
	const struct virtio_rng *rng;
	uint64_t done;
};

static bool fill_piece(void *ctx, void *p, uint64_t len)
{
	struct fill *f = ctx;
	uint64_t got = f->rng->entropy(f->rng->ctx, p, len);
	f->done += got;
	return got == len; /* a short fill ends the request */
}

static int64_t request(struct virtio_dev *d, struct virtq *q, const struct virtq_chain *c)
{
	struct virtio_rng *r = virtio_container(d, struct virtio_rng);
	struct fill f = {.rng = r};
	uint64_t n = c->write_len < VIRTIO_RNG_REQUEST_MAX ? c->write_len : VIRTIO_RNG_REQUEST_MAX;
	virtq_for_each(q, c, true, 0, n, fill_piece, &f);
	virtq_push(q, c, (uint32_t)f.done);
	return (int64_t)f.done;
}

static enum virtio_work rng_notify(struct virtio_dev *d, unsigned q)
{
	return virtio_process(d, q, request);
}

static const struct virtio_dev_ops rng_ops = {.notify = rng_notify};

void virtio_rng_init(struct virtio_rng *r, const struct guest_mem *mem, virtio_entropy_fn *entropy,
		     void *ctx)
{
	virtio_dev_init(&r->dev, &rng_ops, mem, VIRTIO_ID_RNG, VIRTIO_F_COMMON, r->vq, r->seg, 1);
	r->entropy = entropy;
	r->ctx = ctx;
}
