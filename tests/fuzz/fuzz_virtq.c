/* The split-virtqueue engine (devices/virtq.c) against a hostile driver: the input lays out
 * a queue anywhere (in RAM, across its end, past it), writes descriptors, avail entries and
 * indexes at will between the device's pops, pushes and copies. Checked on every step:
 * nothing outside guest RAM is touched (fuzz_gmem.h); a chain's segments are non-empty, lie
 * in RAM, readable ones first, add up to its lengths and number at most the queue size; a
 * pop reads a bounded number of guest pages and the device takes at most a queue's worth of
 * chains before the driver writes again; a broken queue stays broken until reset; a used
 * element holds the head and the clamped length. */
#include "devices/virtq.h"
#include "tests/fuzz/fuzz_gmem.h"

#define MAX_SIZE 256
#define OPS_MAX	 4096

static struct virtq_seg segs[MAX_SIZE];

static void check_chain(const struct virtq *q, const struct virtq_chain *c)
{
	FUZZ_CHECK(c->head < q->size);
	FUZZ_CHECK(c->nseg <= q->size && c->nread <= c->nseg);
	uint64_t rd = 0, wr = 0;
	for (unsigned i = 0; i < c->nseg; i++) {
		const struct virtq_seg *s = &c->seg[i];
		FUZZ_CHECK(s->len > 0);
		FUZZ_CHECK(gmem_in_ram(q->mem, s->gpa, s->len));
		FUZZ_CHECK(s->write == (i >= c->nread));
		if (s->write)
			wr += s->len;
		else
			rd += s->len;
	}
	FUZZ_CHECK(rd == c->read_len && wr == c->write_len);
	FUZZ_CHECK(rd + wr < (1ull << 32));
}

static bool count_bytes(void *ctx, void *p, uint64_t len)
{
	(void)p;
	*(uint64_t *)ctx += len;
	return true;
}

/* Copies and walks inside the chain's streams: never more than asked or than the stream. */
static void check_copies(struct fuzz_input *in, const struct virtq *q, const struct virtq_chain *c)
{
	static uint8_t buf[1 << 16];
	uint64_t off = fuzz_u32(in) % ((uint64_t)c->read_len + c->write_len + 2);
	uint64_t n = fuzz_u16(in);
	uint64_t got = virtq_read(q, c, off, buf, n);
	FUZZ_CHECK(got <= n && got <= (off < c->read_len ? c->read_len - off : 0));
	got = virtq_write(q, c, off, buf, n);
	FUZZ_CHECK(got <= n && got <= (off < c->write_len ? c->write_len - off : 0));
	uint64_t walked = 0;
	bool writable = fuzz_bool(in);
	if (virtq_for_each(q, c, writable, off, n, count_bytes, &walked))
		FUZZ_CHECK(walked == n);
	else
		FUZZ_CHECK(walked == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = fuzz_input(data, size);
	struct fuzz_gmem g;
	uint64_t ram = GMEM_PAGE_SIZE * (1 + fuzz_below(&in, FUZZ_GMEM_PAGES));
	if (fuzz_bool(&in))
		ram -= fuzz_u16(&in) % GMEM_PAGE_SIZE; /* RAM that ends inside a page */
	fuzz_gmem_init(&g, ram);
	struct virtq q;
	virtq_init(&q, &g.mem, segs, MAX_SIZE);
	unsigned since_write = 0;
	bool popped = false;
	struct virtq_chain chain;
	for (unsigned op = 0; op < OPS_MAX && fuzz_more(&in); op++) {
		switch (fuzz_below(&in, 8)) {
		case 0: /* the transport programs and enables the queue */
			virtq_reset(&q);
			q.size =
			    fuzz_bool(&in) ? (uint16_t)(1u << fuzz_below(&in, 10)) : fuzz_u16(&in);
			q.desc_gpa = fuzz_gpa(&in, ram);
			q.avail_gpa = fuzz_gpa(&in, ram);
			q.used_gpa = fuzz_gpa(&in, ram);
			q.indirect = fuzz_bool(&in);
			q.event_idx = fuzz_bool(&in);
			if (virtq_enable(&q)) {
				FUZZ_CHECK(q.size && !(q.size & (q.size - 1)) &&
					   q.size <= MAX_SIZE);
				FUZZ_CHECK(gmem_in_ram(&g.mem, q.desc_gpa, (uint64_t)q.size * 16));
			}
			popped = false;
			since_write = 0;
			break;
		case 1:
		case 2: { /* the driver writes anything anywhere in RAM */
			unsigned bytes = fuzz_width(&in, 8);
			uint64_t at =
			    fuzz_bool(&in) ? q.avail_gpa + fuzz_below(&in, 8) : fuzz_u32(&in) % ram;
			fuzz_gmem_write(&g, at, fuzz_u64(&in), bytes);
			since_write = 0;
			break;
		}
		case 3:
		case 4: {
			bool broken = q.broken;
			uint64_t before = g.translations;
			enum virtq_pop_result r = virtq_pop(&q, &chain);
			FUZZ_CHECK(g.translations - before <= 4ull * q.size + 16);
			if (broken)
				FUZZ_CHECK(r == VIRTQ_FATAL);
			popped = r == VIRTQ_CHAIN;
			if (r == VIRTQ_CHAIN) {
				check_chain(&q, &chain);
				FUZZ_CHECK(++since_write <= q.size);
			}
			break;
		}
		case 5:
			if (popped) {
				uint32_t written = fuzz_u32(&in);
				uint16_t idx = q.used_idx;
				if (virtq_push(&q, &chain, written)) {
					uint64_t at = q.used_gpa + VIRTQ_USED_RING +
						      (uint64_t)(idx % q.size) * VIRTQ_USED_ELEM;
					uint32_t len =
					    written < chain.write_len ? written : chain.write_len;
					FUZZ_CHECK(fuzz_gmem_read(&g, at, 4) == chain.head);
					FUZZ_CHECK(fuzz_gmem_read(&g, at + 4, 4) == len);
					FUZZ_CHECK(q.used_idx == (uint16_t)(idx + 1));
				}
				popped = false;
			}
			break;
		case 6:
			if (popped)
				check_copies(&in, &q, &chain);
			break;
		default:
			if (popped && fuzz_bool(&in)) {
				virtq_unpop(&q);
				popped = false;
				since_write = since_write ? since_write - 1 : 0;
			} else {
				(void)virtq_need_notify(&q);
			}
			break;
		}
	}
	fuzz_gmem_free(&g);
	return 0;
}
