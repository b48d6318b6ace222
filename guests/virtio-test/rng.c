/* virtio-rng (virtio 1.2 §5.4): requests come back holding bytes that vary. The device may
 * return fewer bytes than asked for (§5.4.6), never more. */
#include "guests/lib/report.h"
#include "guests/lib/string.h"
#include "guests/virtio-test/vtest.h"

#define QSIZE	     8
#define REQ_BYTES    64
#define REQUESTS     3
#define MIN_DISTINCT 16 /* distinct values among the returned bytes: fewer is ~impossible */

static struct vdev rng;

/* Distinct byte values among the first `len[i]` bytes of every request. */
static unsigned distinct_bytes(u8 *const *buf, const u32 *len)
{
	bool seen[256] = {false};
	unsigned count = 0;

	for (unsigned r = 0; r < REQUESTS; r++)
		for (u32 i = 0; i < len[r] && i < REQ_BYTES; i++)
			if (!seen[buf[r][i]]) {
				seen[buf[r][i]] = true;
				count++;
			}
	return count;
}

void test_rng(const struct pci_func *f, unsigned slot_index)
{
	u8 *buf[REQUESTS];
	u32 len[REQUESTS] = {0};
	bool ok = true, sized = true;

	if (!vtest_start(&rng, "rng", f, slot_index, VIRTIO_F_EVENT_IDX, 1, QSIZE))
		return;
	for (unsigned i = 0; i < REQUESTS; i++) {
		buf[i] = virtio_alloc(REQ_BYTES, 16);
		struct virtq_buf b[2] = {{(u32)buf[i], REQ_BYTES}};
		unsigned nin = 1;
		if (i + 1 == REQUESTS) { /* the last request in two buffers of one chain */
			b[0].len = REQ_BYTES / 2;
			b[1] = (struct virtq_buf){(u32)buf[i] + REQ_BYTES / 2, REQ_BYTES / 2};
			nin = 2;
		}
		ok = vtest_io(&rng, 0, b, 0, nin, &len[i]) && ok;
		sized = sized && len[i] > 0 && len[i] <= REQ_BYTES;
	}
	report(ok, "rng: %u requests completed", REQUESTS);
	report(sized, "rng: each returned 1..%u bytes (%u, %u, %u)", REQ_BYTES, len[0], len[1],
	       len[2]);
	u32 common = len[0] < len[1] ? len[0] : len[1];
	unsigned d = distinct_bytes(buf, len);
	report(sized && d >= MIN_DISTINCT && memcmp(buf[0], buf[1], common),
	       "rng: bytes vary within and between requests (%u distinct values)", d);
	vtest_report_interrupts(&rng);
	virtio_reset(&rng.dev);
}
