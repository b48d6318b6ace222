#include "devices/virtio_blk.h"
#include "kernel/kstring.h"

static bool ram_read(void *ctx, uint64_t offset, void *dst, uint64_t len)
{
	struct blk_ram *r = ctx;
	memcpy(dst, r->data + offset, len);
	return true;
}

static bool ram_write(void *ctx, uint64_t offset, const void *src, uint64_t len)
{
	struct blk_ram *r = ctx;
	memcpy(r->data + offset, src, len);
	return true;
}

static bool ram_flush(void *ctx)
{
	return true; /* the buffer is the storage: nothing is cached in front of it */
}

static uint64_t ram_size(void *ctx)
{
	struct blk_ram *r = ctx;
	return r->size;
}

void blk_ram_backend(struct blk_backend *b, struct blk_ram *ram, void *data, uint64_t size)
{
	ram->data = data;
	ram->size = size;
	*b = (struct blk_backend){
	    .read = ram_read, .write = ram_write, .flush = ram_flush, .size = ram_size, .ctx = ram};
}

/* A transfer between the disk and the guest pages of a data stream. */
struct transfer {
	const struct blk_backend *backend;
	uint64_t offset; /* next disk byte */
	uint64_t done;	 /* bytes moved so far */
};

static bool disk_to_guest(void *ctx, void *p, uint64_t len)
{
	struct transfer *t = ctx;
	if (!t->backend->read(t->backend->ctx, t->offset, p, len))
		return false;
	t->offset += len;
	t->done += len;
	return true;
}

static bool guest_to_disk(void *ctx, void *p, uint64_t len)
{
	struct transfer *t = ctx;
	if (!t->backend->write(t->backend->ctx, t->offset, p, len))
		return false;
	t->offset += len;
	t->done += len;
	return true;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Whether `len` bytes of whole sectors from `sector` lie inside the disk. */
static bool in_disk(const struct virtio_blk *b, uint64_t sector, uint64_t len)
{
	uint64_t count = len / VIRTIO_BLK_SECTOR_SIZE;
	return len % VIRTIO_BLK_SECTOR_SIZE == 0 && sector <= b->capacity &&
	       count <= b->capacity - sector;
}

/* IN or OUT: data in the writable stream before the status byte, or in the readable stream
 * after the header. Sets *written to the data bytes the device wrote into the guest. */
static uint8_t rw(struct virtio_blk *b, struct virtq *q, const struct virtq_chain *c, bool in,
		  uint64_t sector, uint64_t *written)
{
	uint64_t len = in ? c->write_len - 1u : c->read_len - VIRTIO_BLK_HDR_SIZE;
	uint64_t from = in ? 0 : VIRTIO_BLK_HDR_SIZE;
	if (!in && b->read_only)
		return VIRTIO_BLK_S_IOERR;
	if (!in_disk(b, sector, len))
		return VIRTIO_BLK_S_IOERR;
	struct transfer t = {.backend = &b->backend, .offset = sector * VIRTIO_BLK_SECTOR_SIZE};
	bool ok = virtq_for_each(q, c, in, from, len, in ? disk_to_guest : guest_to_disk, &t);
	if (in)
		*written = t.done;
	return ok ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR;
}

/* Carries out one request; returns its status and sets *written to the data bytes the device
 * wrote into the guest (the status byte aside). */
static uint8_t execute(struct virtio_blk *b, struct virtq *q, const struct virtq_chain *c,
		       uint64_t *written)
{
	uint8_t hdr[VIRTIO_BLK_HDR_SIZE];
	if (virtq_read(q, c, 0, hdr, sizeof hdr) < sizeof hdr)
		return VIRTIO_BLK_S_IOERR;
	uint32_t type = le32(hdr);
	uint64_t sector = le64(hdr + 8);
	uint64_t room = c->write_len - 1u; /* writable bytes before the status */
	switch (type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		return rw(b, q, c, type == VIRTIO_BLK_T_IN, sector, written);
	case VIRTIO_BLK_T_FLUSH:
		return b->backend.flush(b->backend.ctx) ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR;
	case VIRTIO_BLK_T_GET_ID:
		*written = virtq_write(q, c, 0, b->serial,
				       room < VIRTIO_BLK_ID_BYTES ? room : VIRTIO_BLK_ID_BYTES);
		return VIRTIO_BLK_S_OK;
	default:
		return VIRTIO_BLK_S_UNSUPP;
	}
}

static int64_t request(struct virtio_dev *d, struct virtq *q, const struct virtq_chain *c)
{
	struct virtio_blk *b = virtio_container(d, struct virtio_blk);
	/* Without a writable byte not even a failure can be reported. */
	if (c->write_len == 0)
		return -1;
	uint64_t written = 0;
	uint8_t status = execute(b, q, c, &written);
	virtq_write(q, c, c->write_len - 1u, &status, 1);
	virtq_push(q, c, (uint32_t)(written + 1));
	return (int64_t)(c->read_len + written);
}

static enum virtio_work blk_notify(struct virtio_dev *d, unsigned q)
{
	return virtio_process(d, q, request);
}

static const struct virtio_dev_ops blk_ops = {.notify = blk_notify};

void virtio_blk_init(struct virtio_blk *b, const struct guest_mem *mem,
		     const struct blk_backend *backend, bool read_only, const char *name)
{
	uint64_t features = VIRTIO_F_COMMON | VIRTIO_BLK_F_SEG_MAX | VIRTIO_BLK_F_BLK_SIZE |
			    VIRTIO_BLK_F_FLUSH | (read_only ? VIRTIO_BLK_F_RO : 0);
	virtio_dev_init(&b->dev, &blk_ops, mem, VIRTIO_ID_BLOCK, features, b->vq, b->seg, 1);
	b->backend = *backend;
	b->capacity = backend->size(backend->ctx) / VIRTIO_BLK_SECTOR_SIZE;
	b->read_only = read_only;
	memset(b->serial, 0, sizeof b->serial);
	size_t len = strlen(name);
	memcpy(b->serial, name, len < sizeof b->serial ? len : sizeof b->serial);
	memset(b->config, 0, sizeof b->config);
	put_le32(b->config + VIRTIO_BLK_CFG_CAPACITY, (uint32_t)b->capacity);
	put_le32(b->config + VIRTIO_BLK_CFG_CAPACITY + 4, (uint32_t)(b->capacity >> 32));
	put_le32(b->config + VIRTIO_BLK_CFG_SEG_MAX, VIRTIO_BLK_SEG_MAX);
	put_le32(b->config + VIRTIO_BLK_CFG_BLK_SIZE, VIRTIO_BLK_SECTOR_SIZE);
	b->dev.config = b->config;
	b->dev.config_len = sizeof b->config;
}
