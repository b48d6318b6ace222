/* virtio-blk (virtio 1.2 §5.2): configuration, serial, reads of the original image, writes
 * read back, flush, the error statuses, a read-only disk, an indirect request, and once the
 * MSI-X vector mask with its pending bit. */
#include "guests/lib/lapic.h"
#include "guests/lib/printf.h"
#include "guests/lib/report.h"
#include "guests/lib/string.h"
#include "guests/lib/tsc.h"
#include "guests/lib/x86.h"
#include "guests/virtio-test/vtest.h"

#define VIRTIO_BLK_F_SEG_MAX	(1ull << 2) /* §5.2.3 feature bits */
#define VIRTIO_BLK_F_RO		(1ull << 5)
#define VIRTIO_BLK_F_BLK_SIZE	(1ull << 6)
#define VIRTIO_BLK_F_FLUSH	(1ull << 9)
#define VIRTIO_BLK_CFG_CAPACITY 0  /* le64, in 512-byte sectors */
#define VIRTIO_BLK_CFG_BLK_SIZE 20 /* le32 */
#define VIRTIO_BLK_T_IN		0  /* §5.2.6 request types */
#define VIRTIO_BLK_T_OUT	1
#define VIRTIO_BLK_T_FLUSH	4
#define VIRTIO_BLK_T_GET_ID	8
#define VIRTIO_BLK_S_OK		0 /* request status */
#define VIRTIO_BLK_S_IOERR	1
#define VIRTIO_BLK_S_UNSUPP	2
#define VIRTIO_BLK_ID_BYTES	20
#define BLK_TYPE_UNKNOWN	0x55 /* no such request type */
#define STATUS_UNSET		0xee /* what a status byte holds until the device writes it */

#define QSIZE	    16
#define MAX_SECTORS 2 /* per request here */
#define MAX_PARTS   3 /* data buffers per request here */
/* Two sectors in three buffers of these sizes, the middle one across a page boundary. */
#define SPLIT_SECTOR 40
#define SPLIT_A	     100
#define SPLIT_B	     500
#define SPLIT_START  (4096 - SPLIT_A - SPLIT_B / 2) /* offset in a two-page buffer */
/* Sectors the test writes (one request of two at WRITE_PAIR) and one it never writes. */
#define WRITE_FIRST 1
#define WRITE_PAIR  17
#define WRITE_LAST  (VTEST_DISK_SECTORS - 1)
#define UNTOUCHED   3

struct blk_hdr {
	u32 type;
	u32 reserved;
	u64 sector;
};

static struct vdev blk;
static struct blk_hdr *hdr;
static u8 *data, *expect, *status, *span;
static struct virtq_desc *indirect;

/* The image's sector as guests/virtio-test/mkdisk wrote it. */
static void original_sector(const char *name, u32 sector, u8 *out)
{
	memset(out, '.', SECTOR_SIZE);
	int n = snprintf((char *)out, SECTOR_SIZE, "mhv-disk %s sector %u", name, sector);
	out[n] = '.';
	out[SECTOR_SIZE - 1] = '\n';
}

static void pattern(u32 sector, u8 *out, u32 len)
{
	for (u32 i = 0; i < len; i++)
		out[i] = (u8)(sector * 13 + i * 7 + (u8)vtest.role);
}

/* One request: header, the data in nparts buffers (device-writable for reads), status.
 * Returns the status byte, STATUS_UNSET if the device never wrote it; *used gets the used
 * length. */
static u8 request_parts(u32 type, u64 sector, const struct virtq_buf *parts, unsigned nparts,
			bool data_in, u32 *used)
{
	struct virtq_buf bufs[2 + MAX_PARTS] = {{(u32)hdr, sizeof *hdr}};
	unsigned n = 1;

	*hdr = (struct blk_hdr){.type = type, .sector = sector};
	*status = STATUS_UNSET;
	*used = 0;
	for (unsigned i = 0; i < nparts; i++)
		bufs[n++] = parts[i];
	bufs[n++] = (struct virtq_buf){(u32)status, 1};
	unsigned nout = data_in ? 1 : 1 + nparts;
	if (!vtest_io(&blk, 0, bufs, nout, n - nout, used))
		return STATUS_UNSET;
	return *status;
}

/* The same with `len` bytes of data in `data` (none if len is 0). */
static u8 request(u32 type, u64 sector, u32 len, bool data_in, u32 *used)
{
	struct virtq_buf part = {(u32)data, len};
	return request_parts(type, sector, &part, len ? 1 : 0, data_in, used);
}

static bool read_sectors(u32 sector, u32 count)
{
	u32 used;
	memset(data, 0, SECTOR_SIZE * count);
	return request(VIRTIO_BLK_T_IN, sector, SECTOR_SIZE * count, true, &used) ==
		   VIRTIO_BLK_S_OK &&
	       used == SECTOR_SIZE * count + 1;
}

static void check_config(const struct vtest_disk *disk)
{
	u64 capacity = virtio_cfg_read64(&blk.dev, VIRTIO_BLK_CFG_CAPACITY);
	u32 blk_size = virtio_cfg_read32(&blk.dev, VIRTIO_BLK_CFG_BLK_SIZE);
	u64 offered = virtio_device_features(&blk.dev);

	report(capacity == VTEST_DISK_SECTORS, "%s: capacity %llu sectors (want %u)", blk.name,
	       capacity, VTEST_DISK_SECTORS);
	report((blk.dev.features & VIRTIO_BLK_F_BLK_SIZE) && blk_size == SECTOR_SIZE,
	       "%s: blk_size %u", blk.name, blk_size);
	report(!!(offered & VIRTIO_BLK_F_RO) == disk->ro, "%s: RO feature %s", blk.name,
	       disk->ro ? "offered" : "not offered");
}

static void check_serial(const struct vtest_disk *disk)
{
	char want[VIRTIO_BLK_ID_BYTES] = {0};
	u32 used, n = strlen(disk->name);

	memcpy(want, disk->name, n < sizeof want ? n : sizeof want);
	memset(data, 0xff, VIRTIO_BLK_ID_BYTES);
	u8 st = request(VIRTIO_BLK_T_GET_ID, 0, VIRTIO_BLK_ID_BYTES, true, &used);
	report(st == VIRTIO_BLK_S_OK && !memcmp(data, want, sizeof want) &&
		   used == VIRTIO_BLK_ID_BYTES + 1,
	       "%s: GET_ID serial is '%s' (status %u, used %u)", blk.name, disk->name, st, used);
}

static void check_original(const struct vtest_disk *disk, u32 sector)
{
	original_sector(disk->name, sector, expect);
	report(read_sectors(sector, 1) && !memcmp(data, expect, SECTOR_SIZE),
	       "%s: sector %u holds the image's original bytes", blk.name, sector);
}

static bool write_pattern(u32 sector, u32 count)
{
	u32 used;
	pattern(sector, data, SECTOR_SIZE * count);
	return request(VIRTIO_BLK_T_OUT, sector, SECTOR_SIZE * count, false, &used) ==
		   VIRTIO_BLK_S_OK &&
	       used == 1;
}

/* Data in three odd-sized buffers, one across a page boundary: written that way, read back
 * whole; written whole, read back that way. */
static void check_split(void)
{
	u32 len = MAX_SECTORS * SECTOR_SIZE, used, used2;
	u32 at = (u32)span + SPLIT_START;
	struct virtq_buf parts[MAX_PARTS] = {{at, SPLIT_A},
					     {at + SPLIT_A, SPLIT_B},
					     {at + SPLIT_A + SPLIT_B, len - SPLIT_A - SPLIT_B}};

	pattern(SPLIT_SECTOR, (u8 *)at, len);
	u8 st = request_parts(VIRTIO_BLK_T_OUT, SPLIT_SECTOR, parts, MAX_PARTS, false, &used);
	pattern(SPLIT_SECTOR, expect, len);
	bool whole = read_sectors(SPLIT_SECTOR, MAX_SECTORS) && !memcmp(data, expect, len);
	report(st == VIRTIO_BLK_S_OK && used == 1 && whole,
	       "%s: OUT from three buffers across a page boundary reads back whole", blk.name);

	pattern(SPLIT_SECTOR + MAX_SECTORS, data, len);
	st = request(VIRTIO_BLK_T_OUT, SPLIT_SECTOR + MAX_SECTORS, len, false, &used);
	memset((u8 *)at, 0, len);
	u8 st2 = request_parts(VIRTIO_BLK_T_IN, SPLIT_SECTOR + MAX_SECTORS, parts, MAX_PARTS, true,
			       &used2);
	pattern(SPLIT_SECTOR + MAX_SECTORS, expect, len);
	report(st == VIRTIO_BLK_S_OK && st2 == VIRTIO_BLK_S_OK && used2 == len + 1 &&
		   !memcmp((u8 *)at, expect, len),
	       "%s: IN into three buffers across a page boundary (used %u)", blk.name, used2);
}

static void check_writes(const struct vtest_disk *disk)
{
	static const u32 at[] = {WRITE_FIRST, WRITE_PAIR, WRITE_LAST};
	static const u32 count[] = {1, MAX_SECTORS, 1};
	bool wrote = true, same = true;

	for (unsigned i = 0; i < 3; i++)
		wrote = write_pattern(at[i], count[i]) && wrote;
	report(wrote, "%s: OUT of sectors %u, %u-%u and %u: status OK", blk.name, WRITE_FIRST,
	       WRITE_PAIR, WRITE_PAIR + 1, WRITE_LAST);
	for (unsigned i = 0; i < 3; i++) {
		pattern(at[i], expect, SECTOR_SIZE * count[i]);
		same = read_sectors(at[i], count[i]) &&
		       !memcmp(data, expect, SECTOR_SIZE * count[i]) && same;
	}
	report(same, "%s: IN reads every written pattern back", blk.name);
	check_original(disk, WRITE_FIRST + 1);

	u32 used;
	u8 st = request(VIRTIO_BLK_T_FLUSH, 0, 0, false, &used);
	report(st == VIRTIO_BLK_S_OK && used == 1, "%s: FLUSH status %u", blk.name, st);
	check_split();
}

static void check_errors(void)
{
	u32 used;
	u8 st = request(VIRTIO_BLK_T_IN, VTEST_DISK_SECTORS, SECTOR_SIZE, true, &used);
	report(st == VIRTIO_BLK_S_IOERR, "%s: IN at the capacity: IOERR (status %u)", blk.name, st);
	st = request(VIRTIO_BLK_T_IN, VTEST_DISK_SECTORS - 1, 2 * SECTOR_SIZE, true, &used);
	report(st == VIRTIO_BLK_S_IOERR, "%s: IN across the end: IOERR (status %u)", blk.name, st);
	st = request(BLK_TYPE_UNKNOWN, 0, 0, false, &used);
	report(st == VIRTIO_BLK_S_UNSUPP, "%s: type 0x%x: UNSUPP (status %u)", blk.name,
	       BLK_TYPE_UNKNOWN, st);
}

static void check_read_only(const struct vtest_disk *disk)
{
	u32 used;
	pattern(UNTOUCHED + 1, data, SECTOR_SIZE);
	u8 st = request(VIRTIO_BLK_T_OUT, UNTOUCHED + 1, SECTOR_SIZE, false, &used);
	report(st == VIRTIO_BLK_S_IOERR, "%s: OUT to a read-only disk: IOERR (status %u)", blk.name,
	       st);
	check_original(disk, UNTOUCHED + 1);
}

/* A read through an indirect table: header, data and status all in the table. */
static void check_indirect(const struct vtest_disk *disk)
{
	struct virtq *q = &blk.q[0];
	u32 id, used = 0, seen = lapic_irq_count[vtest_queue_vector(&blk, 0)];

	*hdr = (struct blk_hdr){.type = VIRTIO_BLK_T_IN, .sector = UNTOUCHED};
	*status = STATUS_UNSET;
	memset(data, 0, SECTOR_SIZE);
	indirect[0] = (struct virtq_desc){(u32)hdr, sizeof *hdr, VIRTQ_DESC_F_NEXT, 1};
	indirect[1] =
	    (struct virtq_desc){(u32)data, SECTOR_SIZE, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 2};
	indirect[2] = (struct virtq_desc){(u32)status, 1, VIRTQ_DESC_F_WRITE, 0};
	struct virtq_buf table = {(u32)indirect, 3 * sizeof *indirect};
	int head = virtq_add(q, &table, 1, 0);
	q->desc[head].flags = VIRTQ_DESC_F_INDIRECT;
	virtq_kick(q);
	bool done = virtq_wait_used(q, &id, &used, 1000);
	vtest_wait_irq(vtest_queue_vector(&blk, 0), seen, 10);
	original_sector(disk->name, UNTOUCHED, expect);
	report(done && id == (u32)head && *status == VIRTIO_BLK_S_OK && used == SECTOR_SIZE + 1 &&
		   !memcmp(data, expect, SECTOR_SIZE),
	       "%s: IN through an indirect descriptor table (used %u)", blk.name, used);
}

/* A read of an untouched sector that is not expected to interrupt; true once it completed. */
static bool quiet_read(u8 vector, u32 seen)
{
	struct virtq *q = &blk.q[0];
	struct virtq_buf bufs[3] = {
	    {(u32)hdr, sizeof *hdr}, {(u32)data, SECTOR_SIZE}, {(u32)status, 1}};
	u32 id, used;

	*hdr = (struct blk_hdr){.type = VIRTIO_BLK_T_IN, .sector = UNTOUCHED};
	virtq_add(q, bufs, 1, 2);
	virtq_kick(q);
	return virtq_wait_used(q, &id, &used, 1000) && !vtest_wait_irq(vector, seen, 10);
}

/* PCI 3.0 6.8.2: a masked vector's message, or any message while the function mask is set,
 * waits in its pending bit and goes out once when unmasked. §2.7.7: with NO_INTERRUPT in
 * avail.flags (and no EVENT_IDX) the device should not interrupt. */
static void check_masking(void)
{
	u8 vector = vtest_queue_vector(&blk, 0);
	u16 entry = VTEST_QUEUE_ENTRY(0);
	u32 seen = lapic_irq_count[vector];

	virtio_msix_mask(&blk.dev, entry, true);
	bool quiet = quiet_read(vector, seen);
	bool pending = virtio_msix_pending(&blk.dev, entry);
	report(quiet && pending,
	       "msix: a masked vector sends nothing and sets its pending bit (%s)",
	       pending ? "pending" : "not pending");
	virtio_msix_mask(&blk.dev, entry, false);
	bool came = vtest_wait_irq(vector, seen, 10);
	report(came && lapic_irq_count[vector] == seen + 1 && !virtio_msix_pending(&blk.dev, entry),
	       "msix: unmasking delivers it once and clears the pending bit (%u interrupts)",
	       lapic_irq_count[vector] - seen);

	seen = lapic_irq_count[vector];
	virtio_msix_function_mask(&blk.dev, true);
	quiet = quiet_read(vector, seen);
	pending = virtio_msix_pending(&blk.dev, entry);
	virtio_msix_function_mask(&blk.dev, false);
	came = vtest_wait_irq(vector, seen, 10);
	report(quiet && pending && came && lapic_irq_count[vector] == seen + 1 &&
		   !virtio_msix_pending(&blk.dev, entry),
	       "msix: the function mask holds the message pending until it is cleared");

	seen = lapic_irq_count[vector];
	blk.q[0].avail->flags = VIRTQ_AVAIL_F_NO_INTERRUPT;
	quiet = quiet_read(vector, seen);
	blk.q[0].avail->flags = 0;
	report(quiet && !virtio_msix_pending(&blk.dev, entry),
	       "virtq: avail.flags NO_INTERRUPT: the completion comes without an interrupt");
}

void test_blk(const struct pci_func *f, unsigned slot_index, const struct vtest_disk *disk,
	      bool check_mask)
{
	static char name[8];

	if (!hdr) {
		hdr = virtio_alloc(sizeof *hdr, 16);
		data = virtio_alloc(SECTOR_SIZE * MAX_SECTORS, 4096);
		expect = virtio_alloc(SECTOR_SIZE * MAX_SECTORS, 16);
		status = virtio_alloc(1, 1);
		indirect = virtio_alloc(4 * sizeof *indirect, 16);
		span = virtio_alloc(2 * 4096, 4096);
	}
	memset(&blk, 0, sizeof blk);
	snprintf(name, sizeof name, "blk%u", slot_index - 1);
	u64 want = VIRTIO_BLK_F_SEG_MAX | VIRTIO_BLK_F_BLK_SIZE | VIRTIO_BLK_F_FLUSH |
		   VIRTIO_F_INDIRECT_DESC | (disk->ro ? VIRTIO_BLK_F_RO : 0);
	if (!vtest_start(&blk, name, f, slot_index, want, 1, QSIZE))
		return;
	check_config(disk);
	check_serial(disk);
	check_original(disk, UNTOUCHED);
	if (disk->ro)
		check_read_only(disk);
	else
		check_writes(disk);
	check_errors();
	vtest_report_interrupts(&blk);
	check_indirect(disk);
	if (check_mask)
		check_masking();
	virtio_reset(&blk.dev);
}
