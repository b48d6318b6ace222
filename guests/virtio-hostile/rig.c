/* Bringing a device up for the next abuse, and judging its answer to a fatal one. */
#include "guests/lib/lapic.h"
#include "guests/lib/mmio.h"
#include "guests/lib/report.h"
#include "guests/lib/tsc.h"
#include "guests/lib/vmcall.h"
#include "guests/lib/x86.h"
#include "guests/virtio-hostile/hostile.h"

#define IRQ_WAIT_MS 10	 /* a configuration interrupt is sent before the notify returns */
#define IDLE_US	    1000 /* the longest halt while waiting for another VM */

u8 rig_config_vector(const struct rig *r)
{
	return (u8)(r->vector_base + RIG_CONFIG_ENTRY);
}

u8 rig_queue_vector(const struct rig *r, unsigned q)
{
	return (u8)(r->vector_base + RIG_QUEUE_ENTRY + q);
}

bool rig_open(struct rig *r, const char *name, const struct pci_func *f, unsigned dev_index,
	      unsigned nq)
{
	r->name = name;
	r->nq = nq;
	r->vector_base = (u8)(RIG_VECTOR_BASE + RIG_VECTORS * dev_index);
	bool ok = virtio_open(&r->dev, f) && r->dev.msix_entries > nq;
	report(ok, "%s: found at 00:%02x.0 with its capabilities and MSI-X", name, f->slot);
	if (!ok)
		return false;
	r->bar0 = pci_bar_address(f, 0);
	for (unsigned e = 0; e <= nq; e++)
		lapic_count_vector((u8)(r->vector_base + e));
	return true;
}

bool rig_up(struct rig *r, u64 extra, u16 qsize)
{
	struct virtio_dev *d = &r->dev;
	bool ok = virtio_negotiate(d, VIRTIO_F_VERSION_1 | extra);

	for (unsigned e = 0; ok && e <= r->nq; e++)
		virtio_msix_route(d, (u16)e, (u8)(r->vector_base + e), false);
	virtio_msix_enable(d);
	ok = ok && virtio_set_config_vector(d, RIG_CONFIG_ENTRY);
	for (unsigned q = 0; ok && q < r->nq; q++)
		ok = virtq_create(&r->q[q], d, (u16)q, qsize, (u16)(RIG_QUEUE_ENTRY + q));
	if (ok)
		virtio_add_status(d, VIRTIO_STATUS_DRIVER_OK);
	ok = ok && rig_running(r);
	if (!ok)
		report(false, "%s: brought up with %u-entry queues (status 0x%x)", r->name, qsize,
		       virtio_status(d));
	return ok;
}

bool rig_running(const struct rig *r)
{
	u8 s = virtio_status(&r->dev);
	return (s & VIRTIO_STATUS_DRIVER_OK) && !(s & VIRTIO_STATUS_NEEDS_RESET);
}

bool rig_wait_used(struct rig *r, unsigned q, u32 *id, u32 *len, u32 ms)
{
	return virtq_wait_used(&r->q[q], id, len, ms);
}

static bool wait_irq(u8 vector, u32 seen)
{
	u64 end = rdtsc() + tsc_from_ms(IRQ_WAIT_MS);

	sti();
	while (lapic_irq_count[vector] == seen && rdtsc() < end)
		cpu_relax();
	cli();
	return lapic_irq_count[vector] != seen;
}

void expect_needs_reset(struct rig *r, unsigned q, u32 irqs_before, const char *what)
{
	struct virtq *vq = &r->q[q];
	bool irq = wait_irq(rig_config_vector(r), irqs_before);
	u8 status = virtio_status(&r->dev);
	u8 isr = mmio_read8(r->dev.isr);
	u16 used = vq->used->idx;

	virtq_kick(vq);
	bool quiet = vq->used->idx == used && virtio_status(&r->dev) == status;
	report((status & VIRTIO_STATUS_NEEDS_RESET) && irq && (isr & VIRTIO_ISR_CONFIG) && quiet,
	       "%s: %s: DEVICE_NEEDS_RESET (status 0x%x, ISR 0x%x, %s, %s)", r->name, what, status,
	       isr, irq ? "config interrupt" : "no config interrupt",
	       quiet ? "then quiet" : "still working");
	bool reset = virtio_reset(&r->dev);
	if (!reset)
		report(false, "%s: reset after %s", r->name, what);
}

void run_fatal(struct rig *r, u64 features, u16 qsize, unsigned q, const char *what,
	       void (*build)(struct rig *r, struct virtq *q))
{
	if (!rig_up(r, features, qsize))
		return;
	u32 before = lapic_irq_count[rig_config_vector(r)];
	build(r, &r->q[q]);
	virtq_kick(&r->q[q]);
	expect_needs_reset(r, q, before, what);
}

void set_desc(struct virtq *q, u16 i, u64 addr, u32 len, u16 flags, u16 next)
{
	volatile struct virtq_desc *d = &q->desc[i];
	d->addr = addr;
	d->len = len;
	d->flags = flags;
	d->next = next;
}

void put_desc(struct virtq_desc *table, u16 i, u64 addr, u32 len, u16 flags, u16 next)
{
	table[i] = (struct virtq_desc){addr, len, flags, next};
}

bool rig_wait_status(struct rig *r, u8 bits, u32 ms)
{
	u64 end = rdtsc() + tsc_from_ms(ms);

	while ((virtio_status(&r->dev) & bits) != bits && rdtsc() < end)
		hc_idle(IDLE_US);
	return (virtio_status(&r->dev) & bits) == bits;
}
