#include "devices/virtio_pci.h"
#include "kernel/kstring.h"

/* Common configuration (§4.1.4.3): offset of each register in BAR 0's first page. */
#define CC_DFSELECT	   0x00 /* le32 device_feature_select */
#define CC_DF		   0x04 /* le32 device_feature (RO) */
#define CC_GFSELECT	   0x08 /* le32 driver_feature_select */
#define CC_GF		   0x0c /* le32 driver_feature */
#define CC_MSIX_CONFIG	   0x10 /* le16 config_msix_vector */
#define CC_NUM_QUEUES	   0x12 /* le16 num_queues (RO) */
#define CC_STATUS	   0x14 /* u8 device_status */
#define CC_CFG_GENERATION  0x15 /* u8 config_generation (RO) */
#define CC_Q_SELECT	   0x16 /* le16 queue_select */
#define CC_Q_SIZE	   0x18 /* le16 queue_size */
#define CC_Q_MSIX	   0x1a /* le16 queue_msix_vector */
#define CC_Q_ENABLE	   0x1c /* le16 queue_enable */
#define CC_Q_NOTIFY_OFF	   0x1e /* le16 queue_notify_off (RO) */
#define CC_Q_DESC	   0x20 /* le64 queue_desc */
#define CC_Q_DRIVER	   0x28 /* le64 queue_driver */
#define CC_Q_DEVICE	   0x30 /* le64 queue_device */
#define CC_Q_NOTIFY_DATA   0x38 /* le16 queue_notify_data (RO) */
#define CC_Q_RESET	   0x3a /* le16 queue_reset (VIRTIO_F_RING_RESET: not offered) */
#define CC_SIZE		   0x3c

/* Vendor capability (§4.1.4): cap_vndr, cap_next, cap_len, cfg_type, bar, id, padding[2],
 * offset le32, length le32; the notify capability adds notify_off_multiplier le32, the PCI
 * configuration access capability pci_cfg_data[4]. */
#define VIRTIO_PCI_CAP_COMMON_CFG 1
#define VIRTIO_PCI_CAP_NOTIFY_CFG 2
#define VIRTIO_PCI_CAP_ISR_CFG	  3
#define VIRTIO_PCI_CAP_DEVICE_CFG 4
#define VIRTIO_PCI_CAP_PCI_CFG	  5
#define CAP_LEN			  16
#define CAP_LEN_EXT		  20
#define CAP_BAR			  4
#define CAP_OFFSET		  8
#define CAP_LENGTH		  12
#define CAP_EXTRA		  16

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool add_cap(struct pci_device *pci, uint8_t type, uint32_t offset, uint32_t length,
		    uint32_t extra, bool ext, const uint8_t *wmask, uint8_t *where)
{
	uint8_t cap[CAP_LEN_EXT] = {PCI_CAP_ID_VENDOR, 0, ext ? CAP_LEN_EXT : CAP_LEN, type,
				    VIRTIO_PCI_REGS_BAR};
	put32(cap + CAP_OFFSET, offset);
	put32(cap + CAP_LENGTH, length);
	if (ext)
		put32(cap + CAP_EXTRA, extra);
	uint8_t at = pci_device_add_capability(pci, cap, wmask, ext ? CAP_LEN_EXT : CAP_LEN);
	if (where)
		*where = at;
	return at != 0;
}

static struct virtq *selected(struct virtio_pci *vp)
{
	return vp->queue_select < vp->dev->nqueues ? &vp->dev->vq[vp->queue_select] : 0;
}

/* The value of the common-configuration register at `reg` (a register's first byte). */
static uint64_t common_get(struct virtio_pci *vp, unsigned reg)
{
	struct virtio_dev *d = vp->dev;
	struct virtq *q = selected(vp);
	switch (reg) {
	case CC_DFSELECT:
		return vp->device_feature_select;
	case CC_DF:
		return vp->device_feature_select < 2
			   ? (uint32_t)(d->offered >> (32 * vp->device_feature_select))
			   : 0;
	case CC_GFSELECT:
		return vp->driver_feature_select;
	case CC_GF:
		return vp->driver_feature_select < 2
			   ? (uint32_t)(d->driver_features >> (32 * vp->driver_feature_select))
			   : 0;
	case CC_MSIX_CONFIG:
		return vp->config_vector;
	case CC_NUM_QUEUES:
		return d->nqueues;
	case CC_STATUS:
		return d->status;
	case CC_Q_SELECT:
		return vp->queue_select;
	case CC_Q_SIZE:
		return q ? q->size : 0;
	case CC_Q_MSIX:
		return q ? vp->queue_vector[vp->queue_select] : VIRTIO_MSI_NO_VECTOR;
	case CC_Q_ENABLE:
		return q && q->ready;
	case CC_Q_NOTIFY_OFF:
		return vp->queue_select;
	case CC_Q_DESC:
		return q ? q->desc_gpa : 0;
	case CC_Q_DRIVER:
		return q ? q->avail_gpa : 0;
	case CC_Q_DEVICE:
		return q ? q->used_gpa : 0;
	default: /* config_generation (never changes), notify data, queue reset */
		return 0;
	}
}

static void reset_transport(struct virtio_pci *vp)
{
	vp->device_feature_select = vp->driver_feature_select = 0;
	vp->config_vector = VIRTIO_MSI_NO_VECTOR;
	vp->queue_select = 0;
	for (unsigned i = 0; i < VIRTIO_PCI_MAX_QUEUES; i++)
		vp->queue_vector[i] = VIRTIO_MSI_NO_VECTOR;
	vp->isr = 0;
	vp->again = 0;
}

static uint16_t vector_or_none(const struct virtio_pci *vp, uint64_t v)
{
	return v < vp->msix.layout.vectors ? (uint16_t)v : VIRTIO_MSI_NO_VECTOR;
}

static void common_set(struct virtio_pci *vp, unsigned reg, uint64_t v)
{
	struct virtio_dev *d = vp->dev;
	struct virtq *q = selected(vp);
	bool q_writable = q && !q->ready;
	switch (reg) {
	case CC_DFSELECT:
		vp->device_feature_select = (uint32_t)v;
		return;
	case CC_GFSELECT:
		vp->driver_feature_select = (uint32_t)v;
		return;
	case CC_GF:
		if (vp->driver_feature_select < 2) {
			unsigned shift = 32 * vp->driver_feature_select;
			d->driver_features = (d->driver_features & ~(0xffffffffull << shift)) |
					     ((uint64_t)(uint32_t)v << shift);
		}
		return;
	case CC_MSIX_CONFIG:
		vp->config_vector = vector_or_none(vp, v);
		return;
	case CC_STATUS:
		virtio_set_status(d, (uint8_t)v);
		if (!(uint8_t)v)
			reset_transport(vp);
		return;
	case CC_Q_SELECT:
		vp->queue_select = (uint16_t)v;
		return;
	case CC_Q_SIZE:
		if (q_writable)
			q->size = (uint16_t)v;
		return;
	case CC_Q_MSIX:
		if (q_writable)
			vp->queue_vector[vp->queue_select] = vector_or_none(vp, v);
		return;
	case CC_Q_ENABLE:
		if (q_writable && v == 1)
			virtio_queue_enable(d, vp->queue_select);
		return;
	case CC_Q_DESC:
		if (q_writable)
			q->desc_gpa = v;
		return;
	case CC_Q_DRIVER:
		if (q_writable)
			q->avail_gpa = v;
		return;
	case CC_Q_DEVICE:
		if (q_writable)
			q->used_gpa = v;
		return;
	default: /* read-only registers */
		return;
	}
}

/* Register at a common-configuration offset: its start and width, or width 0. */
static unsigned common_reg(unsigned off, unsigned *start)
{
	static const uint8_t widths[CC_SIZE] = {
	    [CC_DFSELECT] = 4, [CC_DF] = 4,	       [CC_GFSELECT] = 4,	[CC_GF] = 4,
	    [CC_MSIX_CONFIG] = 2, [CC_NUM_QUEUES] = 2, [CC_STATUS] = 1,	[CC_CFG_GENERATION] = 1,
	    [CC_Q_SELECT] = 2,	  [CC_Q_SIZE] = 2,     [CC_Q_MSIX] = 2,		[CC_Q_ENABLE] = 2,
	    [CC_Q_NOTIFY_OFF] = 2, [CC_Q_DESC] = 8,    [CC_Q_DRIVER] = 8,	[CC_Q_DEVICE] = 8,
	    [CC_Q_NOTIFY_DATA] = 2, [CC_Q_RESET] = 2,
	};
	for (unsigned s = off < CC_SIZE ? off + 1 : 0; s-- > 0;) {
		if (widths[s]) {
			*start = s;
			return s + widths[s] > off ? widths[s] : 0;
		}
	}
	return 0;
}

static void common_access(struct virtio_pci *vp, uint64_t off, struct mmio_access *a)
{
	unsigned start, width = common_reg((unsigned)off, &start);
	/* The whole register, or a 32-bit half of a 64-bit one. */
	bool whole = width && off == start && a->size == width;
	bool half = width == 8 && a->size == 4 && (off - start) % 4 == 0;
	if (!whole && !half) {
		if (!a->write)
			a->value = 0;
		return;
	}
	unsigned shift = 8 * (unsigned)(off - start);
	uint64_t mask = a->size == 8 ? ~0ull : ((1ull << (8 * a->size)) - 1) << shift;
	uint64_t cur = common_get(vp, start);
	if (!a->write)
		a->value = (cur & mask) >> shift;
	else
		common_set(vp, start, (cur & ~mask) | ((a->value << shift) & mask));
}

static void notify(struct virtio_pci *vp, unsigned q)
{
	if (virtio_notify(vp->dev, q) == VIRTIO_PENDING)
		vp->again |= 1u << q;
	else
		vp->again &= ~(1u << q);
}

static void regs_access(struct virtio_pci *vp, uint64_t off, struct mmio_access *a)
{
	if (off < VIRTIO_PCI_ISR) {
		common_access(vp, off - VIRTIO_PCI_COMMON, a);
	} else if (off < VIRTIO_PCI_DEVICE_CFG) {
		if (!a->write) { /* reading the ISR acknowledges it */
			a->value = off == VIRTIO_PCI_ISR ? vp->isr : 0;
			if (off == VIRTIO_PCI_ISR)
				vp->isr = 0;
		}
	} else if (off < VIRTIO_PCI_NOTIFY) {
		if (!a->write) {
			uint64_t v = 0;
			virtio_config_read(vp->dev, off - VIRTIO_PCI_DEVICE_CFG, &v, a->size);
			a->value = v;
		}
	} else if (a->write) {
		uint64_t q = (off - VIRTIO_PCI_NOTIFY) / VIRTIO_PCI_NOTIFY_MULT;
		if ((off - VIRTIO_PCI_NOTIFY) % VIRTIO_PCI_NOTIFY_MULT == 0 && q < vp->dev->nqueues)
			notify(vp, (unsigned)q);
	} else {
		a->value = 0;
	}
}

static void bar_mmio(void *ctx, unsigned bar, uint64_t offset, struct mmio_access *a)
{
	struct virtio_pci *vp = ctx;
	if (msix_mmio(&vp->msix, bar, offset, a))
		return;
	if (bar == VIRTIO_PCI_REGS_BAR)
		regs_access(vp, offset, a);
	else if (!a->write)
		a->value = ~0ull;
}

/* The PCI configuration access capability's data window reaches the BAR location its
 * bar/offset/length fields select (§4.1.4.9): a write of the window writes there, a read
 * of the window reads from there first. Other selections do nothing. */
static void cfg_window_access(struct virtio_pci *vp, bool write)
{
	uint8_t *cap = &vp->pci.config[vp->cfg_cap];
	uint32_t len = get32(cap + CAP_LENGTH), off = get32(cap + CAP_OFFSET);
	if (cap[CAP_BAR] != VIRTIO_PCI_REGS_BAR || (len != 1 && len != 2 && len != 4) ||
	    off % len || off >= VIRTIO_PCI_REGS_SIZE)
		return;
	struct mmio_access a = {.size = (uint8_t)len, .write = write, .value = get32(cap + CAP_EXTRA)};
	regs_access(vp, off, &a);
	if (!write)
		for (uint32_t i = 0; i < len; i++)
			cap[CAP_EXTRA + i] = (uint8_t)(a.value >> (8 * i));
}

static bool touches_cfg_window(const struct virtio_pci *vp, unsigned offset, unsigned size)
{
	unsigned data = vp->cfg_cap + CAP_EXTRA;
	return vp->cfg_cap && offset < data + 4 && data < offset + size;
}

/* PCI 3.0 6.2.2: a function without Bus Master Enable may not access memory. */
static void sync_bus_master(struct virtio_pci *vp)
{
	vp->dev->dma_blocked = !(pci_config_read(&vp->pci, PCI_COMMAND, 2) & PCI_COMMAND_MASTER);
}

static void config_written(void *ctx, unsigned offset, unsigned size)
{
	struct virtio_pci *vp = ctx;
	sync_bus_master(vp);
	msix_config_written(&vp->msix);
	if (touches_cfg_window(vp, offset, size))
		cfg_window_access(vp, true);
}

static void config_read(void *ctx, unsigned offset, unsigned size)
{
	struct virtio_pci *vp = ctx;
	if (touches_cfg_window(vp, offset, size))
		cfg_window_access(vp, false);
}

static const struct pci_device_ops virtio_pci_ops = {
    .bar_mmio = bar_mmio,
    .config_written = config_written,
    .config_read = config_read,
};

static void irq_used(void *ctx, unsigned q)
{
	struct virtio_pci *vp = ctx;
	vp->isr |= VIRTIO_ISR_QUEUE;
	if (msix_enabled(&vp->msix) && vp->queue_vector[q] != VIRTIO_MSI_NO_VECTOR)
		msix_notify(&vp->msix, vp->queue_vector[q]);
}

static void irq_config(void *ctx)
{
	struct virtio_pci *vp = ctx;
	vp->isr |= VIRTIO_ISR_CONFIG;
	if (msix_enabled(&vp->msix) && vp->config_vector != VIRTIO_MSI_NO_VECTOR)
		msix_notify(&vp->msix, vp->config_vector);
}

bool virtio_pci_init(struct virtio_pci *vp, struct virtio_dev *dev, uint32_t class_code,
		     void (*deliver)(void *ctx, uint64_t address, uint32_t data), void *ctx)
{
	memset(vp, 0, sizeof *vp);
	if (dev->nqueues > VIRTIO_PCI_MAX_QUEUES)
		return false;
	vp->dev = dev;
	vp->deliver = deliver;
	vp->ctx = ctx;
	dev->irq = (struct virtio_irq){.used = irq_used, .config = irq_config, .ctx = vp};
	struct pci_ids ids = {
	    .vendor = VIRTIO_PCI_VENDOR,
	    .device = (uint16_t)(VIRTIO_PCI_DEVICE_BASE + dev->device_id),
	    .subsystem_vendor = VIRTIO_PCI_VENDOR,
	    .subsystem = VIRTIO_PCI_SUBSYSTEM,
	    .revision = 1,
	    .class_base = (uint8_t)(class_code >> 16),
	    .class_sub = (uint8_t)(class_code >> 8),
	    .class_prog = (uint8_t)class_code,
	};
	pci_device_init(&vp->pci, &ids, &virtio_pci_ops, vp);
	struct msix_layout layout = {
	    .vectors = dev->nqueues + 1,
	    .table_bar = VIRTIO_PCI_MSIX_BAR,
	    .pba_bar = VIRTIO_PCI_MSIX_BAR,
	    .table_offset = 0,
	    .pba_offset = VIRTIO_PCI_MSIX_SIZE / 2,
	};
	/* The PCI configuration access capability: bar, offset, length and data writable. */
	static const uint8_t cfg_wmask[CAP_LEN_EXT] = {
	    [CAP_BAR] = 0xff,	     [CAP_OFFSET] = 0xff,     [CAP_OFFSET + 1] = 0xff,
	    [CAP_OFFSET + 2] = 0xff, [CAP_OFFSET + 3] = 0xff, [CAP_LENGTH] = 0xff,
	    [CAP_LENGTH + 1] = 0xff, [CAP_LENGTH + 2] = 0xff, [CAP_LENGTH + 3] = 0xff,
	    [CAP_EXTRA] = 0xff,	     [CAP_EXTRA + 1] = 0xff,  [CAP_EXTRA + 2] = 0xff,
	    [CAP_EXTRA + 3] = 0xff,
	};
	bool ok = pci_device_add_bar(&vp->pci, VIRTIO_PCI_REGS_BAR, VIRTIO_PCI_REGS_SIZE,
				     PCI_BAR_MEM32) &&
		  pci_device_add_bar(&vp->pci, VIRTIO_PCI_MSIX_BAR, VIRTIO_PCI_MSIX_SIZE,
				     PCI_BAR_MEM32) &&
		  add_cap(&vp->pci, VIRTIO_PCI_CAP_COMMON_CFG, VIRTIO_PCI_COMMON, CC_SIZE, 0, false,
			  0, 0) &&
		  add_cap(&vp->pci, VIRTIO_PCI_CAP_NOTIFY_CFG, VIRTIO_PCI_NOTIFY,
			  VIRTIO_PCI_NOTIFY_MULT * dev->nqueues, VIRTIO_PCI_NOTIFY_MULT, true, 0,
			  0) &&
		  add_cap(&vp->pci, VIRTIO_PCI_CAP_ISR_CFG, VIRTIO_PCI_ISR, 1, 0, false, 0, 0) &&
		  add_cap(&vp->pci, VIRTIO_PCI_CAP_DEVICE_CFG, VIRTIO_PCI_DEVICE_CFG,
			  dev->config_len ? dev->config_len : 1, 0, false, 0, 0) &&
		  add_cap(&vp->pci, VIRTIO_PCI_CAP_PCI_CFG, 0, 0, 0, true, cfg_wmask, &vp->cfg_cap) &&
		  msix_init(&vp->msix, &vp->pci, &layout, deliver, ctx);
	reset_transport(vp);
	sync_bus_master(vp);
	return ok;
}

bool virtio_pci_poll(struct virtio_pci *vp)
{
	uint32_t again = vp->again;
	for (unsigned q = 0; again; q++, again >>= 1)
		if (again & 1)
			notify(vp, q);
	return vp->again != 0;
}

void virtio_pci_reset(struct virtio_pci *vp)
{
	virtio_reset(vp->dev);
	reset_transport(vp);
}
