/* The virtio-pci transport driven as Linux's virtio_pci_modern does it: config space and
 * capabilities through configuration mechanism #1, the registers through the PCI window,
 * interrupts as MSI-X messages. The devices behind it are virtio-rng and virtio-blk. */
#include "devices/virtio_blk.h"
#include "devices/virtio_pci.h"
#include "devices/virtio_rng.h"
#include "tests/unit/pci_harness.h"
#include "tests/unit/virtio_harness.h"

#define SLOT 3

static struct tmem tm;
static struct pci_bus bus;
static struct virtio_rng rng;
static struct virtio_pci vp;
static uint64_t last_addr;
static uint32_t last_data;
static unsigned messages;

static void deliver(void *ctx, uint64_t address, uint32_t data)
{
	(void)ctx;
	last_addr = address;
	last_data = data;
	messages++;
}

static uint64_t fill(void *ctx, void *buf, uint64_t n)
{
	(void)ctx;
	memset(buf, 0xab, n);
	return n;
}

static uint64_t bar0, bar1;

static void setup(void)
{
	tmem_init(&tm, TMEM_SIZE);
	pci_bus_init(&bus, MEM_BASE, MEM_LIMIT, IO_BASE, IO_LIMIT);
	virtio_rng_init(&rng, &tm.mem, fill, 0);
	CHECK(virtio_pci_init(&vp, &rng.dev, 0x00ff00, deliver, 0));
	CHECK(pci_bus_attach(&bus, SLOT, &vp.pci));
	bar0 = cfg_read(&bus, SLOT, PCI_BAR0, 4) & ~0xfull;
	bar1 = cfg_read(&bus, SLOT, PCI_BAR0 + 4, 4) & ~0xfull;
	cfg_write(&bus, SLOT, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	messages = 0;
}

static uint64_t rd(uint64_t off, uint8_t size)
{
	return mem_rw(&bus, bar0 + off, size, false, 0);
}

static void wr(uint64_t off, uint8_t size, uint64_t v)
{
	mem_rw(&bus, bar0 + off, size, true, v);
}

/* The offset of the vendor capability with cfg_type `type`, 0 if none. */
static unsigned find_cap(unsigned type)
{
	for (unsigned at = cfg_read(&bus, SLOT, PCI_CAPABILITY_LIST, 1); at;
	     at = cfg_read(&bus, SLOT, at + 1, 1))
		if (cfg_read(&bus, SLOT, at, 1) == PCI_CAP_ID_VENDOR &&
		    cfg_read(&bus, SLOT, at + 3, 1) == type)
			return at;
	return 0;
}

TEST(identity_is_a_modern_only_device)
{
	setup();
	CHECK_EQ(cfg_read(&bus, SLOT, PCI_VENDOR_ID, 2), 0x1af4);
	CHECK_EQ(cfg_read(&bus, SLOT, PCI_DEVICE_ID, 2), 0x1044); /* 0x1040 + rng (4) */
	CHECK_EQ(cfg_read(&bus, SLOT, PCI_REVISION_ID, 1), 1);
	CHECK_EQ(cfg_read(&bus, SLOT, PCI_SUBSYSTEM_ID, 2), 0x40);
	CHECK_EQ(cfg_read(&bus, SLOT, PCI_CLASS_BASE, 1), 0x00);
	CHECK_EQ(cfg_read(&bus, SLOT, PCI_CLASS_SUB, 1), 0xff);
	CHECK_EQ(cfg_read(&bus, SLOT, PCI_INTERRUPT_PIN, 1), 0);
	CHECK(bar0 >= MEM_BASE && bar0 % VIRTIO_PCI_REGS_SIZE == 0);
	CHECK(bar1 >= MEM_BASE && bar1 != bar0);
	tmem_free(&tm);
}

TEST(capabilities_describe_bar0)
{
	setup();
	static const struct {
		unsigned type;
		uint32_t offset, length;
	} want[] = {{1, 0x0000, 0x3c}, {2, 0x3000, 4}, {3, 0x1000, 1}, {4, 0x2000, 1}};
	for (unsigned i = 0; i < 4; i++) {
		unsigned at = find_cap(want[i].type);
		CHECK(at != 0);
		CHECK_EQ(cfg_read(&bus, SLOT, at + 4, 1), 0); /* BAR 0 */
		CHECK_EQ(cfg_read(&bus, SLOT, at + 8, 4), want[i].offset);
		CHECK_EQ(cfg_read(&bus, SLOT, at + 12, 4), want[i].length);
	}
	CHECK_EQ(cfg_read(&bus, SLOT, find_cap(2) + 16, 4), 4); /* notify_off_multiplier */
	CHECK_EQ(cfg_read(&bus, SLOT, find_cap(2) + 2, 1), 20);
	CHECK(find_cap(5) != 0);
	tmem_free(&tm);
}

/* The driver's probe: reset, features, queue setup, DRIVER_OK. */
static void bring_up(uint16_t queue_vector)
{
	wr(0x14, 1, 0);
	CHECK_EQ(rd(0x14, 1), 0);
	wr(0x14, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(0x00, 4, 1);
	CHECK_EQ(rd(0x04, 4), 1); /* VERSION_1 is bit 32 */
	wr(0x08, 4, 1);
	wr(0x0c, 4, 1);
	wr(0x08, 4, 0);
	wr(0x0c, 4, 0);
	wr(0x14, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	CHECK(rd(0x14, 1) & VIRTIO_STATUS_FEATURES_OK);
	wr(0x16, 2, 0);
	CHECK_EQ(rd(0x18, 2), VIRTIO_QUEUE_SIZE);
	wr(0x18, 2, 8);
	wr(0x1a, 2, queue_vector);
	wr(0x20, 4, RING_DESC(0));
	wr(0x24, 4, 0);
	wr(0x28, 8, RING_AVAIL(0));
	wr(0x30, 8, RING_USED(0));
	wr(0x1c, 2, 1);
	CHECK_EQ(rd(0x1c, 2), 1);
	wr(0x14, 1, 0xf & ~VIRTIO_STATUS_FAILED);
}

static void enable_msix(void)
{
	unsigned at = cfg_read(&bus, SLOT, PCI_CAPABILITY_LIST, 1);
	while (at && cfg_read(&bus, SLOT, at, 1) != PCI_CAP_ID_MSIX)
		at = cfg_read(&bus, SLOT, at + 1, 1);
	CHECK(at != 0);
	CHECK_EQ(cfg_read(&bus, SLOT, at + 2, 2) & 0x7ff, 1); /* 2 vectors: queue + config */
	for (unsigned v = 0; v < 2; v++) {
		mem_rw(&bus, bar1 + 16 * v, 4, true, 0xfee01000u);
		mem_rw(&bus, bar1 + 16 * v + 8, 4, true, 0x40 + v);
		mem_rw(&bus, bar1 + 16 * v + 12, 4, true, 0);
	}
	cfg_write(&bus, SLOT, at + 2, 2, MSIX_CONTROL_ENABLE);
}

TEST(queue_kick_fills_buffer_and_sends_msix)
{
	setup();
	enable_msix();
	bring_up(0);
	CHECK_EQ(rd(0x1e, 2), 0); /* notify offset of queue 0 */
	struct tring r = {.t = &tm, .q = &rng.vq[0], .size = 8, .desc = RING_DESC(0),
			  .avail = RING_AVAIL(0), .used = RING_USED(0)};
	ring_desc(&r, 0, BUF, 16, VIRTQ_DESC_F_WRITE, 0);
	ring_post(&r, 0);
	wr(0x3000, 2, 0);
	CHECK_EQ(ring_used_idx(&r), 1);
	CHECK_EQ(ring_used_len(&r, 0), 16);
	CHECK_EQ(grn(&tm, BUF, 1), 0xab);
	CHECK_EQ(messages, 1);
	CHECK_EQ(last_addr, 0xfee01000u);
	CHECK_EQ(last_data, 0x40);
	CHECK_EQ(rd(0x1000, 1), VIRTIO_ISR_QUEUE);
	CHECK_EQ(rd(0x1000, 1), 0); /* reading acknowledged it */
	tmem_free(&tm);
}

TEST(queue_registers_frozen_once_enabled)
{
	setup();
	bring_up(0);
	wr(0x18, 2, 4);
	wr(0x20, 8, 0x5000);
	CHECK_EQ(rd(0x18, 2), 8);
	CHECK_EQ(rd(0x20, 8), RING_DESC(0));
	CHECK_EQ(rd(0x24, 4), 0); /* high half on its own */
	tmem_free(&tm);
}

TEST(refused_vector_reads_no_vector)
{
	setup();
	wr(0x10, 2, 7); /* the table has 2 entries */
	CHECK_EQ(rd(0x10, 2), VIRTIO_MSI_NO_VECTOR);
	wr(0x10, 2, 1);
	CHECK_EQ(rd(0x10, 2), 1);
	wr(0x16, 2, 0);
	wr(0x1a, 2, 2);
	CHECK_EQ(rd(0x1a, 2), VIRTIO_MSI_NO_VECTOR);
	wr(0x16, 2, 5); /* no such queue */
	CHECK_EQ(rd(0x18, 2), 0);
	CHECK_EQ(rd(0x1a, 2), VIRTIO_MSI_NO_VECTOR);
	tmem_free(&tm);
}

TEST(status_zero_resets_transport_and_queues)
{
	setup();
	bring_up(1);
	wr(0x10, 2, 1);
	wr(0x14, 1, 0);
	CHECK_EQ(rd(0x14, 1), 0);
	CHECK_EQ(rd(0x10, 2), VIRTIO_MSI_NO_VECTOR);
	wr(0x16, 2, 0);
	CHECK_EQ(rd(0x1a, 2), VIRTIO_MSI_NO_VECTOR);
	CHECK_EQ(rd(0x1c, 2), 0);
	CHECK_EQ(rd(0x18, 2), VIRTIO_QUEUE_SIZE);
	tmem_free(&tm);
}

TEST(feature_windows_and_refusal)
{
	setup();
	wr(0x00, 4, 0);
	CHECK_EQ(rd(0x04, 4), (uint32_t)VIRTIO_F_COMMON);
	wr(0x00, 4, 2);
	CHECK_EQ(rd(0x04, 4), 0);
	/* A driver without VERSION_1: FEATURES_OK does not stick. */
	wr(0x14, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(0x08, 4, 0);
	wr(0x0c, 4, 0);
	wr(0x14, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	CHECK_EQ(rd(0x14, 1) & VIRTIO_STATUS_FEATURES_OK, 0);
	CHECK_EQ(rd(0x12, 2), 1); /* num_queues */
	tmem_free(&tm);
}

TEST(odd_widths_are_harmless)
{
	setup();
	CHECK_EQ(rd(0x12, 1), 0);     /* half of num_queues */
	CHECK_EQ(rd(0x01, 2), 0);     /* straddles a register */
	wr(0x16, 4, 0xffffffff);      /* too wide */
	CHECK_EQ(rd(0x16, 2), 0);
	CHECK_EQ(rd(0x3001, 1), 0);   /* notify area reads 0 */
	wr(0x3002, 2, 0);             /* not at a queue's notify address: ignored */
	CHECK_EQ(rd(0x1004, 4), 0);   /* past the ISR byte */
	tmem_free(&tm);
}

TEST(device_config_through_bar0)
{
	static struct virtio_blk blk;
	static struct blk_ram ram;
	static uint8_t disk[8 * 512];
	struct blk_backend be;
	tmem_init(&tm, TMEM_SIZE);
	pci_bus_init(&bus, MEM_BASE, MEM_LIMIT, IO_BASE, IO_LIMIT);
	blk_ram_backend(&be, &ram, disk, sizeof disk);
	virtio_blk_init(&blk, &tm.mem, &be, false, "disk.img");
	CHECK(virtio_pci_init(&vp, &blk.dev, 0x010000, deliver, 0));
	CHECK(pci_bus_attach(&bus, SLOT, &vp.pci));
	bar0 = cfg_read(&bus, SLOT, PCI_BAR0, 4) & ~0xfull;
	cfg_write(&bus, SLOT, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	CHECK_EQ(cfg_read(&bus, SLOT, PCI_DEVICE_ID, 2), 0x1042);
	CHECK_EQ(cfg_read(&bus, SLOT, PCI_CLASS_BASE, 1), 0x01);
	CHECK_EQ(rd(0x2000, 8), 8); /* capacity in sectors */
	CHECK_EQ(rd(0x2000, 4), 8);
	tmem_free(&tm);
}

/* §4.1.4.9: a read of pci_cfg_data reads the selected BAR register. */
TEST(pci_cfg_capability_reads_bar0)
{
	setup();
	unsigned at = find_cap(5);
	CHECK(at != 0);
	wr(0x16, 2, 3);				/* queue_select, through the BAR */
	cfg_write(&bus, SLOT, at + 4, 1, 0);	/* BAR 0 */
	cfg_write(&bus, SLOT, at + 8, 4, 0x16); /* queue_select */
	cfg_write(&bus, SLOT, at + 12, 4, 2);	/* 2 bytes */
	CHECK_EQ(cfg_read(&bus, SLOT, at + 16, 4) & 0xffff, 3);
	CHECK_EQ(cfg_read(&bus, SLOT, at + 16, 2), 3);
	cfg_write(&bus, SLOT, at + 8, 4, 0x12); /* num_queues */
	CHECK_EQ(cfg_read(&bus, SLOT, at + 16, 2), 1);
	wr(0x16, 2, 0);
	cfg_write(&bus, SLOT, at + 8, 4, 0x16);
	CHECK_EQ(cfg_read(&bus, SLOT, at + 16, 1), 0);
	cfg_write(&bus, SLOT, at + 12, 4, 3); /* an illegal length: nothing is read */
	wr(0x16, 2, 5);
	CHECK_EQ(cfg_read(&bus, SLOT, at + 16, 1), 0);
	tmem_free(&tm);
}

TEST(pci_cfg_capability_writes_reach_bar0)
{
	setup();
	unsigned at = find_cap(5);
	CHECK(at != 0);
	cfg_write(&bus, SLOT, at + 4, 1, 0);	  /* BAR 0 */
	cfg_write(&bus, SLOT, at + 8, 4, 0x16);	  /* queue_select */
	cfg_write(&bus, SLOT, at + 12, 4, 2);	  /* 2 bytes */
	cfg_write(&bus, SLOT, at + 16, 4, 0x3);	  /* select queue 3 */
	CHECK_EQ(rd(0x16, 2), 3);
	cfg_write(&bus, SLOT, at + 12, 4, 3);	  /* an illegal length: nothing happens */
	cfg_write(&bus, SLOT, at + 16, 4, 0x0);
	CHECK_EQ(rd(0x16, 2), 3);
	tmem_free(&tm);
}

/* PCI 3.0 6.2.2: without Bus Master Enable the function may not touch memory, so a notified
 * buffer waits, untouched, until bus mastering is back and the driver notifies again. */
TEST(bus_master_off_blocks_guest_memory_access)
{
	setup();
	enable_msix();
	bring_up(0);
	struct tring r = {.t = &tm, .q = &rng.vq[0], .size = 8, .desc = RING_DESC(0),
			  .avail = RING_AVAIL(0), .used = RING_USED(0)};
	ring_desc(&r, 0, BUF, 16, VIRTQ_DESC_F_WRITE, 0);
	ring_post(&r, 0);
	cfg_write(&bus, SLOT, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	CHECK(!virtio_running(&rng.dev));
	wr(0x3000, 2, 0);
	CHECK_EQ(ring_used_idx(&r), 0);
	CHECK_EQ(grn(&tm, BUF, 1), 0);
	CHECK_EQ(messages, 0);
	cfg_write(&bus, SLOT, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	CHECK(virtio_running(&rng.dev));
	wr(0x3000, 2, 0);
	CHECK_EQ(ring_used_idx(&r), 1);
	CHECK_EQ(grn(&tm, BUF, 1), 0xab);
	CHECK_EQ(messages, 1);
	tmem_free(&tm);
}

CHECK_MAIN("virtio_pci", CASE(identity_is_a_modern_only_device), CASE(capabilities_describe_bar0),
	   CASE(queue_kick_fills_buffer_and_sends_msix), CASE(queue_registers_frozen_once_enabled),
	   CASE(refused_vector_reads_no_vector), CASE(status_zero_resets_transport_and_queues),
	   CASE(feature_windows_and_refusal), CASE(odd_widths_are_harmless),
	   CASE(device_config_through_bar0), CASE(pci_cfg_capability_writes_reach_bar0),
	   CASE(bus_master_off_blocks_guest_memory_access), CASE(pci_cfg_capability_reads_bar0))
