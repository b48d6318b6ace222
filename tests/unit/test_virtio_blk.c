#include "devices/virtio_blk.h"
#include "tests/unit/virtio_harness.h"

#define R	      0
#define N	      VIRTQ_DESC_F_NEXT
#define W	      VIRTQ_DESC_F_WRITE
#define SECTORS	      64
#define HDR	      BUF	     /* request header */
#define DATA	      (BUF + 0xe00)  /* data buffer, crossing into the next page */
#define STATUS	      (BUF + 0x8000) /* status byte */
#define STATUS_POISON 0x77

static struct tmem t;
static struct virtio_blk blk;
static struct tring rq;
static struct irq_log irq;
static uint8_t disk[SECTORS * 512 + 100]; /* a trailing partial sector */
static struct blk_ram ram;

/* A backend that counts flushes and can fail on demand, over the RAM one. */
static struct blk_backend inner;
static unsigned flushes;
static bool fail_io, fail_flush;

static bool wrap_read(void *ctx, uint64_t off, void *dst, uint64_t len)
{
	return !fail_io && inner.read(inner.ctx, off, dst, len);
}

static bool wrap_write(void *ctx, uint64_t off, const void *src, uint64_t len)
{
	return !fail_io && inner.write(inner.ctx, off, src, len);
}

static bool wrap_flush(void *ctx)
{
	flushes++;
	return !fail_flush && inner.flush(inner.ctx);
}

static uint64_t wrap_size(void *ctx)
{
	return inner.size(inner.ctx);
}

static void setup_named(bool read_only, const char *name)
{
	tmem_free(&t);
	tmem_init(&t, TMEM_SIZE);
	for (unsigned i = 0; i < sizeof disk; i++)
		disk[i] = (uint8_t)(i / 512 * 3 + i % 251);
	blk_ram_backend(&inner, &ram, disk, sizeof disk);
	struct blk_backend wrap = {
	    .read = wrap_read, .write = wrap_write, .flush = wrap_flush, .size = wrap_size};
	flushes = 0;
	fail_io = fail_flush = false;
	memset(&blk, 0xa5, sizeof blk);
	virtio_blk_init(&blk, &t.mem, &wrap, read_only, name);
	dev_start(&blk.dev, &t, &rq, &irq, blk.dev.offered, 16);
	gfill(&t, DATA, 0xcc, 0x2000);
	gfill(&t, STATUS, STATUS_POISON, 1);
}

static void setup(bool read_only)
{
	setup_named(read_only, "disk0.img");
}

/* Writes a request header, and poisons the status byte so each request must write it. */
static void header(uint32_t type, uint64_t sector)
{
	gfill(&t, STATUS, STATUS_POISON, 1);
	gwn(&t, HDR, type, 4);
	gwn(&t, HDR + 4, 0, 4);
	gwn(&t, HDR + 8, sector, 8);
}

/* The usual three-descriptor request: header, data (`len` bytes, writable for reads), status. */
static void request(uint32_t type, uint64_t sector, uint32_t len, bool data_writable)
{
	header(type, sector);
	ring_desc(&rq, 0, HDR, 16, R | N, 1);
	ring_desc(&rq, 1, DATA, len, (data_writable ? W : R) | N, 2);
	ring_desc(&rq, 2, STATUS, 1, W, 0);
	ring_post(&rq, 0);
}

/* Header and status only. */
static void request_nodata(uint32_t type, uint64_t sector)
{
	header(type, sector);
	ring_desc(&rq, 0, HDR, 16, R | N, 2);
	ring_desc(&rq, 2, STATUS, 1, W, 0);
	ring_post(&rq, 0);
}

static void run_one(uint8_t status, uint32_t used_len)
{
	uint16_t before = ring_used_idx(&rq);
	CHECK_EQ(virtio_notify(&blk.dev, 0), VIRTIO_IDLE);
	CHECK_EQ(ring_used_idx(&rq), (uint16_t)(before + 1));
	CHECK_EQ(ring_used_id(&rq, before), 0);
	CHECK_EQ(ring_used_len(&rq, before), used_len);
	CHECK_EQ(grn(&t, STATUS, 1), status);
}

TEST(identity_features_and_config)
{
	setup(false);
	CHECK_EQ(blk.dev.device_id, 2);
	CHECK_EQ(blk.dev.offered,
		 (1ull << 32) | (1ull << 29) | (1ull << 28) | (1u << 9) | (1u << 6) | (1u << 2));
	CHECK_EQ(blk.dev.nqueues, 1);
	uint8_t cfg[32];
	virtio_config_read(&blk.dev, 0, cfg, sizeof cfg);
	uint64_t capacity = 0;
	for (unsigned i = 0; i < 8; i++)
		capacity |= (uint64_t)cfg[i] << (8 * i);
	CHECK_EQ(capacity, SECTORS);
	CHECK_EQ(cfg[12] | cfg[13] << 8 | cfg[14] << 16 | cfg[15] << 24, VIRTIO_QUEUE_SIZE - 2);
	CHECK_EQ(cfg[20] | cfg[21] << 8 | cfg[22] << 16 | cfg[23] << 24, 512);
	for (unsigned i = 24; i < 32; i++)
		CHECK_EQ(cfg[i], 0);
	setup(true);
	CHECK(blk.dev.offered & (1u << 5));
}

static uint64_t huge_size(void *ctx)
{
	return 0x123456789abull * 512 + 7;
}

TEST(capacity_above_32_bits)
{
	tmem_free(&t);
	tmem_init(&t, TMEM_SIZE);
	struct blk_backend huge = {.size = huge_size};
	virtio_blk_init(&blk, &t.mem, &huge, true, "big");
	uint8_t cfg[8];
	virtio_config_read(&blk.dev, 0, cfg, sizeof cfg);
	static const uint8_t want[8] = {0xab, 0x89, 0x67, 0x45, 0x23, 0x01, 0, 0};
	CHECK(memcmp(cfg, want, sizeof cfg) == 0);
	CHECK_EQ(blk.capacity, 0x123456789abull);
}

TEST(read_sectors)
{
	setup(false);
	request(VIRTIO_BLK_T_IN, 2, 1024, true);
	run_one(VIRTIO_BLK_S_OK, 1025);
	uint8_t got[1024];
	gr(&t, DATA, got, sizeof got);
	CHECK(memcmp(got, disk + 1024, sizeof got) == 0);
	CHECK_EQ(grn(&t, DATA + 1024, 1), 0xcc);
	CHECK_EQ(irq.used[0], 1);
}

TEST(read_the_last_sector_through_split_buffers)
{
	setup(false);
	header(VIRTIO_BLK_T_IN, SECTORS - 1);
	/* Header split in two, data in three pieces, status sharing the last data buffer. */
	ring_desc(&rq, 0, HDR, 10, R | N, 1);
	ring_desc(&rq, 1, HDR + 10, 6, R | N, 2);
	ring_desc(&rq, 2, DATA, 100, W | N, 3);
	ring_desc(&rq, 3, DATA + 0x1000, 300, W | N, 4);
	ring_desc(&rq, 4, STATUS - 112, 113, W, 0);
	ring_post(&rq, 0);
	run_one(VIRTIO_BLK_S_OK, 513);
	const uint8_t *want = disk + (SECTORS - 1) * 512;
	uint8_t got[300];
	gr(&t, DATA, got, 100);
	CHECK(memcmp(got, want, 100) == 0);
	gr(&t, DATA + 0x1000, got, 300);
	CHECK(memcmp(got, want + 100, 300) == 0);
	uint8_t tail[112];
	gr(&t, STATUS - 112, tail, 112);
	CHECK(memcmp(tail, want + 400, 112) == 0);
}

TEST(write_sectors)
{
	setup(false);
	uint8_t data[512];
	for (unsigned i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(0xf0 ^ i);
	gw(&t, DATA, data, sizeof data);
	uint8_t before[512];
	memcpy(before, disk + 6 * 512, 512);
	request(VIRTIO_BLK_T_OUT, 5, 512, false);
	run_one(VIRTIO_BLK_S_OK, 1);
	CHECK(memcmp(disk + 5 * 512, data, 512) == 0);
	CHECK(memcmp(disk + 6 * 512, before, 512) == 0);
	CHECK_EQ(grn(&t, DATA, 1), data[0]); /* the guest buffer is unchanged */
}

TEST(read_only_disk_refuses_writes)
{
	setup(true);
	uint8_t before[512];
	memcpy(before, disk, sizeof before);
	gfill(&t, DATA, 0x5a, 512);
	request(VIRTIO_BLK_T_OUT, 0, 512, false);
	run_one(VIRTIO_BLK_S_IOERR, 1);
	CHECK(memcmp(disk, before, sizeof before) == 0);
	request(VIRTIO_BLK_T_IN, 0, 512, true); /* reads still work */
	run_one(VIRTIO_BLK_S_OK, 513);
}

TEST(out_of_range_is_ioerr)
{
	static const struct {
		uint64_t sector;
		uint32_t len;
	} bad[] = {
	    {SECTORS - 1, 1024},	  /* runs one sector past the end */
	    {SECTORS, 512},		  /* starts at the end */
	    {0xffffffffffffffffull, 512}, /* sector * 512 overflows */
	    {0x0080000000000000ull, 512}, /* so does this one, to a small offset */
	};
	for (unsigned k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		setup(false);
		request(VIRTIO_BLK_T_IN, bad[k].sector, bad[k].len, true);
		run_one(VIRTIO_BLK_S_IOERR, 1);
		CHECK_EQ(grn(&t, DATA, 1), 0xcc);
		uint8_t before[sizeof disk];
		memcpy(before, disk, sizeof disk);
		request(VIRTIO_BLK_T_OUT, bad[k].sector, bad[k].len, false);
		run_one(VIRTIO_BLK_S_IOERR, 1);
		CHECK(memcmp(before, disk, sizeof disk) == 0);
	}
	setup(false); /* the trailing partial sector is not part of the disk */
	request(VIRTIO_BLK_T_IN, SECTORS, 0, true);
	run_one(VIRTIO_BLK_S_OK, 1);
}

TEST(partial_sectors_are_ioerr)
{
	setup(false);
	request(VIRTIO_BLK_T_IN, 0, 511, true);
	run_one(VIRTIO_BLK_S_IOERR, 1);
	CHECK_EQ(grn(&t, DATA, 1), 0xcc);
	request(VIRTIO_BLK_T_OUT, 0, 513, false);
	run_one(VIRTIO_BLK_S_IOERR, 1);
}

TEST(flush)
{
	setup(false);
	request_nodata(VIRTIO_BLK_T_FLUSH, 12345);
	run_one(VIRTIO_BLK_S_OK, 1);
	CHECK_EQ(flushes, 1);
	fail_flush = true;
	request_nodata(VIRTIO_BLK_T_FLUSH, 0);
	run_one(VIRTIO_BLK_S_IOERR, 1);
	CHECK_EQ(flushes, 2);
}

TEST(get_id_is_the_nul_padded_name)
{
	setup(false);
	request(VIRTIO_BLK_T_GET_ID, 0, 20, true);
	run_one(VIRTIO_BLK_S_OK, 21);
	char id[21] = {0};
	gr(&t, DATA, id, 20);
	CHECK_STR(id, "disk0.img");
	for (unsigned i = 9; i < 20; i++)
		CHECK_EQ(id[i], 0);
	CHECK_EQ(grn(&t, DATA + 20, 1), 0xcc);
	/* A longer buffer still gets 20 bytes; a shorter one what fits. */
	request(VIRTIO_BLK_T_GET_ID, 0, 64, true);
	run_one(VIRTIO_BLK_S_OK, 21);
	request(VIRTIO_BLK_T_GET_ID, 0, 4, true);
	run_one(VIRTIO_BLK_S_OK, 5);
	setup_named(false, "a-very-long-image-name.img");
	request(VIRTIO_BLK_T_GET_ID, 0, 20, true);
	run_one(VIRTIO_BLK_S_OK, 21);
	memset(id, 0, sizeof id);
	gr(&t, DATA, id, 20);
	CHECK_STR(id, "a-very-long-image-na");
}

TEST(other_types_are_unsupported)
{
	static const uint32_t types[] = {2, 3, 11, 13, 0x80000000u, 0xffffffffu};
	for (unsigned k = 0; k < sizeof types / sizeof types[0]; k++) {
		setup(false);
		request(types[k], 0, 512, true);
		run_one(VIRTIO_BLK_S_UNSUPP, 1);
		CHECK_EQ(grn(&t, DATA, 1), 0xcc);
	}
}

TEST(short_header_is_ioerr)
{
	setup(false);
	header(VIRTIO_BLK_T_IN, 0);
	ring_desc(&rq, 0, HDR, 15, R | N, 1);
	ring_desc(&rq, 1, DATA, 512, W | N, 2);
	ring_desc(&rq, 2, STATUS, 1, W, 0);
	ring_post(&rq, 0);
	run_one(VIRTIO_BLK_S_IOERR, 1);
	CHECK_EQ(grn(&t, DATA, 1), 0xcc);
}

TEST(backend_errors_are_ioerr)
{
	setup(false);
	fail_io = true;
	request(VIRTIO_BLK_T_IN, 0, 512, true);
	run_one(VIRTIO_BLK_S_IOERR, 1);
	request(VIRTIO_BLK_T_OUT, 0, 512, false);
	run_one(VIRTIO_BLK_S_IOERR, 1);
}

TEST(no_status_byte_needs_reset)
{
	setup(false);
	header(VIRTIO_BLK_T_IN, 0);
	ring_desc(&rq, 0, HDR, 16, R | N, 1);
	ring_desc(&rq, 1, DATA, 512, R, 0);
	ring_post(&rq, 0);
	CHECK_EQ(virtio_notify(&blk.dev, 0), VIRTIO_FAILED);
	CHECK(blk.dev.status & VIRTIO_STATUS_NEEDS_RESET);
	CHECK_EQ(irq.config, 1);
	CHECK_EQ(ring_used_idx(&rq), 0);
}

TEST(linux_style_indirect_request)
{
	setup(false);
	const uint64_t table = 0x90000;
	header(VIRTIO_BLK_T_IN, 7);
	desc_at(&t, table, 0, HDR, 16, R | N, 1);
	desc_at(&t, table, 1, DATA, 4096, W | N, 2);
	desc_at(&t, table, 2, STATUS, 1, W, 0);
	ring_desc(&rq, 3, table, 48, VIRTQ_DESC_F_INDIRECT, 0);
	ring_post(&rq, 3);
	CHECK_EQ(virtio_notify(&blk.dev, 0), VIRTIO_IDLE);
	CHECK_EQ(ring_used_id(&rq, 0), 3);
	CHECK_EQ(ring_used_len(&rq, 0), 4097);
	CHECK_EQ(grn(&t, STATUS, 1), VIRTIO_BLK_S_OK);
	uint8_t got[4096];
	gr(&t, DATA, got, sizeof got);
	CHECK(memcmp(got, disk + 7 * 512, sizeof got) == 0);
}

CHECK_MAIN("virtio_blk", CASE(identity_features_and_config), CASE(capacity_above_32_bits),
	   CASE(read_sectors), CASE(read_the_last_sector_through_split_buffers),
	   CASE(write_sectors), CASE(read_only_disk_refuses_writes), CASE(out_of_range_is_ioerr),
	   CASE(partial_sectors_are_ioerr), CASE(flush), CASE(get_id_is_the_nul_padded_name),
	   CASE(other_types_are_unsupported), CASE(short_header_is_ioerr),
	   CASE(backend_errors_are_ioerr), CASE(no_status_byte_needs_reset),
	   CASE(linux_style_indirect_request))
