/* A VM's PCI bus as a hostile driver sees it: the host bridge and four virtio-pci functions
 * (blk over a RAM disk, net on a switch with one open port, console, rng), reached through
 * configuration mechanism #1 and the memory window (BAR moves, command bits, capabilities,
 * common configuration, notifications, the ISR, MSI-X table and PBA), over guest RAM the
 * input fills with rings and requests. A macro step brings a queue up by the rules so the
 * request handlers are reached. Checked: no access outside guest RAM (fuzz_gmem.h); one step
 * does bounded work; the disk backend is only asked for bytes inside the disk; an MSI-X
 * message goes out only while MSI-X is enabled and the function unmasked, from an unmasked
 * table entry, as that entry says; a frame leaves the NIC only with the NIC's own source MAC
 * and a length the switch allows; entropy requests stay within a request's maximum. */
#include "devices/eth_switch.h"
#include "devices/pci.h"
#include "devices/virtio_blk.h"
#include "devices/virtio_console.h"
#include "devices/virtio_net.h"
#include "devices/virtio_pci.h"
#include "devices/virtio_rng.h"
#include "tests/fuzz/fuzz_gmem.h"

#define MEM_BASE   0xc0000000ull /* the platform's window (kernel/vm_devices.h) */
#define MEM_LIMIT  0xfeafffffull
#define IO_BASE	   0xc000u
#define IO_LIMIT   0xffffu
#define NDEV	   4
#define DISK_BYTES (8 * VIRTIO_BLK_SECTOR_SIZE + 100) /* a trailing partial sector */
#define OPS_MAX	   2048
/* Guest pages one step may translate: the budget of a notification (chains, bytes) with
 * every chain as long as a queue, for each function, with room to spare. */
#define STEP_TRANSLATIONS                                                                          \
	(NDEV * (VIRTIO_BUDGET_CHAINS * (4ull * VIRTIO_QUEUE_SIZE + 16) +                          \
		 2 * VIRTIO_BUDGET_BYTES / GMEM_PAGE_SIZE + 64))

static struct fuzz_gmem g;
static struct pci_bus bus;
static struct eth_switch sw;
static struct virtio_blk blk;
static struct virtio_net net;
static struct virtio_console con;
static struct virtio_rng rng;
static struct virtio_pci vp[NDEV];
static uint8_t disk[DISK_BYTES];
static struct blk_ram disk_ram;
static const uint8_t nic_mac[ETH_ALEN] = {0x02, 0, 0, 0, 0, 1};

static void deliver(void *ctx, uint64_t address, uint32_t data)
{
	const struct virtio_pci *p = ctx;
	const struct msix *m = &p->msix;
	uint16_t ctl = (uint16_t)pci_config_read(&p->pci, m->cap + MSIX_CAP_CONTROL, 2);
	FUZZ_CHECK((ctl & MSIX_CONTROL_ENABLE) && !(ctl & MSIX_CONTROL_MASKALL));
	bool from_entry = false;
	for (unsigned v = 0; v < m->layout.vectors; v++) {
		const uint32_t *e = m->table[v];
		from_entry |= !(e[MSIX_ENTRY_CONTROL / 4] & MSIX_ENTRY_MASKED) &&
			      e[MSIX_ENTRY_DATA / 4] == data &&
			      ((uint64_t)e[MSIX_ENTRY_ADDR_HI / 4] << 32 |
			       e[MSIX_ENTRY_ADDR_LO / 4]) == address;
	}
	FUZZ_CHECK(from_entry);
}

static bool disk_read(void *ctx, uint64_t offset, void *dst, uint64_t len)
{
	(void)ctx;
	FUZZ_CHECK(len <= DISK_BYTES && offset <= DISK_BYTES - len);
	memcpy(dst, disk + offset, len);
	return true;
}

static bool disk_write(void *ctx, uint64_t offset, const void *src, uint64_t len)
{
	(void)ctx;
	FUZZ_CHECK(len <= DISK_BYTES && offset <= DISK_BYTES - len);
	memcpy(disk + offset, src, len);
	return true;
}

static bool disk_flush(void *ctx)
{
	(void)ctx;
	return true;
}

static uint64_t disk_size(void *ctx)
{
	(void)ctx;
	return DISK_BYTES;
}

static uint64_t entropy(void *ctx, void *buf, uint64_t n)
{
	(void)ctx;
	FUZZ_CHECK(n <= VIRTIO_RNG_REQUEST_MAX);
	memset(buf, 0xa5, n);
	return n;
}

static void console_out(void *ctx, const uint8_t *p, uint64_t n)
{
	(void)ctx;
	(void)p;
	FUZZ_CHECK(n > 0);
}

/* The other end of the wire: whatever the NIC sends arrives here. */
static bool open_port_rx(void *ctx, const uint8_t *frame, uint32_t len)
{
	(void)ctx;
	FUZZ_CHECK(len >= ETH_HLEN && len <= ETH_FRAME_MAX);
	FUZZ_CHECK(memcmp(frame + ETH_ALEN, nic_mac, ETH_ALEN) == 0);
	return true;
}

static void setup(uint64_t ram, bool read_only)
{
	fuzz_gmem_init(&g, ram);
	pci_bus_init(&bus, MEM_BASE, MEM_LIMIT, IO_BASE, IO_LIMIT);
	eth_switch_init(&sw);
	memset(disk, 0x3c, sizeof disk);
	struct blk_backend be = {disk_read, disk_write, disk_flush, disk_size, &disk_ram};
	virtio_blk_init(&blk, &g.mem, &be, read_only, "fuzz-disk");
	FUZZ_CHECK(virtio_net_init(&net, &g.mem, &sw, nic_mac));
	FUZZ_CHECK(eth_switch_add_port(&sw, NULL, open_port_rx, NULL) >= 0);
	virtio_console_init(&con, &g.mem, console_out, NULL);
	virtio_rng_init(&rng, &g.mem, entropy, NULL);
	struct virtio_dev *devs[NDEV] = {&blk.dev, &net.dev, &con.dev, &rng.dev};
	static const uint32_t classes[NDEV] = {0x010000, 0x020000, 0x078000, 0x00ff00};
	for (unsigned i = 0; i < NDEV; i++) {
		FUZZ_CHECK(virtio_pci_init(&vp[i], devs[i], classes[i], deliver, &vp[i]));
		FUZZ_CHECK(pci_bus_attach(&bus, 1 + i, &vp[i].pci));
	}
}

static uint32_t port_rw(uint16_t port, uint8_t size, bool write, uint32_t value)
{
	struct io_access a = {.port = port, .size = size, .write = write, .value = value};
	pci_conf1_io(&bus, &a);
	return a.value;
}

static void cfg_write(unsigned slot, unsigned off, uint8_t size, uint32_t v)
{
	port_rw(0xcf8, 4, true, 0x80000000u | slot << 11 | (off & 0xfc));
	port_rw((uint16_t)(0xcfc + (off & 3)), size, true, v);
}

static uint64_t mem_rw(uint64_t gpa, uint8_t size, bool write, uint64_t v)
{
	struct mmio_access a = {.gpa = gpa, .size = size, .write = write, .value = v};
	if (gpa >= MEM_BASE && gpa - MEM_BASE <= MEM_LIMIT - MEM_BASE)
		pci_mmio_window(&bus, gpa - MEM_BASE, &a);
	return a.value;
}

static uint64_t bar_address(const struct virtio_pci *p, unsigned bar)
{
	return pci_config_read(&p->pci, PCI_BAR0 + 4 * bar, 4) & ~0xfull;
}

/* Brings queue q of function i up as a driver following the rules would, with the layout
 * and MSI-X routing the input chooses. */
static void bring_up(struct fuzz_input *in, unsigned i)
{
	struct virtio_pci *p = &vp[i];
	cfg_write(1 + i, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	uint64_t regs = bar_address(p, VIRTIO_PCI_REGS_BAR), cc = regs + VIRTIO_PCI_COMMON;
	uint64_t msix = bar_address(p, VIRTIO_PCI_MSIX_BAR);
	mem_rw(cc + 0x14, 1, true, 0);
	mem_rw(cc + 0x14, 1, true, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	for (unsigned half = 0; half < 2; half++) {
		mem_rw(cc + 0x00, 4, true, half);
		uint64_t offered = mem_rw(cc + 0x04, 4, false, 0);
		mem_rw(cc + 0x08, 4, true, half);
		mem_rw(cc + 0x0c, 4, true, offered & ~(uint64_t)fuzz_u8(in));
	}
	mem_rw(cc + 0x14, 1, true,
	       VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	uint16_t q = (uint16_t)fuzz_below(in, 3);
	mem_rw(cc + 0x16, 2, true, q);
	mem_rw(cc + 0x18, 2, true, 1u << fuzz_below(in, 9));
	mem_rw(cc + 0x1a, 2, true, fuzz_below(in, 4));
	mem_rw(cc + 0x20, 8, true, fuzz_gpa(in, g.mem.size) & ~0xfull);
	mem_rw(cc + 0x28, 8, true, fuzz_gpa(in, g.mem.size) & ~0x1ull);
	mem_rw(cc + 0x30, 8, true, fuzz_gpa(in, g.mem.size) & ~0x3ull);
	mem_rw(cc + 0x1c, 2, true, 1);
	for (unsigned v = 0; v < 4; v++) {
		uint64_t e = msix + v * MSIX_ENTRY_SIZE;
		mem_rw(e + MSIX_ENTRY_ADDR_LO, 4, true, 0xfee00000u);
		mem_rw(e + MSIX_ENTRY_DATA, 4, true, 0x30 + v);
		mem_rw(e + MSIX_ENTRY_CONTROL, 4, true, fuzz_bool(in));
	}
	uint8_t cap = p->msix.cap;
	cfg_write(1 + i, cap + MSIX_CAP_CONTROL, 2, MSIX_CONTROL_ENABLE);
	mem_rw(cc + 0x14, 1, true,
	       VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
		   VIRTIO_STATUS_DRIVER_OK);
}

static void step(struct fuzz_input *in)
{
	unsigned i = fuzz_below(in, NDEV);
	switch (fuzz_below(in, 10)) {
	case 0: /* configuration mechanism #1, any port, width and value */
		port_rw((uint16_t)(0xcf8 + fuzz_below(in, 8)), fuzz_width(in, 4), fuzz_bool(in),
			fuzz_u32(in));
		break;
	case 1: /* a config register of one of our functions */
		cfg_write(fuzz_below(in, NDEV + 2), fuzz_u8(in), fuzz_width(in, 4), fuzz_u32(in));
		break;
	case 2:
	case 3: { /* a register of a BAR, or just past it */
		unsigned bar = fuzz_below(in, 2);
		uint64_t size = bar ? VIRTIO_PCI_MSIX_SIZE : VIRTIO_PCI_REGS_SIZE;
		uint64_t at = bar_address(&vp[i], bar) + fuzz_u16(in) % (size + 16);
		mem_rw(at, fuzz_width(in, 8), fuzz_bool(in), fuzz_u64(in));
		break;
	}
	case 4: /* anywhere in the window */
		mem_rw(MEM_BASE + fuzz_u32(in) % (MEM_LIMIT - MEM_BASE + 1), fuzz_width(in, 8),
		       fuzz_bool(in), fuzz_u64(in));
		break;
	case 5: /* a notification: queue index as the driver writes it */
		mem_rw(bar_address(&vp[i], 0) + VIRTIO_PCI_NOTIFY + 4 * fuzz_below(in, 4), 2, true,
		       fuzz_u16(in));
		break;
	case 6: { /* the driver writes rings and requests */
		unsigned n = 1 + fuzz_below(in, 16);
		uint64_t at = fuzz_u32(in) % g.mem.size;
		for (unsigned k = 0; k < n; k++, at += 8)
			fuzz_gmem_write(&g, at, fuzz_u64(in), 8);
		break;
	}
	case 7:
		bring_up(in, i);
		break;
	case 8: { /* input from outside: typed bytes, a frame from the wire */
		uint8_t frame[64] = {0};
		unsigned n = fuzz_below(in, sizeof frame);
		for (unsigned k = 0; k < n; k++)
			frame[k] = fuzz_u8(in);
		if (fuzz_bool(in))
			(void)virtio_console_input(&con, frame, n);
		else
			eth_switch_send(&sw, 1, frame, n);
		break;
	}
	default:
		(void)virtio_pci_poll(&vp[i]);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = fuzz_input(data, size);
	uint64_t ram = GMEM_PAGE_SIZE * (1 + fuzz_below(&in, FUZZ_GMEM_PAGES));
	setup(ram, fuzz_bool(&in));
	for (unsigned op = 0; op < OPS_MAX && fuzz_more(&in); op++) {
		uint64_t before = g.translations;
		step(&in);
		FUZZ_CHECK(g.translations - before <= STEP_TRANSLATIONS);
	}
	fuzz_gmem_free(&g);
	return 0;
}
