/* virtio-blk (virtio 1.2 §5.2): one request queue over a struct blk_backend.
 *
 * Requests: a readable header {type le32, reserved le32, sector le64}, the data (readable for
 * OUT, writable for IN and GET_ID), and a status byte, the last writable byte of the chain.
 * IN/OUT move whole 512-byte sectors inside the capacity; GET_ID returns the serial (the
 * image name, NUL-padded to 20 bytes, truncated beyond); FLUSH asks the backend to flush.
 * Other types answer UNSUPP. Out-of-range sectors, data that is not whole sectors, a short
 * header, writes to a read-only disk and backend errors answer IOERR. A chain with no
 * writable byte cannot even carry a status: the device then needs a reset. The used length
 * is the number of bytes the device wrote, status byte included. */
#pragma once
#include "devices/virtio.h"
#include <stdbool.h>
#include <stdint.h>

#define VIRTIO_BLK_F_SEG_MAX  (1ull << 2) /* config seg_max is valid */
#define VIRTIO_BLK_F_RO	      (1ull << 5) /* the disk is read-only */
#define VIRTIO_BLK_F_BLK_SIZE (1ull << 6) /* config blk_size is valid */
#define VIRTIO_BLK_F_FLUSH    (1ull << 9) /* VIRTIO_BLK_T_FLUSH is supported */

#define VIRTIO_BLK_T_IN	    0 /* virtio_blk_req.type: read sectors */
#define VIRTIO_BLK_T_OUT    1 /* write sectors */
#define VIRTIO_BLK_T_FLUSH  4 /* commit written data */
#define VIRTIO_BLK_T_GET_ID 8 /* device ID string */

#define VIRTIO_BLK_S_OK	    0 /* virtio_blk_req.status */
#define VIRTIO_BLK_S_IOERR  1
#define VIRTIO_BLK_S_UNSUPP 2

#define VIRTIO_BLK_SECTOR_SIZE 512 /* capacity and sector fields count 512-byte sectors */
#define VIRTIO_BLK_HDR_SIZE    16  /* type, reserved, sector */
#define VIRTIO_BLK_ID_BYTES    20  /* GET_ID string length */
/* Config fields: capacity le64 @0, size_max le32 @8, seg_max le32 @12, geometry @16,
 * blk_size le32 @20; nothing later is offered. */
#define VIRTIO_BLK_CFG_CAPACITY 0
#define VIRTIO_BLK_CFG_SEG_MAX	12
#define VIRTIO_BLK_CFG_BLK_SIZE 20
#define VIRTIO_BLK_CONFIG_SIZE	24
/* Data segments per request: the ring also carries the header and the status. */
#define VIRTIO_BLK_SEG_MAX (VIRTIO_QUEUE_SIZE - 2)

/* Where the disk's bytes live. Offsets and lengths are checked against size() first. */
struct blk_backend {
	bool (*read)(void *ctx, uint64_t offset, void *dst, uint64_t len);
	bool (*write)(void *ctx, uint64_t offset, const void *src, uint64_t len);
	bool (*flush)(void *ctx);
	uint64_t (*size)(void *ctx); /* bytes; a trailing partial sector is not addressable */
	void *ctx;
};

/* A disk image held in memory (the hypervisor copies the GRUB module there); writes change
 * the buffer and last as long as it does. */
struct blk_ram {
	uint8_t *data;
	uint64_t size;
};

/* Points `b` at a blk_ram over [data, data + size). */
void blk_ram_backend(struct blk_backend *b, struct blk_ram *ram, void *data, uint64_t size);

struct virtio_blk {
	struct virtio_dev dev;
	struct virtq vq[1];
	struct virtq_seg seg[1][VIRTIO_QUEUE_SIZE];
	struct blk_backend backend;
	uint64_t capacity; /* sectors */
	bool read_only;
	char serial[VIRTIO_BLK_ID_BYTES];
	uint8_t config[VIRTIO_BLK_CONFIG_SIZE];
};

/* `name` becomes the serial. The backend is copied; its ctx must outlive the device. */
void virtio_blk_init(struct virtio_blk *b, const struct guest_mem *mem,
		     const struct blk_backend *backend, bool read_only, const char *name);
