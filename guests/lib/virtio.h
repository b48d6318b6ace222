/* A small driver for modern virtio-pci devices (virtio 1.2 §4.1) with split virtqueues
 * (§2.7): finds the vendor capabilities, resets, negotiates features, lays rings out in guest
 * memory, routes one MSI-X vector per queue to this CPU's local APIC, notifies and collects
 * used buffers. The registers and rings stay reachable for guests that want to break the
 * rules on purpose. Little-endian throughout, like the guests. */
#pragma once
#include "guests/lib/pci.h"
#include "guests/lib/types.h"

#define VIRTIO_PCI_VENDOR      0x1af4 /* §4.1.2: every virtio PCI function */
#define VIRTIO_PCI_MODERN_BASE 0x1040 /* §4.1.2: device ID = 0x1040 + device type */
#define VIRTIO_PCI_MODERN_LAST 0x107f

#define VIRTIO_ID_NET	  1 /* §5: device types */
#define VIRTIO_ID_BLOCK	  2
#define VIRTIO_ID_CONSOLE 3
#define VIRTIO_ID_RNG	  4

#define VIRTIO_STATUS_ACKNOWLEDGE 1 /* §2.1 device status */
#define VIRTIO_STATUS_DRIVER	  2
#define VIRTIO_STATUS_DRIVER_OK	  4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_NEEDS_RESET 64
#define VIRTIO_STATUS_FAILED	  128

#define VIRTIO_F_INDIRECT_DESC (1ull << 28) /* §6 reserved feature bits */
#define VIRTIO_F_EVENT_IDX     (1ull << 29)
#define VIRTIO_F_VERSION_1     (1ull << 32)

#define VIRTIO_MSI_NO_VECTOR 0xffff /* §4.1.4.3: no MSI-X vector (also a refused one) */

/* Vendor capability (§4.1.4): cap_vndr, cap_next, cap_len, cfg_type, bar, id, padding[2],
 * offset le32, length le32; the notify capability adds notify_off_multiplier le32. */
#define VIRTIO_PCI_CAP_CFG_TYPE	  3
#define VIRTIO_PCI_CAP_BAR	  4
#define VIRTIO_PCI_CAP_OFFSET	  8
#define VIRTIO_PCI_CAP_LENGTH	  12
#define VIRTIO_PCI_CAP_NOTIFY_MUL 16
#define VIRTIO_PCI_CAP_COMMON_CFG 1
#define VIRTIO_PCI_CAP_NOTIFY_CFG 2
#define VIRTIO_PCI_CAP_ISR_CFG	  3
#define VIRTIO_PCI_CAP_DEVICE_CFG 4
#define VIRTIO_PCI_CAP_PCI_CFG	  5  /* §4.1.4.9: BAR access through config space */
#define VIRTIO_PCI_CAP_CFG_DATA	  16 /* its pci_cfg_data[4] */

/* Common configuration structure (§4.1.4.3), offsets from its start. */
#define VIRTIO_CC_DFSELECT     0x00 /* le32 device_feature_select */
#define VIRTIO_CC_DF	       0x04 /* le32 device_feature */
#define VIRTIO_CC_GFSELECT     0x08 /* le32 driver_feature_select */
#define VIRTIO_CC_GF	       0x0c /* le32 driver_feature */
#define VIRTIO_CC_MSIX_CONFIG  0x10 /* le16 config_msix_vector */
#define VIRTIO_CC_NUM_QUEUES   0x12 /* le16 num_queues */
#define VIRTIO_CC_STATUS       0x14 /* u8 device_status */
#define VIRTIO_CC_CFG_GEN      0x15 /* u8 config_generation */
#define VIRTIO_CC_Q_SELECT     0x16 /* le16 queue_select */
#define VIRTIO_CC_Q_SIZE       0x18 /* le16 queue_size */
#define VIRTIO_CC_Q_MSIX       0x1a /* le16 queue_msix_vector */
#define VIRTIO_CC_Q_ENABLE     0x1c /* le16 queue_enable */
#define VIRTIO_CC_Q_NOTIFY_OFF 0x1e /* le16 queue_notify_off */
#define VIRTIO_CC_Q_DESC       0x20 /* le64 queue_desc */
#define VIRTIO_CC_Q_DRIVER     0x28 /* le64 queue_driver (avail ring) */
#define VIRTIO_CC_Q_DEVICE     0x30 /* le64 queue_device (used ring) */
#define VIRTIO_CC_SIZE	       0x3c

#define VIRTIO_ISR_QUEUE  0x1 /* §4.1.4.5: ISR status bits; reading clears them */
#define VIRTIO_ISR_CONFIG 0x2

/* MSI-X (PCI 3.0 6.8.2): Message Control in the capability, 16-byte table entries. */
#define MSIX_CAP_CONTROL     2
#define MSIX_CAP_TABLE	     4 /* offset 31:3, BIR 2:0 */
#define MSIX_CAP_PBA	     8
#define MSIX_CONTROL_SIZE    0x07ff /* table size - 1 */
#define MSIX_CONTROL_MASKALL 0x4000
#define MSIX_CONTROL_ENABLE  0x8000
#define MSIX_BIR_MASK	     0x7
#define MSIX_ENTRY_SIZE	     16
#define MSIX_ENTRY_ADDR_LO   0x0
#define MSIX_ENTRY_ADDR_HI   0x4
#define MSIX_ENTRY_DATA	     0x8
#define MSIX_ENTRY_CONTROL   0xc
#define MSIX_ENTRY_MASKED    0x1

/* Split virtqueue (§2.7): descriptor flags, and the avail flag that asks for no interrupts. */
#define VIRTQ_DESC_F_NEXT	   1
#define VIRTQ_DESC_F_WRITE	   2
#define VIRTQ_DESC_F_INDIRECT	   4
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define VIRTQ_DESC_ALIGN	   16  /* §2.7: alignment of the descriptor table */
#define VIRTQ_MAX_SIZE		   256 /* largest queue this driver sets up */

struct virtq_desc {
	u64 addr;
	u32 len;
	u16 flags;
	u16 next;
};
_Static_assert(sizeof(struct virtq_desc) == 16, "virtq_desc is 16 bytes");

struct virtq_avail {
	u16 flags;
	u16 idx;
	u16 ring[]; /* [size], then used_event */
};

struct virtq_used_elem {
	u32 id;
	u32 len;
};

struct virtq_used {
	u16 flags;
	u16 idx;
	struct virtq_used_elem ring[]; /* [size], then avail_event */
};

/* Where a device's structures are, as its capabilities say. */
struct virtio_dev {
	struct pci_func pci;
	u32 type;			     /* VIRTIO_ID_* */
	u32 common, isr, device_cfg, notify; /* MMIO addresses */
	u32 notify_mult;
	u32 msix_table, msix_pba;
	u16 msix_entries;
	u8 msix_cap;
	u64 features; /* accepted by the last virtio_negotiate() */
};

struct virtq {
	struct virtio_dev *dev;
	u16 index, size;
	volatile struct virtq_desc *desc;
	volatile struct virtq_avail *avail;
	volatile struct virtq_used *used;
	u32 ring_mem;	/* the three ring pages, reused when the queue is created again */
	u16 next_avail; /* avail.idx as the driver last published it */
	u16 last_used;	/* used entries taken so far */
	u16 free_head, num_free;
	u16 msix_entry; /* VIRTIO_MSI_NO_VECTOR: none */
	u32 notify_addr;
	bool event_idx;	   /* EVENT_IDX negotiated: used_event and avail_event in use */
	u16 kicked_avail;  /* avail.idx at the last notification */
	u32 kicks_skipped; /* notifications avail_event said were not needed */
};

/* One buffer of a chain: guest-physical address and length. */
struct virtq_buf {
	u32 addr;
	u32 len;
};

/* Ring and buffer memory comes from an arena the guest program hands over once (every guest
 * links this library, and most have no use for such a buffer). */
void virtio_arena_init(void *base, u32 size);
/* Zeroed arena memory, aligned (a power of 2); ends the guest when the arena runs out, since
 * a test can do nothing useful then. Never freed. */
void *virtio_alloc(u32 bytes, u32 align);

/* Fills d from f's capabilities and turns on memory decoding and bus mastering. False when a
 * required capability (common, notify, ISR, MSI-X) is missing or not in a 32-bit BAR. */
bool virtio_open(struct virtio_dev *d, const struct pci_func *f);

u8 vcc_read8(const struct virtio_dev *d, u32 off);
u16 vcc_read16(const struct virtio_dev *d, u32 off);
u32 vcc_read32(const struct virtio_dev *d, u32 off);
void vcc_write8(const struct virtio_dev *d, u32 off, u8 v);
void vcc_write16(const struct virtio_dev *d, u32 off, u16 v);
void vcc_write32(const struct virtio_dev *d, u32 off, u32 v);
/* A 64-bit register as two 32-bit halves, low first (§4.1.3.1 allows it). */
void vcc_write64(const struct virtio_dev *d, u32 off, u64 v);

u8 virtio_status(const struct virtio_dev *d);
/* Writes 0 and waits until the device reads 0 back; false if it never does. */
bool virtio_reset(const struct virtio_dev *d);
/* ORs bits into the status register. */
void virtio_add_status(const struct virtio_dev *d, u8 bits);
u64 virtio_device_features(const struct virtio_dev *d);
void virtio_write_features(const struct virtio_dev *d, u64 features);
/* Reset, ACKNOWLEDGE, DRIVER, driver features = offered & wanted, FEATURES_OK, and re-read:
 * true if the device kept FEATURES_OK. d->features holds what was written. */
bool virtio_negotiate(struct virtio_dev *d, u64 wanted);

/* Device configuration space (§4.1.4.6): 64-bit fields read as two halves, retried until
 * config_generation is stable. */
u8 virtio_cfg_read8(const struct virtio_dev *d, u32 off);
u16 virtio_cfg_read16(const struct virtio_dev *d, u32 off);
u32 virtio_cfg_read32(const struct virtio_dev *d, u32 off);
u64 virtio_cfg_read64(const struct virtio_dev *d, u32 off);

/* MSI-X: enable the function (function mask clear); point table entry `entry` at this CPU's
 * APIC with `vector`, masked or not; (un)mask it; read its pending bit. */
void virtio_msix_enable(const struct virtio_dev *d);
void virtio_msix_route(const struct virtio_dev *d, u16 entry, u8 vector, bool masked);
void virtio_msix_mask(const struct virtio_dev *d, u16 entry, bool masked);
/* Sets or clears the function mask in Message Control (MSI-X stays enabled). */
void virtio_msix_function_mask(const struct virtio_dev *d, bool masked);
bool virtio_msix_pending(const struct virtio_dev *d, u16 entry);
/* Selects config_msix_vector; true if the device accepted it (reads it back). */
bool virtio_set_config_vector(const struct virtio_dev *d, u16 entry);

/* Lays out queue `index` with `size` (<= VIRTQ_MAX_SIZE) entries, descriptors, avail and used
 * ring on a page each (arena memory the first time, the same pages again when q is created
 * anew), and enables it with MSI-X table entry `msix_entry` (VIRTIO_MSI_NO_VECTOR: none).
 * False if the device offers a smaller queue, refuses the vector or does not enable it. */
bool virtq_create(struct virtq *q, struct virtio_dev *d, u16 index, u16 size, u16 msix_entry);
/* Writes queue `index`'s size and ring addresses and sets queue_enable; true if it then reads
 * queue_enable 1. For drivers that bring their own layout (good or bad). */
bool virtq_enable_at(const struct virtio_dev *d, u16 index, u16 size, u64 desc, u64 avail,
		     u64 used);
/* Builds a chain of nout device-readable then nin device-writable buffers from free
 * descriptors and makes it available (not notified). Returns its head, or -1 if there are not
 * enough free descriptors. */
int virtq_add(struct virtq *q, const struct virtq_buf *bufs, unsigned nout, unsigned nin);
/* Makes the chain at `head` available as the next avail entry, without any checks. */
void virtq_publish(struct virtq *q, u16 head);
/* Notifies the device of the buffers made available since the last call; with EVENT_IDX
 * only if avail_event asks for one of them (§2.7.10), as Linux does. */
void virtq_kick(struct virtq *q);
/* Takes the next used element, if any, and frees its chain. With EVENT_IDX it then asks for
 * an interrupt with the next used buffer (used_event = the next used index). */
bool virtq_get_used(struct virtq *q, u32 *id, u32 *len);
/* Polls for the next used element for up to ms milliseconds, interrupts enabled (they are
 * disabled again on return). Needs tsc_khz_for_timeouts() first. */
bool virtq_wait_used(struct virtq *q, u32 *id, u32 *len, u32 ms);
