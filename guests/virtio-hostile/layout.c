/* Queue layouts the device must refuse at queue_enable (virtio 1.2 §2.7 alignment, Queue
 * Size a power of 2 no larger than offered; rings wholly in RAM, so never on MMIO such as
 * the device's own registers), and queue registers that must not move once enabled. */
#include "guests/lib/lapic.h"
#include "guests/lib/report.h"
#include "guests/virtio-hostile/hostile.h"
#include "kernel/guest_abi.h"

#define QSIZE	     8
#define PAGE	     4096u
#define WRAP_PAGE    0xfffffffffffff000ull
#define BELOW_RAM_4G 0x40000000u /* 1 GiB: above the RAM of a small VM */

struct layout {
	const char *what;
	u16 size;
	u64 desc, avail, used;
};

/* Rings that would be valid at ring memory `base`, then spoiled one way each. */
static unsigned bad_layouts(const struct rig *r, u32 base, struct layout *out)
{
	u64 desc = base, avail = base + PAGE, used = base + 2 * PAGE;
	unsigned n = 0;

	out[n++] = (struct layout){"Queue Size 0", 0, desc, avail, used};
	out[n++] = (struct layout){"Queue Size 6 (not a power of 2)", 6, desc, avail, used};
	out[n++] =
	    (struct layout){"Queue Size 512 (above the offered 256)", 512, desc, avail, used};
	out[n++] = (struct layout){"Queue Size 32768", 32768, desc, avail, used};
	out[n++] = (struct layout){"descriptor table 8-byte aligned", QSIZE, desc + 8, avail, used};
	out[n++] = (struct layout){"avail ring at an odd address", QSIZE, desc, avail + 1, used};
	out[n++] = (struct layout){"used ring 2-byte aligned", QSIZE, desc, avail, used + 2};
	out[n++] = (struct layout){"descriptor table above RAM", QSIZE, BELOW_RAM_4G, avail, used};
	out[n++] = (struct layout){"avail ring wrapping past 2^64", QSIZE, desc, WRAP_PAGE, used};
	out[n++] = (struct layout){"used ring on the LAPIC page", QSIZE, desc, avail, LAPIC_BASE};
	out[n++] =
	    (struct layout){"used ring on the device's own registers", QSIZE, desc, avail, r->bar0};
	out[n++] = (struct layout){"used ring on the MMIO test device", QSIZE, desc, avail,
				   MHV_TESTDEV_GPA};
	out[n++] = (struct layout){"used ring across the end of RAM", QSIZE, desc, avail,
				   env.ram_end - 16};
	out[n++] = (struct layout){"descriptor table across the end of RAM", QSIZE,
				   env.ram_end - 64, avail, used};
	return n;
}

void abuse_layout(struct rig *rng)
{
	struct virtio_dev *d = &rng->dev;
	struct layout bad[16];

	/* Once up, for the ring memory of queue 0, which the layouts below then borrow. */
	if (!rig_up(rng, 0, QSIZE))
		return;
	u32 base = rng->q[0].ring_mem;
	unsigned n = bad_layouts(rng, base, bad);
	for (unsigned i = 0; i < n; i++) {
		if (!virtio_negotiate(d, VIRTIO_F_VERSION_1)) {
			report(false, "%s: negotiation before '%s'", rng->name, bad[i].what);
			continue;
		}
		bool refused =
		    !virtq_enable_at(d, 0, bad[i].size, bad[i].desc, bad[i].avail, bad[i].used);
		report(refused, "%s: queue_enable reads 0: %s", rng->name, bad[i].what);
	}

	/* The used ring on top of the descriptor table is only aligned wrong for nothing: it is
	 * accepted, and using it corrupts the driver's own descriptors. The device must come
	 * through (completed or NEEDS_RESET) and work again after a reset. */
	bool overlap = virtio_negotiate(d, VIRTIO_F_VERSION_1) &&
		       virtq_enable_at(d, 0, QSIZE, base, base + PAGE, base);
	struct virtq_desc *desc = (struct virtq_desc *)base;
	volatile struct virtq_avail *avail = (volatile struct virtq_avail *)(base + PAGE);
	desc[0] = (struct virtq_desc){(u32)env.scratch, 16, VIRTQ_DESC_F_WRITE, 0};
	avail->ring[0] = 0;
	avail->idx = 1;
	virtio_add_status(d, VIRTIO_STATUS_DRIVER_OK);
	virtq_kick(&rng->q[0]);
	bool survived = virtio_reset(d) && rig_up(rng, 0, QSIZE);
	report(overlap && survived,
	       "%s: a used ring on top of the descriptor table: the device comes through",
	       rng->name);

	/* A good layout after all that; then its registers must hold still while enabled. */
	bool enabled = virtio_negotiate(d, VIRTIO_F_VERSION_1) &&
		       virtq_enable_at(d, 0, QSIZE, base, base + PAGE, base + 2 * PAGE);
	vcc_write64(d, VIRTIO_CC_Q_DESC, BELOW_RAM_4G);
	vcc_write64(d, VIRTIO_CC_Q_DEVICE, LAPIC_BASE);
	vcc_write16(d, VIRTIO_CC_Q_SIZE, 2);
	bool held = vcc_read32(d, VIRTIO_CC_Q_DESC) == base &&
		    vcc_read32(d, VIRTIO_CC_Q_DEVICE) == base + 2 * PAGE &&
		    vcc_read16(d, VIRTIO_CC_Q_SIZE) == QSIZE;
	report(enabled && held, "%s: an enabled queue ignores new sizes and addresses", rng->name);
	virtio_reset(d);
}
