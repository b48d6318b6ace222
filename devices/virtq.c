/* Split virtqueue engine; the rules it enforces are listed in devices/virtq.h.
 *
 * Ring fields are reached through host pointers translated on every access: the areas were
 * checked at enable time, but going through guest_mem each time keeps a single path that can
 * only ever see RAM. The 16- and 32-bit fields are naturally aligned (enable checks the area
 * alignment), so each lies within one page and is read or written as a single access. */
#include "devices/virtq.h"
#include "kernel/kstring.h"
#include <stddef.h>

/* struct virtq_desc as the guest lays it out (little-endian, like the host). */
struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};
_Static_assert(sizeof(struct desc) == VIRTQ_DESC_SIZE, "virtq_desc is 16 bytes");

/* Largest chain total: §2.7.5.1 forbids more than 2^32 bytes; one less keeps every length and
 * used.len a 32-bit value. */
#define CHAIN_BYTES_MAX 0xffffffffull

static void *field(struct virtq *q, uint64_t gpa, uint64_t len)
{
	void *p = gmem_ptr(q->mem, gpa, len);
	if (!p)
		q->broken = true;
	return p;
}

/* The driver's fields may change under us at any time: one load each, never re-read. */
static bool load16(struct virtq *q, uint64_t gpa, uint16_t *v)
{
	uint16_t *p = field(q, gpa, sizeof *v);
	if (p)
		*v = __atomic_load_n(p, __ATOMIC_ACQUIRE);
	return p != NULL;
}

static bool store16(struct virtq *q, uint64_t gpa, uint16_t v)
{
	uint16_t *p = field(q, gpa, sizeof v);
	if (p)
		__atomic_store_n(p, v, __ATOMIC_RELEASE);
	return p != NULL;
}

static bool store32(struct virtq *q, uint64_t gpa, uint32_t v)
{
	uint32_t *p = field(q, gpa, sizeof v);
	if (p)
		__atomic_store_n(p, v, __ATOMIC_RELAXED);
	return p != NULL;
}

static uint64_t used_event_gpa(const struct virtq *q)
{
	return q->avail_gpa + VIRTQ_AVAIL_RING + 2ull * q->size;
}

static uint64_t avail_event_gpa(const struct virtq *q)
{
	return q->used_gpa + VIRTQ_USED_RING + (uint64_t)VIRTQ_USED_ELEM * q->size;
}

void virtq_init(struct virtq *q, const struct guest_mem *mem, struct virtq_seg *seg,
		uint16_t max_size)
{
	q->mem = mem;
	q->seg = seg;
	q->max_size = max_size;
	virtq_reset(q);
}

void virtq_reset(struct virtq *q)
{
	q->size = q->max_size;
	q->desc_gpa = q->avail_gpa = q->used_gpa = 0;
	q->event_idx = q->indirect = false;
	q->ready = q->broken = false;
	q->last_avail = q->used_idx = q->signalled = 0;
}

bool virtq_enable(struct virtq *q)
{
	uint64_t size = q->size;
	if (q->ready)
		return true;
	if (size == 0 || size > q->max_size || (size & (size - 1)))
		return false;
	if (q->desc_gpa % VIRTQ_DESC_ALIGN || q->avail_gpa % VIRTQ_AVAIL_ALIGN ||
	    q->used_gpa % VIRTQ_USED_ALIGN)
		return false;
	/* Each area with its event field, as if EVENT_IDX were on: cheaper than two layouts. */
	if (!gmem_in_ram(q->mem, q->desc_gpa, VIRTQ_DESC_SIZE * size) ||
	    !gmem_in_ram(q->mem, q->avail_gpa, VIRTQ_AVAIL_RING + 2 * size + 2) ||
	    !gmem_in_ram(q->mem, q->used_gpa, VIRTQ_USED_RING + VIRTQ_USED_ELEM * size + 2))
		return false;
	q->ready = true; /* indexes are still 0, as reset left them */
	return true;
}

static enum virtq_pop_result fatal(struct virtq *q)
{
	q->broken = true;
	return VIRTQ_FATAL;
}

/* Appends one buffer descriptor to the chain; false if that breaks a rule. */
static bool add_buffer(struct virtq *q, struct virtq_chain *c, const struct desc *d, uint32_t *nbuf,
		       bool *writing)
{
	bool write = d->flags & VIRTQ_DESC_F_WRITE;
	if (*nbuf == q->size)
		return false; /* longer than the queue */
	(*nbuf)++;
	if (write)
		*writing = true;
	else if (*writing)
		return false; /* readable after writable */
	if (d->len == 0)
		return true;
	if (!gmem_in_ram(q->mem, d->addr, d->len))
		return false;
	if ((uint64_t)c->read_len + c->write_len + d->len > CHAIN_BYTES_MAX)
		return false;
	q->seg[c->nseg++] = (struct virtq_seg){.gpa = d->addr, .len = d->len, .write = write};
	if (write) {
		c->write_len += d->len;
	} else {
		c->nread++;
		c->read_len += d->len;
	}
	return true;
}

/* Walks the chain at `head` (< size) into q->seg; false if the driver broke a rule. */
static bool walk(struct virtq *q, uint16_t head, struct virtq_chain *c)
{
	uint64_t table = q->desc_gpa;
	uint32_t entries = q->size; /* in the table being walked */
	uint32_t nbuf = 0;	    /* buffer descriptors in the chain, zero-length ones included */
	bool in_indirect = false, writing = false;
	uint32_t i = head;

	*c = (struct virtq_chain){.head = head, .seg = q->seg};
	/* Each step adds a buffer (at most size of them: this also ends `next` loops) or enters
	 * the one indirect table. */
	for (;;) {
		struct desc d;
		if (!gmem_read(q->mem, table + (uint64_t)VIRTQ_DESC_SIZE * i, &d, sizeof d))
			return false;
		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			if (!q->indirect || in_indirect || (d.flags & VIRTQ_DESC_F_NEXT))
				return false;
			if (d.len == 0 || d.len % VIRTQ_DESC_SIZE ||
			    d.len / VIRTQ_DESC_SIZE > q->size ||
			    !gmem_in_ram(q->mem, d.addr, d.len))
				return false;
			table = d.addr;
			entries = d.len / VIRTQ_DESC_SIZE;
			in_indirect = true;
			i = 0;
			continue;
		}
		if (!add_buffer(q, c, &d, &nbuf, &writing))
			return false;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return true;
		if (d.next >= entries)
			return false;
		i = d.next;
	}
}

enum virtq_pop_result virtq_pop(struct virtq *q, struct virtq_chain *chain)
{
	if (q->broken)
		return VIRTQ_FATAL;
	if (!q->ready)
		return VIRTQ_EMPTY;
	uint16_t avail;
	if (!load16(q, q->avail_gpa + VIRTQ_AVAIL_IDX, &avail))
		return fatal(q);
	if (avail == q->last_avail && q->event_idx) {
		/* Ask to be notified of the next buffer, then look again: the driver may have
		 * added one before it could see the request, and would then stay silent. */
		if (!store16(q, avail_event_gpa(q), q->last_avail))
			return fatal(q);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (!load16(q, q->avail_gpa + VIRTQ_AVAIL_IDX, &avail))
			return fatal(q);
	}
	uint16_t pending = (uint16_t)(avail - q->last_avail);
	if (pending == 0)
		return VIRTQ_EMPTY;
	if (pending > q->size)
		return fatal(q); /* more new entries than the ring has */
	uint16_t head;
	uint64_t slot = q->last_avail & (q->size - 1u);
	if (!load16(q, q->avail_gpa + VIRTQ_AVAIL_RING + 2 * slot, &head))
		return fatal(q);
	if (head >= q->size || !walk(q, head, chain))
		return fatal(q);
	q->last_avail++;
	return VIRTQ_CHAIN;
}

void virtq_unpop(struct virtq *q)
{
	q->last_avail--;
}

bool virtq_push(struct virtq *q, const struct virtq_chain *chain, uint32_t written)
{
	if (q->broken || !q->ready)
		return false;
	if (written > chain->write_len)
		written = chain->write_len;
	uint64_t elem = q->used_gpa + VIRTQ_USED_RING +
			(uint64_t)VIRTQ_USED_ELEM * (q->used_idx & (q->size - 1u));
	if (!store32(q, elem, chain->head) || !store32(q, elem + 4, written))
		return false;
	/* The element must be visible before the index that hands it over (release store). */
	q->used_idx++;
	return store16(q, q->used_gpa + VIRTQ_USED_IDX, q->used_idx);
}

bool virtq_need_notify(struct virtq *q)
{
	if (q->broken || !q->ready)
		return false;
	uint16_t old = q->signalled, now = q->used_idx;
	q->signalled = now;
	/* Our used.idx store must be globally visible before we read what the driver wants,
	 * or both sides could miss each other's update (a store-load ordering: full fence). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (q->event_idx) {
		uint16_t event;
		if (!load16(q, used_event_gpa(q), &event))
			return false;
		/* Notify iff used_event is among the entries published since the last decision. */
		return (uint16_t)(now - event - 1) < (uint16_t)(now - old);
	}
	uint16_t flags;
	if (!load16(q, q->avail_gpa + VIRTQ_AVAIL_FLAGS, &flags))
		return false;
	return now != old && !(flags & VIRTQ_AVAIL_F_NO_INTERRUPT);
}

bool virtq_for_each(const struct virtq *q, const struct virtq_chain *chain, bool writable,
		    uint64_t off, uint64_t n, bool (*fn)(void *ctx, void *p, uint64_t len),
		    void *ctx)
{
	unsigned first = writable ? chain->nread : 0;
	unsigned end = writable ? chain->nseg : chain->nread;
	uint64_t total = writable ? chain->write_len : chain->read_len;
	if (off > total || n > total - off)
		return false;
	for (unsigned i = first; i < end && n; i++) {
		const struct virtq_seg *s = &chain->seg[i];
		if (off >= s->len) {
			off -= s->len;
			continue;
		}
		uint64_t gpa = s->gpa + off;
		uint64_t left = s->len - off < n ? s->len - off : n;
		off = 0;
		n -= left;
		while (left) {
			uint64_t piece;
			void *p = gmem_span(q->mem, gpa, left, &piece);
			if (!p || !fn(ctx, p, piece))
				return false;
			gpa += piece;
			left -= piece;
		}
	}
	return true;
}

static bool copy_out(void *ctx, void *p, uint64_t len)
{
	uint8_t **dst = ctx;
	memcpy(*dst, p, len);
	*dst += len;
	return true;
}

static bool copy_in(void *ctx, void *p, uint64_t len)
{
	const uint8_t **src = ctx;
	memcpy(p, *src, len);
	*src += len;
	return true;
}

static uint64_t clamp(uint64_t total, uint64_t off, uint64_t n)
{
	if (off >= total)
		return 0;
	return n < total - off ? n : total - off;
}

uint64_t virtq_read(const struct virtq *q, const struct virtq_chain *chain, uint64_t off, void *dst,
		    uint64_t n)
{
	uint8_t *cursor = dst;
	n = clamp(chain->read_len, off, n);
	return virtq_for_each(q, chain, false, off, n, copy_out, &cursor) ? n : 0;
}

uint64_t virtq_write(const struct virtq *q, const struct virtq_chain *chain, uint64_t off,
		     const void *src, uint64_t n)
{
	const uint8_t *cursor = src;
	n = clamp(chain->write_len, off, n);
	return virtq_for_each(q, chain, true, off, n, copy_in, &cursor) ? n : 0;
}
