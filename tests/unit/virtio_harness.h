/* Guest memory and a driver's side of split virtqueues for the virtio tests. Guest pages lie
 * in the host buffer in reverse order, so code that assumed two adjacent guest pages are
 * adjacent in the host reads or writes the wrong bytes. hva() checks it is never asked for
 * anything outside RAM. */
#pragma once
#include "devices/virtio.h"
#include "tests/unit/check.h"
#include <stdlib.h>
#include <string.h>

#define TMEM_SIZE (4ull << 20)

struct tmem {
	struct guest_mem mem;
	uint8_t *host;
	uint64_t pages;
	/* Called once when the device translates hook_gpa (then cleared): lets a test act as
	 * a driver racing with the device at a precise moment. */
	void (*hook)(struct tmem *t);
	uint64_t hook_gpa;
	void *hook_ctx;
};

static inline uint8_t *tmem_host(struct tmem *t, uint64_t gpa)
{
	return t->host + (t->pages - 1 - gpa / GMEM_PAGE_SIZE) * GMEM_PAGE_SIZE +
	       gpa % GMEM_PAGE_SIZE;
}

static inline void *tmem_hva(void *ctx, uint64_t gpa)
{
	struct tmem *t = ctx;
	CHECK(gpa < t->mem.size);
	if (gpa >= t->mem.size)
		return t->host; /* keep going: the failed check reports it */
	if (t->hook && gpa == t->hook_gpa) {
		void (*hook)(struct tmem *) = t->hook;
		t->hook = NULL;
		hook(t);
	}
	return tmem_host(t, gpa);
}

static inline void tmem_init(struct tmem *t, uint64_t size)
{
	memset(t, 0, sizeof *t);
	t->pages = size / GMEM_PAGE_SIZE;
	t->host = calloc(1, size);
	t->mem = (struct guest_mem){.size = size, .hva = tmem_hva, .ctx = t};
}

static inline void tmem_free(struct tmem *t)
{
	free(t->host);
	t->host = NULL;
}

/* The guest's own accesses (byte by byte, so they never depend on the code under test). */
static inline void gw(struct tmem *t, uint64_t gpa, const void *src, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		*tmem_host(t, gpa + i) = ((const uint8_t *)src)[i];
}

static inline void gr(struct tmem *t, uint64_t gpa, void *dst, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		((uint8_t *)dst)[i] = *tmem_host(t, gpa + i);
}

static inline void gfill(struct tmem *t, uint64_t gpa, uint8_t v, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		*tmem_host(t, gpa + i) = v;
}

static inline uint64_t grn(struct tmem *t, uint64_t gpa, unsigned bytes)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < bytes; i++)
		v |= (uint64_t)*tmem_host(t, gpa + i) << (8 * i);
	return v;
}

static inline void gwn(struct tmem *t, uint64_t gpa, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		*tmem_host(t, gpa + i) = (uint8_t)(v >> (8 * i));
}

/* Default layout of queue i: descriptors, avail and used rings on pages of their own. */
#define RING_BASE(i)  (0x1000ull + 0x4000ull * (i))
#define RING_DESC(i)  RING_BASE(i)
#define RING_AVAIL(i) (RING_BASE(i) + 0x1000)
#define RING_USED(i)  (RING_BASE(i) + 0x2000)
#define BUF	      0x100000ull /* buffers from here */

/* The driver's view of one queue. */
struct tring {
	struct tmem *t;
	struct virtq *q;
	uint16_t size;
	uint64_t desc, avail, used;
	uint16_t avail_idx; /* next free avail entry */
};

/* Programs and enables q as the transport would. */
static inline void tring_init(struct tring *r, struct tmem *t, struct virtq *q, uint16_t size,
			      uint64_t desc, uint64_t avail, uint64_t used)
{
	*r = (struct tring){
	    .t = t, .q = q, .size = size, .desc = desc, .avail = avail, .used = used};
	q->size = size;
	q->desc_gpa = desc;
	q->avail_gpa = avail;
	q->used_gpa = used;
	CHECK(virtq_enable(q));
}

static inline void desc_at(struct tmem *t, uint64_t table, uint16_t i, uint64_t addr, uint32_t len,
			   uint16_t flags, uint16_t next)
{
	uint64_t d = table + 16ull * i;
	gwn(t, d, addr, 8);
	gwn(t, d + 8, len, 4);
	gwn(t, d + 12, flags, 2);
	gwn(t, d + 14, next, 2);
}

static inline void ring_desc(struct tring *r, uint16_t i, uint64_t addr, uint32_t len,
			     uint16_t flags, uint16_t next)
{
	desc_at(r->t, r->desc, i, addr, len, flags, next);
}

/* Makes the chain at `head` available. */
static inline void ring_post(struct tring *r, uint16_t head)
{
	gwn(r->t, r->avail + 4 + 2ull * (r->avail_idx % r->size), head, 2);
	r->avail_idx++;
	gwn(r->t, r->avail + 2, r->avail_idx, 2);
}

static inline uint16_t ring_used_idx(struct tring *r)
{
	return (uint16_t)grn(r->t, r->used + 2, 2);
}

/* Used element number n (a free-running index). */
static inline uint32_t ring_used_id(struct tring *r, uint16_t n)
{
	return (uint32_t)grn(r->t, r->used + 4 + 8ull * (n % r->size), 4);
}

static inline uint32_t ring_used_len(struct tring *r, uint16_t n)
{
	return (uint32_t)grn(r->t, r->used + 8 + 8ull * (n % r->size), 4);
}

static inline void ring_set_used_event(struct tring *r, uint16_t v)
{
	gwn(r->t, r->avail + 4 + 2ull * r->size, v, 2);
}

static inline uint16_t ring_avail_event(struct tring *r)
{
	return (uint16_t)grn(r->t, r->used + 4 + 8ull * r->size, 2);
}

#define TEST_QUEUES 2 /* no device here has more */

/* Interrupts a device raised. */
struct irq_log {
	unsigned used[TEST_QUEUES];
	unsigned config;
};

static inline void log_used(void *ctx, unsigned q)
{
	struct irq_log *l = ctx;
	CHECK(q < TEST_QUEUES);
	if (q < TEST_QUEUES)
		l->used[q]++;
}

static inline void log_config(void *ctx)
{
	struct irq_log *l = ctx;
	l->config++;
}

#define STATUS_UP (VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER)

/* What a driver does at probe: negotiate `features`, enable every queue with `size` entries
 * at the default layout, DRIVER_OK. Interrupts are counted in *log. */
static inline void dev_start(struct virtio_dev *d, struct tmem *t, struct tring *rings,
			     struct irq_log *log, uint64_t features, uint16_t size)
{
	memset(log, 0, sizeof *log);
	d->irq = (struct virtio_irq){.used = log_used, .config = log_config, .ctx = log};
	virtio_set_status(d, STATUS_UP);
	d->driver_features = features;
	virtio_set_status(d, STATUS_UP | VIRTIO_STATUS_FEATURES_OK);
	CHECK(d->status & VIRTIO_STATUS_FEATURES_OK);
	for (unsigned i = 0; i < d->nqueues; i++)
		tring_init(&rings[i], t, &d->vq[i], size, RING_DESC(i), RING_AVAIL(i),
			   RING_USED(i));
	virtio_set_status(d, STATUS_UP | VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
	CHECK(virtio_running(d));
}
