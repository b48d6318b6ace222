/* The VM's PCI functions and virtio devices: random configuration-space writes (BARs moved
 * over the window, other devices or nowhere, command bits, capability fields), MSI-X table
 * entries and control, common-configuration registers, and virtqueues whose rings hold
 * random descriptors (loops, indirect tables, lengths near 2^32) before a notification.
 * Every address a device may write to is either in our pool or where we have no RAM, so
 * the device can only hurt us where we let it; mhv must check all the others. The BARs and
 * command registers are put back after each operation. */
#include "guests/lib/virtio.h"
#include "guests/chaos/chaos.h"
#include "guests/lib/x86.h"
#include "kernel/guest_abi.h"

#define MAX_FUNCS 8
/* The pool: a page each for descriptors, the avail ring, the used ring and indirect tables,
 * then pages for the buffers. A device writes only to the last two kinds, so what it writes
 * never becomes a descriptor. */
enum pool_page {
	POOL_DESC,
	POOL_AVAIL,
	POOL_USED,
	POOL_INDIRECT,
	POOL_DATA,
	POOL_PAGES = POOL_DATA + 2
};
#define PCI_CFG_BYTES  256
#define PCI_BAR_LAST   (PCI_BAR0 + 4 * PCI_NUM_BARS)
#define PCI_WINDOW_LOW 0xc0000000u /* the host bridge's memory window (the DSDT's _CRS) */
#define PCI_WINDOW_TOP 0xfeb00000u
#define MSI_ADDR_BASE  0xfee00000u /* MSI address: 0xfee, destination 19:12, RH 3, DM 2 */
#define MSI_DM_SHIFT   8	   /* MSI data: delivery mode 10:8 */
#define MSI_DM_INIT    5u	   /* an INIT at our only CPU is a reset: left out */
#define MAX_RING       64	   /* descriptors we fill: the pool holds them */

static struct virtio_dev devs[MAX_FUNCS];
static struct pci_func funcs[MAX_FUNCS];
static u32 saved_bars[MAX_FUNCS][PCI_NUM_BARS];
static u16 saved_command[MAX_FUNCS];
static u32 nfuncs, ndevs;
static u8 pool[POOL_PAGES][PAGE_SIZE] __attribute__((aligned(4096)));

void virtio_setup(void)
{
	nfuncs = pci_scan(funcs, MAX_FUNCS);
	if (nfuncs > MAX_FUNCS)
		nfuncs = MAX_FUNCS;
	for (u32 i = 0; i < nfuncs; i++) {
		if (ndevs < MAX_FUNCS && virtio_open(&devs[ndevs], &funcs[i]))
			ndevs++;
		for (u32 b = 0; b < PCI_NUM_BARS; b++)
			saved_bars[i][b] = pci_read32(&funcs[i], (u8)(PCI_BAR0 + 4 * b));
		saved_command[i] = pci_read16(&funcs[i], PCI_COMMAND);
	}
}

/* BARs first with decoding off, as firmware does, then the command register. */
void pci_restore(void)
{
	for (u32 i = 0; i < nfuncs; i++) {
		pci_write16(&funcs[i], PCI_COMMAND, 0);
		for (u32 b = 0; b < PCI_NUM_BARS; b++)
			pci_write32(&funcs[i], (u8)(PCI_BAR0 + 4 * b), saved_bars[i][b]);
		pci_write16(&funcs[i], PCI_COMMAND, saved_command[i]);
	}
}

/* Where a device may be told to write: our pool, the last page of RAM (which we never use)
 * and across its end, or guest-physical addresses with none of our RAM (past its end, near
 * 2^64, devices). Reads may come from anywhere. */
static u64 dma_write_address(void)
{
	switch (rnd_below(7)) {
	case 0:
	case 1:
		return (u32)pool[POOL_DATA] + rnd_below((POOL_PAGES - POOL_DATA) * PAGE_SIZE);
	case 2:
		return env.ram_bytes - 1 - rnd_below(PAGE_SIZE);
	case 3:
		return env.ram_bytes + rnd_below(0x100000);
	case 4:
		return ~0ull - rnd_below(PAGE_SIZE);
	case 5:
		return rnd_chance(50) ? MHV_TESTDEV_GPA : IOAPIC_BASE;
	default:
		return (u64)(rnd() | 0x80000000u) << 32 | rnd();
	}
}

static u64 dma_read_address(void)
{
	return rnd_chance(20) ? rnd_below(env.ram_bytes) : dma_write_address();
}

/* Where a ring we did not fill may be: nowhere in our RAM, so that no stale bytes of ours
 * become descriptors that aim device writes at us. */
static u64 dma_table_address(void)
{
	u64 a;
	do
		a = dma_write_address();
	while (a < env.ram_bytes);
	return a;
}

static u32 random_length(void)
{
	static const u32 lengths[] = {0, 1, 16, 512, 4096, 0x10000, 0x7fffffff, 0xffffffff};
	return rnd_chance(50) ? rnd_below(2048) : rnd_pick(lengths, COUNT(lengths));
}

static u32 pool_area(enum pool_page page, u32 bytes, u32 align)
{
	u32 slots = (PAGE_SIZE - bytes) / align + 1;
	return (u32)pool[page] + rnd_below(slots) * align;
}

/* Random descriptors: a device-writable buffer always points where we allow writes, and
 * an indirect table is filled the same way (a nested one points out of our RAM). */
static void fill_descriptors(volatile struct virtq_desc *d, u32 n, u32 qsize, bool nested)
{
	for (u32 i = 0; i < n; i++) {
		u16 flags =
		    (u16)(rnd() & (VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_INDIRECT));
		if ((flags & VIRTQ_DESC_F_INDIRECT) && !nested) {
			u32 entries = 1 + rnd_below(8);
			u32 table = pool_area(POOL_INDIRECT, entries * 16, 16);
			fill_descriptors((volatile struct virtq_desc *)table, entries, entries,
					 true);
			d[i].addr = table;
			d[i].len = rnd_chance(80) ? entries * 16 : random_length();
		} else if (flags & VIRTQ_DESC_F_INDIRECT) {
			d[i].addr = dma_table_address();
			d[i].len = random_length();
		} else {
			d[i].addr =
			    (flags & VIRTQ_DESC_F_WRITE) ? dma_write_address() : dma_read_address();
			d[i].len = random_length();
		}
		d[i].flags = flags;
		d[i].next = (u16)(rnd_chance(80) ? rnd_below(qsize + 1) : rnd());
	}
}

static u32 notify_address(const struct virtio_dev *d, u16 queue)
{
	vcc_write16(d, VIRTIO_CC_Q_SELECT, queue);
	u16 off = vcc_read16(d, VIRTIO_CC_Q_NOTIFY_OFF);
	return d->notify + off * d->notify_mult;
}

/* Brings the device up (mostly by the rules), lays out one queue in the pool with random
 * contents and kicks it. */
static void ring_chaos(const struct virtio_dev *d)
{
	u16 nq = vcc_read16(d, VIRTIO_CC_NUM_QUEUES);
	u16 q = (u16)(rnd_chance(90) ? rnd_below(nq + 1u) : rnd());
	static const u32 sizes[] = {1, 2, 4, 8, 16, MAX_RING, 3, 0, 0xffff};
	u16 size = (u16)rnd_pick(sizes, COUNT(sizes));
	u32 filled = size < MAX_RING ? size : MAX_RING;
	if (rnd_chance(80)) {
		vcc_write8(d, VIRTIO_CC_STATUS, 0);
		vcc_write8(d, VIRTIO_CC_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
		vcc_write32(d, VIRTIO_CC_GFSELECT, 0);
		vcc_write32(d, VIRTIO_CC_GF, rnd());
		vcc_write32(d, VIRTIO_CC_GFSELECT, 1);
		vcc_write32(d, VIRTIO_CC_GF, rnd_chance(80) ? 1 : rnd());
		vcc_write8(d, VIRTIO_CC_STATUS,
			   (u8)(vcc_read8(d, VIRTIO_CC_STATUS) | VIRTIO_STATUS_FEATURES_OK));
	}
	u32 desc = pool_area(POOL_DESC, filled * 16, 16);
	u32 avail = pool_area(POOL_AVAIL, 6 + 2 * filled, 2);
	u32 used = pool_area(POOL_USED, 6 + 8 * filled, 4);
	fill_descriptors((volatile struct virtq_desc *)desc, filled, size, false);
	volatile struct virtq_avail *av = (volatile struct virtq_avail *)avail;
	av->flags = (u16)rnd_below(2);
	for (u32 i = 0; i < filled; i++)
		av->ring[i] = (u16)(rnd_chance(85) ? rnd_below(size + 1u) : rnd());
	av->idx = (u16)(rnd_chance(70) ? rnd_below(filled + 2) : rnd());
	trace("virtio type %u: queue %u size %u at 0x%x/0x%x/0x%x, avail idx %u", d->type, q, size,
	      desc, avail, used, av->idx);
	u64 dsc = rnd_chance(90) ? desc : dma_table_address();
	u64 drv = rnd_chance(90) ? avail : dma_table_address();
	u64 dev = rnd_chance(90) ? used : dma_write_address();
	virtq_enable_at(d, q, size, dsc, drv, dev);
	if (rnd_chance(85))
		vcc_write8(d, VIRTIO_CC_STATUS,
			   (u8)(vcc_read8(d, VIRTIO_CC_STATUS) | VIRTIO_STATUS_DRIVER_OK));
	u32 kicks = 1 + rnd_below(3);
	for (u32 k = 0; k < kicks; k++) {
		*(volatile u16 *)notify_address(d, q) = rnd_chance(80) ? q : (u16)rnd();
		av->idx = (u16)(av->idx + rnd_below(3));
	}
	(void)*(volatile u8 *)d->isr;
}

/* Common-configuration registers at random; the three ring addresses only where a device
 * may write. */
static void common_chaos(const struct virtio_dev *d)
{
	u32 n = 1 + rnd_below(8);
	for (u32 i = 0; i < n; i++) {
		u32 off = rnd_below(VIRTIO_CC_SIZE), size = 1u << rnd_below(3);
		off &= ~(size - 1);
		if (off >= VIRTIO_CC_Q_DESC && off < VIRTIO_CC_Q_DEVICE + 8) {
			vcc_write64(d, off & ~7u, dma_table_address());
			continue;
		}
		u32 v = rnd_value();
		if (rnd_chance(40)) {
			if (size == 1)
				(void)vcc_read8(d, off);
			else if (size == 2)
				(void)vcc_read16(d, off);
			else
				(void)vcc_read32(d, off);
		} else if (size == 1) {
			vcc_write8(d, off, (u8)v);
		} else if (size == 2) {
			vcc_write16(d, off, (u16)v);
		} else {
			vcc_write32(d, off, v);
		}
	}
	/* The device-specific configuration and the ISR, read and written. */
	u32 cfg = d->device_cfg ? d->device_cfg : d->isr;
	u32 off = rnd_below(64);
	if (rnd_chance(50))
		*(volatile u8 *)(cfg + off) = (u8)rnd();
	(void)*(volatile u32 *)(cfg + (off & ~3u));
}

/* MSI-X: enable and mask bits, and table entries aimed at any APIC ID, vector and delivery
 * mode but INIT (the only CPU's INIT resets the VM). */
static void msix_chaos(const struct virtio_dev *d)
{
	u8 cap = d->msix_cap;
	u16 ctl = pci_read16(&d->pci, (u8)(cap + MSIX_CAP_CONTROL));
	pci_write16(&d->pci, (u8)(cap + MSIX_CAP_CONTROL),
		    (u16)((ctl & ~(MSIX_CONTROL_ENABLE | MSIX_CONTROL_MASKALL)) |
			  (rnd_chance(80) ? MSIX_CONTROL_ENABLE : 0) |
			  (rnd_chance(20) ? MSIX_CONTROL_MASKALL : 0)));
	u32 n = 1 + rnd_below(4);
	for (u32 i = 0; i < n; i++) {
		u32 entry = rnd_below(d->msix_entries + 2u);
		u32 at = d->msix_table + entry * MSIX_ENTRY_SIZE;
		u32 data = rnd_chance(70) ? 32 + rnd_below(224) : rnd();
		if (((data >> MSI_DM_SHIFT) & 7) == MSI_DM_INIT)
			data &= ~(7u << MSI_DM_SHIFT);
		u32 addr = rnd_chance(80) ? MSI_ADDR_BASE | (rnd() & 0xff00cu) : rnd();
		*(volatile u32 *)(at + MSIX_ENTRY_ADDR_LO) = addr;
		*(volatile u32 *)(at + MSIX_ENTRY_ADDR_HI) = rnd_chance(90) ? 0 : rnd();
		*(volatile u32 *)(at + MSIX_ENTRY_DATA) = data;
		*(volatile u32 *)(at + MSIX_ENTRY_CONTROL) = rnd_below(2);
		(void)*(volatile u32 *)(d->msix_pba + 4 * rnd_below(2));
	}
	vcc_write16(d, VIRTIO_CC_MSIX_CONFIG, (u16)rnd_below(d->msix_entries + 2u));
}

/* A BAR value: in the window, over a device of the platform, all-ones (sizing) or zero. */
static u32 random_bar(void)
{
	switch (rnd_below(5)) {
	case 0:
		return PCI_WINDOW_LOW +
		       rnd_below((PCI_WINDOW_TOP - PCI_WINDOW_LOW) / PAGE_SIZE) * PAGE_SIZE;
	case 1:
		return rnd_chance(50) ? MHV_TESTDEV_GPA : IOAPIC_BASE;
	case 2:
		return ~0u;
	case 3:
		return 0;
	default: /* a 64-bit BAR's upper half moves it above 4 GiB */
		return rnd_below(16);
	}
}

/* Configuration space of any function (or an empty slot) at any offset and width, BARs and
 * the command register most often; the devices are put back afterwards. */
static void config_chaos(void)
{
	struct pci_func empty = {.slot = (u8)(nfuncs + rnd_below(PCI_SLOTS - nfuncs))};
	const struct pci_func *f = rnd_chance(90) && nfuncs ? &funcs[rnd_below(nfuncs)] : &empty;
	u32 n = 1 + rnd_below(6);
	for (u32 i = 0; i < n; i++) {
		u8 off = (u8)rnd_below(PCI_CFG_BYTES);
		if (rnd_chance(30))
			off = (u8)(PCI_BAR0 + 4 * rnd_below(PCI_NUM_BARS));
		else if (rnd_chance(20))
			off = PCI_COMMAND;
		trace("pci %u.%u config 0x%x", f->slot, f->fn, off);
		if (off >= PCI_BAR0 && off < PCI_BAR_LAST)
			pci_write32(f, off & ~3u, random_bar());
		else if (rnd_chance(30))
			(void)pci_read32(f, off & ~3u);
		else if (off & 1)
			pci_write8(f, off, (u8)rnd());
		else if (off & 2)
			pci_write16(f, off, (u16)rnd_value());
		else
			pci_write32(f, off, rnd_value());
	}
	/* Whatever a moved BAR now hits (nothing, another device): reads and writes there. */
	for (u32 b = 0; b < PCI_NUM_BARS && nfuncs; b++) {
		u32 bar = pci_read32(f, (u8)(PCI_BAR0 + 4 * b));
		if ((bar & PCI_BAR_IO) || bar < PCI_WINDOW_LOW || bar >= PCI_WINDOW_TOP)
			continue;
		(void)*(volatile u32 *)(bar & PCI_BAR_MEM_ADDR);
	}
}

void op_virtio(void)
{
	if (rnd_chance(30) || !ndevs) {
		config_chaos();
	} else {
		const struct virtio_dev *d = &devs[rnd_below(ndevs)];
		switch (rnd_below(3)) {
		case 0:
			ring_chaos(d);
			break;
		case 1:
			common_chaos(d);
			break;
		default:
			msix_chaos(d);
			break;
		}
	}
	pci_restore();
}
