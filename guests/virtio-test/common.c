/* Bring-up, one-request-at-a-time I/O with interrupt accounting, and the PCI layout check. */
#include "guests/lib/lapic.h"
#include "guests/lib/report.h"
#include "guests/lib/string.h"
#include "guests/lib/tsc.h"
#include "guests/lib/x86.h"
#include "guests/virtio-test/vtest.h"

#define IO_TIMEOUT_MS  1000 /* every device here completes a request before the notify returns */
#define IRQ_TIMEOUT_MS 10   /* the vector is pending by the time the used entry is visible */

/* The host bridge window for BARs (the hypervisor's PLATFORM_PCI_MMIO_BASE/LIMIT). */
#define PCI_WINDOW_BASE	      0xc0000000u
#define PCI_WINDOW_LIMIT      0xfeafffffu
#define PCI_CLASS_HOST_BRIDGE 0x060000u /* base class 06 (bridge), sub-class 00 (host) */
#define PCI_REVISION_MODERN   1		/* §4.1.2.1: revision >= 1 for modern-only devices */
#define PCI_SUBSYSTEM_MODERN  0x40	/* §4.1.2.1: subsystem ID >= 0x40 */

u8 vtest_queue_vector(const struct vdev *v, unsigned q)
{
	return (u8)(v->vector_base + VTEST_QUEUE_ENTRY(q));
}

bool vtest_wait_irq(u8 vector, u32 seen, u32 ms)
{
	u64 end = rdtsc() + tsc_from_ms(ms);

	sti();
	while (lapic_irq_count[vector] == seen && rdtsc() < end)
		cpu_relax();
	cli();
	return lapic_irq_count[vector] != seen;
}

bool vtest_start(struct vdev *v, const char *name, const struct pci_func *f, unsigned slot_index,
		 u64 extra, unsigned nq, u16 qsize)
{
	struct virtio_dev *d = &v->dev;

	v->name = name;
	v->nq = nq;
	v->vector_base = (u8)(VTEST_VECTOR_BASE + VTEST_VECTORS_PER_DEV * slot_index);
	if (!virtio_open(d, f)) {
		report(false, "%s: common, notify, ISR capabilities and MSI-X found", name);
		return false;
	}
	u64 offered = virtio_device_features(d);
	bool ok = virtio_negotiate(d, VIRTIO_F_VERSION_1 | extra);
	report(ok && (offered & VIRTIO_F_VERSION_1) && (d->features & extra) == extra,
	       "%s: features 0x%llx of 0x%llx accepted with VERSION_1", name, d->features, offered);
	if (!ok)
		return false;

	bool queues = vcc_read16(d, VIRTIO_CC_NUM_QUEUES) >= nq && d->msix_entries > nq;
	for (unsigned e = 0; e <= nq; e++) {
		lapic_count_vector((u8)(v->vector_base + e));
		virtio_msix_route(d, (u16)e, (u8)(v->vector_base + e), false);
	}
	virtio_msix_enable(d);
	queues = queues && virtio_set_config_vector(d, VTEST_CONFIG_ENTRY);
	for (unsigned q = 0; q < nq; q++)
		queues = queues && virtq_create(&v->q[q], d, (u16)q, qsize, VTEST_QUEUE_ENTRY(q));
	report(queues, "%s: %u queues of %u entries, each with its own MSI-X vector", name, nq,
	       qsize);
	virtio_add_status(d, VIRTIO_STATUS_DRIVER_OK);
	u8 want = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
		  VIRTIO_STATUS_DRIVER_OK;
	u8 status = virtio_status(d);
	report(status == want, "%s: status 0x%x after DRIVER_OK", name, status);
	return queues && status == want;
}

bool vtest_io(struct vdev *v, unsigned q, const struct virtq_buf *bufs, unsigned nout, unsigned nin,
	      u32 *len)
{
	struct virtq *vq = &v->q[q];
	u8 vector = vtest_queue_vector(v, q);
	u32 seen = lapic_irq_count[vector];
	u32 id, used_len;

	int head = virtq_add(vq, bufs, nout, nin);
	if (head < 0)
		return false;
	virtq_kick(vq);
	if (!virtq_wait_used(vq, &id, &used_len, IO_TIMEOUT_MS))
		return false;
	v->completions++;
	vtest_wait_irq(vector, seen, IRQ_TIMEOUT_MS);
	u32 got = lapic_irq_count[vector] - seen;
	if (got == 0)
		v->irq_missing++;
	else
		v->irq_extra += got - 1;
	*len = used_len;
	return id == (u32)head;
}

void vtest_report_interrupts(const struct vdev *v)
{
	report(v->completions && !v->irq_missing && !v->irq_extra,
	       "%s: one MSI-X interrupt per completed buffer (%u buffers, %u missing, %u extra)",
	       v->name, v->completions, v->irq_missing, v->irq_extra);
}

static const char *type_name(u32 type)
{
	switch (type) {
	case VIRTIO_ID_BLOCK:
		return "blk";
	case VIRTIO_ID_NET:
		return "net";
	case VIRTIO_ID_CONSOLE:
		return "console";
	case VIRTIO_ID_RNG:
		return "rng";
	default:
		return "?";
	}
}

/* Every memory BAR in use lies in the window, aligned to its size. */
static bool bars_placed(const struct pci_func *f)
{
	unsigned used = 0;

	for (unsigned bar = 0; bar < PCI_NUM_BARS; bar++) {
		u32 size = pci_bar_size(f, bar), at = pci_bar_address(f, bar);
		if (!size)
			continue;
		used++;
		if (at < PCI_WINDOW_BASE ||
		    at - PCI_WINDOW_BASE > PCI_WINDOW_LIMIT - PCI_WINDOW_BASE ||
		    size - 1 > PCI_WINDOW_LIMIT - at || (at & (size - 1)))
			return false;
	}
	return used > 0;
}

static void check_function(const struct pci_func *f, unsigned slot, u32 type)
{
	bool ok = f->slot == slot && f->fn == 0 && f->vendor == VIRTIO_PCI_VENDOR &&
		  f->device == VIRTIO_PCI_MODERN_BASE + type &&
		  pci_read8(f, PCI_REVISION_ID) >= PCI_REVISION_MODERN &&
		  pci_read16(f, PCI_SUBSYSTEM_ID) >= PCI_SUBSYSTEM_MODERN &&
		  pci_read8(f, PCI_INTERRUPT_PIN) == 0;
	report(ok, "pci: 00:%02x.0 is a modern virtio-%s without INTx (found %02x:%x %04x:%04x)",
	       slot, type_name(type), f->slot, f->fn, f->vendor, f->device);
	report(bars_placed(f), "pci: 00:%02x.0 BARs placed in 0x%x-0x%x", slot, PCI_WINDOW_BASE,
	       PCI_WINDOW_LIMIT);
}

void test_enumeration(const struct pci_func *funcs, unsigned n)
{
	u32 expect[VTEST_MAX_DISKS + 3];
	unsigned nexp = 0;

	for (unsigned i = 0; i < vtest.ndisks; i++)
		expect[nexp++] = VIRTIO_ID_BLOCK;
	if (vtest.net)
		expect[nexp++] = VIRTIO_ID_NET;
	if (vtest.console_rng) {
		expect[nexp++] = VIRTIO_ID_CONSOLE;
		expect[nexp++] = VIRTIO_ID_RNG;
	}
	report(n == 1 + nexp, "pci: bus 0 has the host bridge and %u virtio functions (%u found)",
	       nexp, n);
	report(n > 0 && funcs[0].slot == 0 &&
		   (pci_read32(&funcs[0], 0x08) >> 8) == PCI_CLASS_HOST_BRIDGE,
	       "pci: 00:00.0 is a host bridge");
	for (unsigned i = 0; i < nexp && 1 + i < n; i++)
		check_function(&funcs[1 + i], 1 + i, expect[i]);
}
