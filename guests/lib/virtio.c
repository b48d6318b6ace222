#include "guests/lib/virtio.h"
#include "guests/lib/exit.h"
#include "guests/lib/lapic.h"
#include "guests/lib/mmio.h"
#include "guests/lib/printf.h"
#include "guests/lib/string.h"
#include "guests/lib/tsc.h"
#include "guests/lib/x86.h"

#define PAGE_SIZE	4096u
#define RESET_POLLS	100000 /* status reads before a reset counts as stuck */
#define CFG_GEN_RETRIES 16     /* §4.1.4.3: config_generation changed under a read */
#define RING_PAGES	3      /* descriptors, avail, used: one page each up to 256 entries */
#define DESC_PAGE	0
#define AVAIL_PAGE	1
#define USED_PAGE	2

static u8 *arena;
static u32 arena_size, arena_used;

/* The compiler may not move ring accesses across this; x86 keeps stores and loads in order. */
static inline void ring_barrier(void)
{
	__asm__ volatile("" : : : "memory");
}

void virtio_arena_init(void *base, u32 size)
{
	arena = base;
	arena_size = size;
	arena_used = 0;
}

void *virtio_alloc(u32 bytes, u32 align)
{
	u32 base = (u32)arena;
	u32 at = ((base + arena_used + align - 1) & ~(align - 1)) - base;

	if (at > arena_size || bytes > arena_size - at) {
		printf("virtio: out of arena memory (%u bytes wanted)\n", bytes);
		guest_exit(EXIT_FAIL);
	}
	arena_used = at + bytes;
	memset(arena + at, 0, bytes);
	return arena + at;
}

u8 vcc_read8(const struct virtio_dev *d, u32 off)
{
	return mmio_read8(d->common + off);
}

u16 vcc_read16(const struct virtio_dev *d, u32 off)
{
	return mmio_read16(d->common + off);
}

u32 vcc_read32(const struct virtio_dev *d, u32 off)
{
	return mmio_read32(d->common + off);
}

void vcc_write8(const struct virtio_dev *d, u32 off, u8 v)
{
	mmio_write8(d->common + off, v);
}

void vcc_write16(const struct virtio_dev *d, u32 off, u16 v)
{
	mmio_write16(d->common + off, v);
}

void vcc_write32(const struct virtio_dev *d, u32 off, u32 v)
{
	mmio_write32(d->common + off, v);
}

void vcc_write64(const struct virtio_dev *d, u32 off, u64 v)
{
	mmio_write32(d->common + off, (u32)v);
	mmio_write32(d->common + off + 4, (u32)(v >> 32));
}

/* The MMIO address of a capability's structure; 0 if its BAR is not a usable memory BAR. */
static u32 cap_address(const struct pci_func *f, u8 cap, u32 *length)
{
	u8 bar = pci_read8(f, (u8)(cap + VIRTIO_PCI_CAP_BAR));
	u32 base = bar < PCI_NUM_BARS ? pci_bar_address(f, bar) : 0;

	if (length)
		*length = pci_read32(f, (u8)(cap + VIRTIO_PCI_CAP_LENGTH));
	return base ? base + pci_read32(f, (u8)(cap + VIRTIO_PCI_CAP_OFFSET)) : 0;
}

/* §4.1.4: the first capability of each type that the driver can use is the one to use. */
static void read_vendor_caps(struct virtio_dev *d)
{
	const struct pci_func *f = &d->pci;

	for (u8 cap = pci_find_cap(f, PCI_CAP_ID_VENDOR, 0); cap;
	     cap = pci_find_cap(f, PCI_CAP_ID_VENDOR, cap)) {
		u8 type = pci_read8(f, (u8)(cap + VIRTIO_PCI_CAP_CFG_TYPE));
		u32 len, at = cap_address(f, cap, &len);
		if (!at)
			continue;
		if (type == VIRTIO_PCI_CAP_COMMON_CFG && !d->common && len >= VIRTIO_CC_SIZE)
			d->common = at;
		else if (type == VIRTIO_PCI_CAP_NOTIFY_CFG && !d->notify) {
			d->notify = at;
			d->notify_mult = pci_read32(f, (u8)(cap + VIRTIO_PCI_CAP_NOTIFY_MUL));
		} else if (type == VIRTIO_PCI_CAP_ISR_CFG && !d->isr)
			d->isr = at;
		else if (type == VIRTIO_PCI_CAP_DEVICE_CFG && !d->device_cfg)
			d->device_cfg = at;
	}
}

static bool read_msix_cap(struct virtio_dev *d)
{
	const struct pci_func *f = &d->pci;
	u8 cap = pci_find_cap(f, PCI_CAP_ID_MSIX, 0);

	if (!cap)
		return false;
	u32 table = pci_read32(f, (u8)(cap + MSIX_CAP_TABLE));
	u32 pba = pci_read32(f, (u8)(cap + MSIX_CAP_PBA));
	u32 table_bar = pci_bar_address(f, table & MSIX_BIR_MASK);
	u32 pba_bar = pci_bar_address(f, pba & MSIX_BIR_MASK);
	if (!table_bar || !pba_bar)
		return false;
	d->msix_cap = cap;
	d->msix_table = table_bar + (table & ~MSIX_BIR_MASK);
	d->msix_pba = pba_bar + (pba & ~MSIX_BIR_MASK);
	d->msix_entries =
	    (u16)((pci_read16(f, (u8)(cap + MSIX_CAP_CONTROL)) & MSIX_CONTROL_SIZE) + 1);
	return true;
}

bool virtio_open(struct virtio_dev *d, const struct pci_func *f)
{
	*d = (struct virtio_dev){.pci = *f};
	if (f->vendor != VIRTIO_PCI_VENDOR || f->device < VIRTIO_PCI_MODERN_BASE ||
	    f->device > VIRTIO_PCI_MODERN_LAST)
		return false;
	d->type = f->device - VIRTIO_PCI_MODERN_BASE;
	read_vendor_caps(d);
	if (!d->common || !d->notify || !d->isr || !read_msix_cap(d))
		return false;
	pci_enable(f, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	return true;
}

u8 virtio_status(const struct virtio_dev *d)
{
	return vcc_read8(d, VIRTIO_CC_STATUS);
}

bool virtio_reset(const struct virtio_dev *d)
{
	vcc_write8(d, VIRTIO_CC_STATUS, 0);
	for (u32 i = 0; i < RESET_POLLS; i++)
		if (virtio_status(d) == 0)
			return true;
	return false;
}

void virtio_add_status(const struct virtio_dev *d, u8 bits)
{
	vcc_write8(d, VIRTIO_CC_STATUS, (u8)(virtio_status(d) | bits));
}

u64 virtio_device_features(const struct virtio_dev *d)
{
	vcc_write32(d, VIRTIO_CC_DFSELECT, 0);
	u32 lo = vcc_read32(d, VIRTIO_CC_DF);
	vcc_write32(d, VIRTIO_CC_DFSELECT, 1);
	u32 hi = vcc_read32(d, VIRTIO_CC_DF);
	return (u64)hi << 32 | lo;
}

void virtio_write_features(const struct virtio_dev *d, u64 features)
{
	vcc_write32(d, VIRTIO_CC_GFSELECT, 0);
	vcc_write32(d, VIRTIO_CC_GF, (u32)features);
	vcc_write32(d, VIRTIO_CC_GFSELECT, 1);
	vcc_write32(d, VIRTIO_CC_GF, (u32)(features >> 32));
}

bool virtio_negotiate(struct virtio_dev *d, u64 wanted)
{
	if (!virtio_reset(d))
		return false;
	virtio_add_status(d, VIRTIO_STATUS_ACKNOWLEDGE);
	virtio_add_status(d, VIRTIO_STATUS_DRIVER);
	d->features = virtio_device_features(d) & wanted;
	virtio_write_features(d, d->features);
	virtio_add_status(d, VIRTIO_STATUS_FEATURES_OK);
	return virtio_status(d) & VIRTIO_STATUS_FEATURES_OK;
}

u8 virtio_cfg_read8(const struct virtio_dev *d, u32 off)
{
	return mmio_read8(d->device_cfg + off);
}

u16 virtio_cfg_read16(const struct virtio_dev *d, u32 off)
{
	return mmio_read16(d->device_cfg + off);
}

u32 virtio_cfg_read32(const struct virtio_dev *d, u32 off)
{
	return mmio_read32(d->device_cfg + off);
}

u64 virtio_cfg_read64(const struct virtio_dev *d, u32 off)
{
	u32 lo = 0, hi = 0;

	for (u32 i = 0; i < CFG_GEN_RETRIES; i++) {
		u8 gen = vcc_read8(d, VIRTIO_CC_CFG_GEN);
		lo = mmio_read32(d->device_cfg + off);
		hi = mmio_read32(d->device_cfg + off + 4);
		if (vcc_read8(d, VIRTIO_CC_CFG_GEN) == gen)
			break;
	}
	return (u64)hi << 32 | lo;
}

void virtio_msix_enable(const struct virtio_dev *d)
{
	u8 at = (u8)(d->msix_cap + MSIX_CAP_CONTROL);
	u16 ctl = pci_read16(&d->pci, at);

	pci_write16(&d->pci, at, (u16)((ctl | MSIX_CONTROL_ENABLE) & ~MSIX_CONTROL_MASKALL));
}

void virtio_msix_function_mask(const struct virtio_dev *d, bool masked)
{
	u8 at = (u8)(d->msix_cap + MSIX_CAP_CONTROL);
	u16 ctl = pci_read16(&d->pci, at);

	ctl = masked ? (u16)(ctl | MSIX_CONTROL_MASKALL) : (u16)(ctl & ~MSIX_CONTROL_MASKALL);
	pci_write16(&d->pci, at, ctl);
}

static u32 msix_entry_addr(const struct virtio_dev *d, u16 entry)
{
	return d->msix_table + (u32)entry * MSIX_ENTRY_SIZE;
}

void virtio_msix_route(const struct virtio_dev *d, u16 entry, u8 vector, bool masked)
{
	u32 e = msix_entry_addr(d, entry);

	/* Mask first: the entry must never send with half its fields updated. */
	mmio_write32(e + MSIX_ENTRY_CONTROL, MSIX_ENTRY_MASKED);
	mmio_write32(e + MSIX_ENTRY_ADDR_LO, lapic_msi_address());
	mmio_write32(e + MSIX_ENTRY_ADDR_HI, 0);
	mmio_write32(e + MSIX_ENTRY_DATA, vector);
	mmio_write32(e + MSIX_ENTRY_CONTROL, masked ? MSIX_ENTRY_MASKED : 0);
}

void virtio_msix_mask(const struct virtio_dev *d, u16 entry, bool masked)
{
	mmio_write32(msix_entry_addr(d, entry) + MSIX_ENTRY_CONTROL,
		     masked ? MSIX_ENTRY_MASKED : 0);
}

bool virtio_msix_pending(const struct virtio_dev *d, u16 entry)
{
	return (mmio_read32(d->msix_pba + 4u * (entry / 32)) >> (entry % 32)) & 1;
}

bool virtio_set_config_vector(const struct virtio_dev *d, u16 entry)
{
	vcc_write16(d, VIRTIO_CC_MSIX_CONFIG, entry);
	return vcc_read16(d, VIRTIO_CC_MSIX_CONFIG) == entry;
}

bool virtq_enable_at(const struct virtio_dev *d, u16 index, u16 size, u64 desc, u64 avail, u64 used)
{
	vcc_write16(d, VIRTIO_CC_Q_SELECT, index);
	vcc_write16(d, VIRTIO_CC_Q_SIZE, size);
	vcc_write64(d, VIRTIO_CC_Q_DESC, desc);
	vcc_write64(d, VIRTIO_CC_Q_DRIVER, avail);
	vcc_write64(d, VIRTIO_CC_Q_DEVICE, used);
	vcc_write16(d, VIRTIO_CC_Q_ENABLE, 1);
	return vcc_read16(d, VIRTIO_CC_Q_ENABLE) == 1;
}

bool virtq_create(struct virtq *q, struct virtio_dev *d, u16 index, u16 size, u16 msix_entry)
{
	if (size == 0 || size > VIRTQ_MAX_SIZE)
		return false;
	vcc_write16(d, VIRTIO_CC_Q_SELECT, index);
	u16 max = vcc_read16(d, VIRTIO_CC_Q_SIZE);
	if (max < size)
		return false;
	if (!q->ring_mem)
		q->ring_mem = (u32)virtio_alloc(RING_PAGES * PAGE_SIZE, PAGE_SIZE);
	memset((void *)q->ring_mem, 0, RING_PAGES * PAGE_SIZE);
	q->dev = d;
	q->index = index;
	q->size = size;
	q->desc = (volatile struct virtq_desc *)(q->ring_mem + DESC_PAGE * PAGE_SIZE);
	q->avail = (volatile struct virtq_avail *)(q->ring_mem + AVAIL_PAGE * PAGE_SIZE);
	q->used = (volatile struct virtq_used *)(q->ring_mem + USED_PAGE * PAGE_SIZE);
	q->next_avail = q->last_used = q->kicked_avail = 0;
	q->kicks_skipped = 0;
	q->free_head = 0;
	q->num_free = size;
	for (u16 i = 0; i < size; i++)
		q->desc[i].next = (u16)(i + 1);
	q->msix_entry = msix_entry;
	q->event_idx = d->features & VIRTIO_F_EVENT_IDX;
	q->notify_addr = d->notify + vcc_read16(d, VIRTIO_CC_Q_NOTIFY_OFF) * d->notify_mult;
	vcc_write16(d, VIRTIO_CC_Q_MSIX, msix_entry);
	if (vcc_read16(d, VIRTIO_CC_Q_MSIX) != msix_entry)
		return false;
	return virtq_enable_at(d, index, size, (u32)q->desc, (u32)q->avail, (u32)q->used);
}

int virtq_add(struct virtq *q, const struct virtq_buf *bufs, unsigned nout, unsigned nin)
{
	unsigned n = nout + nin;

	if (n == 0 || n > q->num_free)
		return -1;
	u16 head = q->free_head, i = head;
	for (unsigned b = 0; b < n; b++) {
		volatile struct virtq_desc *d = &q->desc[i];
		d->addr = bufs[b].addr;
		d->len = bufs[b].len;
		d->flags = (u16)((b >= nout ? VIRTQ_DESC_F_WRITE : 0) |
				 (b + 1 < n ? VIRTQ_DESC_F_NEXT : 0));
		if (b + 1 < n)
			i = d->next; /* the free list's order is the chain's */
	}
	q->free_head = q->desc[i].next;
	q->num_free = (u16)(q->num_free - n);
	virtq_publish(q, head);
	return head;
}

void virtq_publish(struct virtq *q, u16 head)
{
	q->avail->ring[q->next_avail % q->size] = head;
	ring_barrier(); /* the entry before the index that hands it over */
	q->next_avail++;
	q->avail->idx = q->next_avail;
	ring_barrier();
}

/* avail_event (§2.7.8): the le16 right after the used ring's elements, which the device
 * writes at any time; read with one MOV the compiler can neither elide nor reorder. */
static u16 avail_event(const struct virtq *q)
{
	return mmio_read16((u32)&q->used->ring[q->size]);
}

void virtq_kick(struct virtq *q)
{
	u16 old = q->kicked_avail, now = q->next_avail;

	q->kicked_avail = now;
	if (q->event_idx) {
		/* avail.idx must be visible before avail_event is read (a store-load order). */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		u16 event = avail_event(q);
		if ((u16)(now - event - 1) >= (u16)(now - old)) {
			q->kicks_skipped++;
			return;
		}
	}
	mmio_write16(q->notify_addr, q->index);
}

/* Returns the chain at `head` to the free list; a bad head or a chain that does not end
 * (only a broken device could produce either) leaves the list alone. */
static void free_chain(struct virtq *q, u32 head)
{
	if (head >= q->size)
		return;
	u16 last = (u16)head, n = 1;
	while ((q->desc[last].flags & VIRTQ_DESC_F_NEXT) && n < q->size) {
		last = q->desc[last].next;
		n++;
	}
	q->desc[last].next = q->free_head;
	q->free_head = (u16)head;
	q->num_free = (u16)(q->num_free + n);
}

bool virtq_get_used(struct virtq *q, u32 *id, u32 *len)
{
	if (q->used->idx == q->last_used)
		return false;
	ring_barrier(); /* the element after the index that published it */
	volatile struct virtq_used_elem *e = &q->used->ring[q->last_used % q->size];
	*id = e->id;
	*len = e->len;
	q->last_used++;
	free_chain(q, *id);
	if (q->event_idx)
		q->avail->ring[q->size] = q->last_used; /* used_event (§2.7.10) */
	return true;
}

bool virtq_wait_used(struct virtq *q, u32 *id, u32 *len, u32 ms)
{
	u64 end = rdtsc() + tsc_from_ms(ms);
	bool got;

	sti();
	while (!(got = virtq_get_used(q, id, len)) && rdtsc() < end)
		cpu_relax();
	cli();
	return got;
}
