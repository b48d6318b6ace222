/* Malformed virtio-blk requests (virtio 1.2 §5.2.6): where a status byte can be written the
 * answer is IOERR and nothing else changes; a chain with no writable byte cannot carry one,
 * so the device needs a reset. The device never writes into a readable buffer nor past a
 * writable one, and its configuration space is read-only. */
#include "guests/lib/mmio.h"
#include "guests/lib/report.h"
#include "guests/lib/string.h"
#include "guests/virtio-hostile/hostile.h"

#define QSIZE	     8
#define SECTOR	     512
#define T_IN	     0 /* §5.2.6 request types and statuses */
#define T_GET_ID     8
#define S_OK	     0
#define S_IOERR	     1
#define UNSET	     0xee
#define GUARD	     0x5a
#define CFG_CAPACITY 0
#define SECTOR_WRAPS 0x0080000000000000ull /* x 512 = 2^64: wraps to byte 0 */
#define HDR_OFF	     0x000
#define STATUS_OFF   0x040
#define DATA_OFF     0x200

struct blk_hdr {
	u32 type;
	u32 reserved;
	u64 sector;
};

static u8 *hdr_at(void)
{
	return env.scratch + HDR_OFF;
}

static u8 *status_at(void)
{
	return env.scratch + STATUS_OFF;
}

static u8 *data_at(void)
{
	return env.scratch + DATA_OFF;
}

/* Header (hdr_len readable bytes), data (data_len bytes, writable or not), status byte;
 * returns the status byte after completion, UNSET if none came. */
static u8 request(struct rig *r, u32 type, u64 sector, u32 hdr_len, u32 data_len,
		  bool data_writable)
{
	struct blk_hdr h = {type, 0, sector};
	struct virtq_buf bufs[3] = {{(u32)hdr_at(), hdr_len}};
	unsigned n = 1, nout = 1;
	u32 id, len;

	if (!rig_up(r, 0, QSIZE))
		return UNSET;
	memcpy(hdr_at(), &h, sizeof h);
	*status_at() = UNSET;
	if (data_len) {
		bufs[n++] = (struct virtq_buf){(u32)data_at(), data_len};
		nout += !data_writable;
	}
	bufs[n++] = (struct virtq_buf){(u32)status_at(), 1};
	virtq_add(&r->q[0], bufs, nout, n - nout);
	virtq_kick(&r->q[0]);
	if (!rig_wait_used(r, 0, &id, &len, 100))
		return UNSET;
	return *status_at();
}

static void expect_ioerr(struct rig *r, const char *what, u32 type, u64 sector, u32 hdr_len,
			 u32 data_len)
{
	u8 st = request(r, type, sector, hdr_len, data_len, true);
	report(st == S_IOERR && rig_running(r), "%s: %s: IOERR (status %u)", r->name, what, st);
}

static void no_writable_byte(struct rig *r, struct virtq *q)
{
	struct blk_hdr h = {T_IN, 0, 0};
	(void)r;
	memcpy(hdr_at(), &h, sizeof h);
	set_desc(q, 0, (u32)hdr_at(), sizeof h, VIRTQ_DESC_F_NEXT, 1);
	set_desc(q, 1, (u32)data_at(), SECTOR, 0, 0);
	virtq_publish(q, 0);
}

static bool all(const u8 *p, u8 v, u32 n)
{
	for (u32 i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

void abuse_blk(struct rig *blk)
{
	expect_ioerr(blk, "header of 8 bytes", T_IN, 0, 8, SECTOR);
	expect_ioerr(blk, "IN of 100 bytes (not whole sectors)", T_IN, 0, sizeof(struct blk_hdr),
		     100);
	expect_ioerr(blk, "sector 2^64 - 1", T_IN, ~0ull, sizeof(struct blk_hdr), SECTOR);
	expect_ioerr(blk, "sector 2^55 (its byte offset wraps to 0)", T_IN, SECTOR_WRAPS,
		     sizeof(struct blk_hdr), SECTOR);
	run_fatal(blk, 0, QSIZE, 0, "request with no writable byte for its status",
		  no_writable_byte);

	/* IN whose data buffer is device-readable: only the status byte may change. */
	memset(data_at(), GUARD, SECTOR);
	u8 st = request(blk, T_IN, 0, sizeof(struct blk_hdr), SECTOR, false);
	report(st != UNSET && all(data_at(), GUARD, SECTOR) && rig_running(blk),
	       "%s: IN into a readable buffer leaves it alone (status %u)", blk->name, st);

	/* GET_ID into 4 bytes: 4 bytes of serial, nothing past them. */
	memset(data_at(), GUARD, 2 * SECTOR);
	st = request(blk, T_GET_ID, 0, sizeof(struct blk_hdr), 4, true);
	report(st == S_OK && !all(data_at(), GUARD, 4) && all(data_at() + 4, GUARD, SECTOR),
	       "%s: GET_ID into a 4-byte buffer writes 4 bytes (status %u)", blk->name, st);

	u64 capacity = virtio_cfg_read64(&blk->dev, CFG_CAPACITY);
	mmio_write32(blk->dev.device_cfg + CFG_CAPACITY, 0xffffffffu);
	report(virtio_cfg_read64(&blk->dev, CFG_CAPACITY) == capacity,
	       "%s: writes to the read-only capacity are ignored (%llu sectors)", blk->name,
	       capacity);
	virtio_reset(&blk->dev);
}
