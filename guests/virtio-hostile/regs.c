/* Abuse of the transport's registers on virtio-rng: feature negotiation the device must
 * refuse (virtio 1.2 §3.1.1, §6.1), buffers before DRIVER_OK, notifications for queues that
 * do not exist, out-of-range selectors and vectors, MSI-X entries aimed at RAM, and a storm
 * of random writes to the common configuration. */
#include "guests/lib/lapic.h"
#include "guests/lib/mmio.h"
#include "guests/lib/report.h"
#include "guests/lib/string.h"
#include "guests/virtio-hostile/hostile.h"

#define QSIZE	       8
#define BUF	       16
#define NO_QUEUE       9 /* rng has one queue */
#define RANDOM_WRITES  3000
#define QUIET_MS       5     /* long enough for a device that completes within the notify */
#define RAM_TARGET     0x800 /* scratch offset an MSI-X entry is aimed at */
#define RAM_MSI_VECTOR 0x5a  /* the data such an entry carries, were it an interrupt */
#define GUARD_BYTE     0x5a
#define F_RING_PACKED  (1ull << 34) /* §6: never offered here */
#define F_UNDEFINED_63 (1ull << 63)

static u32 prng = 0x2545f491u;

/* xorshift32 (Marsaglia): repeatable pseudo-random words. */
static u32 next_random(void)
{
	prng ^= prng << 13;
	prng ^= prng >> 17;
	prng ^= prng << 5;
	return prng;
}

static void post_request(struct rig *r)
{
	struct virtq_buf b = {(u32)env.scratch, BUF};
	virtq_add(&r->q[0], &b, 0, 1);
}

static bool completes(struct rig *r, u32 ms)
{
	u32 id, len;
	return rig_wait_used(r, 0, &id, &len, ms);
}

/* ACKNOWLEDGE, DRIVER, these driver features, FEATURES_OK: whether the device kept it. */
static bool try_features(struct rig *r, u64 features)
{
	virtio_reset(&r->dev);
	virtio_add_status(&r->dev, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	virtio_write_features(&r->dev, features);
	virtio_add_status(&r->dev, VIRTIO_STATUS_FEATURES_OK);
	return virtio_status(&r->dev) & VIRTIO_STATUS_FEATURES_OK;
}

static void features(struct rig *r)
{
	u64 offered = virtio_device_features(&r->dev);

	report(!try_features(r, offered & ~VIRTIO_F_VERSION_1),
	       "%s: features without VERSION_1: FEATURES_OK not kept", r->name);
	u64 unoffered = (F_RING_PACKED | F_UNDEFINED_63) & ~offered;
	report(unoffered && !try_features(r, VIRTIO_F_VERSION_1 | unoffered),
	       "%s: features the device did not offer (0x%llx): FEATURES_OK not kept", r->name,
	       unoffered);
	/* Accepted without INDIRECT_DESC; the bit written afterwards must not count. */
	if (!try_features(r, VIRTIO_F_VERSION_1) ||
	    !virtq_create(&r->q[0], &r->dev, 0, QSIZE, RIG_QUEUE_ENTRY)) {
		report(false, "%s: bring-up for the late feature write", r->name);
		return;
	}
	virtio_write_features(&r->dev, VIRTIO_F_VERSION_1 | VIRTIO_F_INDIRECT_DESC);
	virtio_add_status(&r->dev, VIRTIO_STATUS_DRIVER_OK);
	struct virtq_desc *t = (struct virtq_desc *)(env.scratch + 0x1000);
	put_desc(t, 0, (u32)env.scratch, BUF, VIRTQ_DESC_F_WRITE, 0);
	set_desc(&r->q[0], 0, (u32)t, sizeof *t, VIRTQ_DESC_F_INDIRECT, 0);
	u32 before = lapic_irq_count[rig_config_vector(r)];
	virtio_set_config_vector(&r->dev, RIG_CONFIG_ENTRY);
	virtio_msix_route(&r->dev, RIG_CONFIG_ENTRY, rig_config_vector(r), false);
	virtio_msix_enable(&r->dev);
	virtq_publish(&r->q[0], 0);
	virtq_kick(&r->q[0]);
	expect_needs_reset(r, 0, before, "INDIRECT_DESC written after FEATURES_OK, then used");
}

static void early_buffers(struct rig *r)
{
	/* DRIVER_OK without FEATURES_OK: the device is not ready, whatever else is set. */
	virtio_reset(&r->dev);
	virtio_add_status(&r->dev, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	virtio_write_features(&r->dev, VIRTIO_F_VERSION_1);
	bool queue = virtq_create(&r->q[0], &r->dev, 0, QSIZE, VIRTIO_MSI_NO_VECTOR);
	virtio_add_status(&r->dev, VIRTIO_STATUS_DRIVER_OK);
	if (queue) {
		post_request(r);
		virtq_kick(&r->q[0]);
	}
	report(!queue || !completes(r, QUIET_MS),
	       "%s: DRIVER_OK without FEATURES_OK: no buffer consumed", r->name);

	/* §3.1.1: nothing is consumed before DRIVER_OK; afterwards the same buffer is. */
	bool up = virtio_negotiate(&r->dev, VIRTIO_F_VERSION_1) &&
		  virtq_create(&r->q[0], &r->dev, 0, QSIZE, VIRTIO_MSI_NO_VECTOR);
	if (up) {
		post_request(r);
		virtq_kick(&r->q[0]);
	}
	bool early = up && completes(r, QUIET_MS);
	virtio_add_status(&r->dev, VIRTIO_STATUS_DRIVER_OK);
	virtq_kick(&r->q[0]);
	report(up && !early && completes(r, 100),
	       "%s: a buffer notified before DRIVER_OK waits for DRIVER_OK", r->name);
}

/* PCI 3.0 6.2.2: without Bus Master Enable a function may not access memory, so a notified
 * request waits untouched until bus mastering is back and the driver notifies again. */
static void bus_master_off(struct rig *r)
{
	const struct pci_func *f = &r->dev.pci;
	u16 cmd = pci_read16(f, PCI_COMMAND);
	u32 id, len;

	if (!rig_up(r, 0, QSIZE))
		return;
	memset(env.scratch, GUARD_BYTE, BUF);
	pci_write16(f, PCI_COMMAND, (u16)(cmd & ~PCI_COMMAND_MASTER));
	post_request(r);
	virtq_kick(&r->q[0]);
	bool early = rig_wait_used(r, 0, &id, &len, QUIET_MS);
	bool untouched = true;
	for (u32 i = 0; i < BUF; i++)
		untouched = untouched && env.scratch[i] == GUARD_BYTE;
	pci_write16(f, PCI_COMMAND, cmd);
	virtq_kick(&r->q[0]);
	bool later = early || rig_wait_used(r, 0, &id, &len, 100);
	report(!early && untouched && later,
	       "%s: bus mastering off: a notified request waits untouched (%s, %s), then "
	       "completes",
	       r->name, early ? "consumed" : "waiting", untouched ? "untouched" : "written");
	virtio_reset(&r->dev);
}

static void bogus_notifies(struct rig *r)
{
	if (!rig_up(r, 0, QSIZE))
		return;
	u32 n = r->dev.notify, m = r->dev.notify_mult;
	mmio_write16(n + 1 * m, 1);
	mmio_write16(n + 7 * m, 7);
	mmio_write16(n + 100 * m, 100);
	mmio_write16(n + 2, 0);
	mmio_write8(n + 1, 0xff);
	mmio_write32(n + 3 * m, 0xffffffffu);
	post_request(r);
	virtq_kick(&r->q[0]);
	report(completes(r, 100) && rig_running(r),
	       "%s: notifies for queues 1, 7, 100 and at odd offsets are ignored", r->name);
}

static void selectors(struct rig *r)
{
	struct virtio_dev *d = &r->dev;

	virtio_negotiate(d, VIRTIO_F_VERSION_1);
	vcc_write16(d, VIRTIO_CC_Q_SELECT, NO_QUEUE);
	bool absent = vcc_read16(d, VIRTIO_CC_Q_SIZE) == 0 &&
		      !virtq_enable_at(d, NO_QUEUE, QSIZE, (u32)env.scratch,
				       (u32)env.scratch + 0x1000, (u32)env.scratch + 0x2000) &&
		      vcc_read16(d, VIRTIO_CC_Q_MSIX) == VIRTIO_MSI_NO_VECTOR;
	report(absent, "%s: queue %u does not exist: size 0, enable refused", r->name, NO_QUEUE);

	vcc_write16(d, VIRTIO_CC_Q_SELECT, 0);
	vcc_write16(d, VIRTIO_CC_Q_MSIX, d->msix_entries);
	bool q_refused = vcc_read16(d, VIRTIO_CC_Q_MSIX) == VIRTIO_MSI_NO_VECTOR;
	bool c_refused = !virtio_set_config_vector(d, 0x7fff) &&
			 vcc_read16(d, VIRTIO_CC_MSIX_CONFIG) == VIRTIO_MSI_NO_VECTOR;
	report(q_refused && c_refused, "%s: MSI-X vectors past the table read back as NO_VECTOR",
	       r->name);
	virtio_reset(d);
}

static void self_loop(struct rig *r, struct virtq *q)
{
	(void)r;
	set_desc(q, 0, (u32)env.scratch, BUF, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 0);
	virtq_publish(q, 0);
}

/* The configuration entry aimed at (hi:lo), which is no interrupt address: the NEEDS_RESET
 * message must be dropped, not written to memory nor turned into an interrupt. */
static void msix_not_an_interrupt(struct rig *r, u32 hi, u32 lo, const char *what)
{
	u32 entry = r->dev.msix_table + RIG_CONFIG_ENTRY * MSIX_ENTRY_SIZE;
	u8 *target = env.scratch + RAM_TARGET;

	if (!rig_up(r, 0, QSIZE))
		return;
	memset(target, 0x11, BUF);
	lapic_count_vector(RAM_MSI_VECTOR);
	u32 seen = lapic_irq_count[RAM_MSI_VECTOR];
	mmio_write32(entry + MSIX_ENTRY_CONTROL, MSIX_ENTRY_MASKED);
	mmio_write32(entry + MSIX_ENTRY_ADDR_LO, lo);
	mmio_write32(entry + MSIX_ENTRY_ADDR_HI, hi);
	mmio_write32(entry + MSIX_ENTRY_DATA, 0x5a5a5a00u | RAM_MSI_VECTOR);
	mmio_write32(entry + MSIX_ENTRY_CONTROL, 0);
	self_loop(r, &r->q[0]);
	virtq_kick(&r->q[0]);
	bool untouched = true;
	for (u32 i = 0; i < BUF; i++)
		untouched = untouched && target[i] == 0x11;
	report((virtio_status(&r->dev) & VIRTIO_STATUS_NEEDS_RESET) && untouched &&
		   lapic_irq_count[RAM_MSI_VECTOR] == seen,
	       "%s: MSI-X entry aimed at %s: message dropped", r->name, what);
	virtio_reset(&r->dev);
}

/* Writes to num_queues, device_feature, queue_notify_off and config_generation change
 * nothing (§4.1.4.3: read-only for the driver). */
static void read_only_registers(struct rig *r)
{
	struct virtio_dev *d = &r->dev;

	virtio_negotiate(d, VIRTIO_F_VERSION_1);
	vcc_write16(d, VIRTIO_CC_Q_SELECT, 0);
	u16 nq = vcc_read16(d, VIRTIO_CC_NUM_QUEUES), off = vcc_read16(d, VIRTIO_CC_Q_NOTIFY_OFF);
	u8 gen = vcc_read8(d, VIRTIO_CC_CFG_GEN);
	u64 offered = virtio_device_features(d);
	vcc_write16(d, VIRTIO_CC_NUM_QUEUES, 77);
	vcc_write16(d, VIRTIO_CC_Q_NOTIFY_OFF, 9);
	vcc_write8(d, VIRTIO_CC_CFG_GEN, (u8)(gen + 5));
	vcc_write32(d, VIRTIO_CC_DFSELECT, 0);
	vcc_write32(d, VIRTIO_CC_DF, 0x12345678);
	bool same = vcc_read16(d, VIRTIO_CC_NUM_QUEUES) == nq &&
		    vcc_read16(d, VIRTIO_CC_Q_NOTIFY_OFF) == off &&
		    vcc_read8(d, VIRTIO_CC_CFG_GEN) == gen && virtio_device_features(d) == offered;
	report(same, "%s: writes to read-only common-configuration registers change nothing",
	       r->name);
	virtio_reset(d);
}

/* §4.1.4.5: with MSI-X off, a used buffer sets the ISR's queue bit; reading clears it. */
static void isr_without_msix(struct rig *r)
{
	u8 ctl_at = (u8)(r->dev.msix_cap + MSIX_CAP_CONTROL);

	if (!rig_up(r, 0, QSIZE))
		return;
	u16 ctl = pci_read16(&r->dev.pci, ctl_at);
	pci_write16(&r->dev.pci, ctl_at, (u16)(ctl & ~MSIX_CONTROL_ENABLE));
	(void)mmio_read8(r->dev.isr);
	post_request(r);
	virtq_kick(&r->q[0]);
	bool done = completes(r, 100);
	u8 first = mmio_read8(r->dev.isr), second = mmio_read8(r->dev.isr);
	pci_write16(&r->dev.pci, ctl_at, ctl);
	report(done && (first & VIRTIO_ISR_QUEUE) && second == 0,
	       "%s: MSI-X off: ISR 0x%x after a completion, 0x%x on the next read", r->name, first,
	       second);
	virtio_reset(&r->dev);
}

static void random_writes(struct rig *r)
{
	static const u8 widths[] = {1, 2, 4};

	if (!rig_up(r, 0, QSIZE))
		return;
	for (u32 i = 0; i < RANDOM_WRITES; i++) {
		u32 w = widths[next_random() % 3], off = next_random() % VIRTIO_CC_SIZE & ~(w - 1);
		u32 v = next_random();
		u32 at = r->dev.common + off;
		if (w == 1)
			mmio_write8(at, (u8)v);
		else if (w == 2)
			mmio_write16(at, (u16)v);
		else
			mmio_write32(at, v);
	}
	bool reset = virtio_reset(&r->dev);
	bool up = rig_up(r, 0, QSIZE);
	if (up) {
		post_request(r);
		virtq_kick(&r->q[0]);
	}
	report(reset && up && completes(r, 100),
	       "%s: %u random common-configuration writes, then reset: works again", r->name,
	       RANDOM_WRITES);
}

void abuse_registers(struct rig *rng)
{
	features(rng);
	early_buffers(rng);
	bogus_notifies(rng);
	bus_master_off(rng);
	selectors(rng);
	read_only_registers(rng);
	isr_without_msix(rng);
	msix_not_an_interrupt(rng, 0, (u32)env.scratch + RAM_TARGET, "RAM");
	msix_not_an_interrupt(rng, 1, LAPIC_BASE, "0x1_fee00000");
	random_writes(rng);
}
