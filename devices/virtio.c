#include "devices/virtio.h"
#include "kernel/kstring.h"

void virtio_dev_init(struct virtio_dev *d, const struct virtio_dev_ops *ops,
		     const struct guest_mem *mem, uint32_t device_id, uint64_t offered,
		     struct virtq *vq, struct virtq_seg (*seg)[VIRTIO_QUEUE_SIZE], unsigned nqueues)
{
	*d = (struct virtio_dev){
	    .ops = ops,
	    .mem = mem,
	    .device_id = device_id,
	    .offered = offered,
	    .vq = vq,
	    .nqueues = nqueues,
	};
	for (unsigned i = 0; i < nqueues; i++)
		virtq_init(&vq[i], mem, seg[i], VIRTIO_QUEUE_SIZE);
}

void virtio_reset(struct virtio_dev *d)
{
	d->driver_features = d->features = 0;
	d->status = 0;
	for (unsigned i = 0; i < d->nqueues; i++)
		virtq_reset(&d->vq[i]);
	if (d->ops->reset)
		d->ops->reset(d);
}

static bool features_acceptable(const struct virtio_dev *d)
{
	return !(d->driver_features & ~d->offered) && (d->driver_features & VIRTIO_F_VERSION_1);
}

void virtio_set_status(struct virtio_dev *d, uint8_t status)
{
	if (status == 0) {
		virtio_reset(d);
		return;
	}
	status &= (uint8_t)~VIRTIO_STATUS_NEEDS_RESET;
	bool first_ok =
	    (status & VIRTIO_STATUS_FEATURES_OK) && !(d->status & VIRTIO_STATUS_FEATURES_OK);
	if (first_ok && !features_acceptable(d)) {
		status &= (uint8_t)~VIRTIO_STATUS_FEATURES_OK;
	} else if (first_ok) {
		d->features = d->driver_features;
		for (unsigned i = 0; i < d->nqueues; i++) {
			d->vq[i].event_idx = d->features & VIRTIO_F_EVENT_IDX;
			d->vq[i].indirect = d->features & VIRTIO_F_INDIRECT_DESC;
		}
	}
	d->status |= status;
}

bool virtio_queue_enable(struct virtio_dev *d, unsigned q)
{
	return q < d->nqueues && virtq_enable(&d->vq[q]);
}

bool virtio_running(const struct virtio_dev *d)
{
	uint8_t want = VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK;
	return !d->dma_blocked && (d->status & (want | VIRTIO_STATUS_NEEDS_RESET)) == want;
}

void virtio_fail(struct virtio_dev *d)
{
	if (d->status & VIRTIO_STATUS_NEEDS_RESET)
		return;
	d->status |= VIRTIO_STATUS_NEEDS_RESET;
	if (d->irq.config)
		d->irq.config(d->irq.ctx);
}

void virtio_used(struct virtio_dev *d, unsigned q)
{
	if (virtq_need_notify(&d->vq[q]) && d->irq.used)
		d->irq.used(d->irq.ctx, q);
}

enum virtio_work virtio_notify(struct virtio_dev *d, unsigned q)
{
	if (q >= d->nqueues || !d->vq[q].ready || !virtio_running(d))
		return VIRTIO_IDLE;
	enum virtio_work w = d->ops->notify(d, q);
	if (w == VIRTIO_FAILED)
		virtio_fail(d);
	return w;
}

enum virtio_work virtio_process(struct virtio_dev *d, unsigned q, virtio_chain_fn *handle)
{
	struct virtq *vq = &d->vq[q];
	uint64_t bytes = 0;
	enum virtio_work w = VIRTIO_PENDING;
	for (unsigned n = 0; n < VIRTIO_BUDGET_CHAINS && bytes < VIRTIO_BUDGET_BYTES; n++) {
		struct virtq_chain chain;
		enum virtq_pop_result r = virtq_pop(vq, &chain);
		int64_t moved = r == VIRTQ_CHAIN ? handle(d, vq, &chain) : 0;
		if (r == VIRTQ_FATAL || moved < 0)
			return VIRTIO_FAILED;
		if (r == VIRTQ_EMPTY) {
			w = VIRTIO_IDLE;
			break;
		}
		bytes += (uint64_t)moved;
	}
	virtio_used(d, q);
	return w;
}

void virtio_config_read(const struct virtio_dev *d, uint64_t off, void *dst, uint64_t n)
{
	uint8_t *out = dst;
	for (uint64_t i = 0; i < n; i++)
		out[i] = off < d->config_len && i < d->config_len - off ? d->config[off + i] : 0;
}
