#include "devices/pci.h"
#include "tests/unit/pci_harness.h"

#define MAX_EVENTS 16

/* A device model that records what the bus hands it. BAR reads return a value that names
 * the BAR and offset, so a test can tell which one answered. */
struct fake {
	struct pci_device pci;
	unsigned accesses;
	unsigned last_bar;
	uint64_t last_offset;
	uint64_t last_value; /* written */
	unsigned nchanges;
	struct {
		unsigned bar;
		uint64_t base;
		bool decoding;
	} change[MAX_EVENTS];
	unsigned nwrites;
	unsigned write_offset, write_size;
};

static uint64_t answer(unsigned bar, uint64_t offset)
{
	return 0xb0000000ull + ((uint64_t)bar << 20) + offset;
}

static void fake_mmio(void *ctx, unsigned bar, uint64_t offset, struct mmio_access *a)
{
	struct fake *f = ctx;
	f->accesses++;
	f->last_bar = bar;
	f->last_offset = offset;
	if (a->write)
		f->last_value = a->value;
	else
		a->value = answer(bar, offset);
}

static void fake_io(void *ctx, unsigned bar, uint64_t offset, struct io_access *a)
{
	struct fake *f = ctx;
	f->accesses++;
	f->last_bar = bar;
	f->last_offset = offset;
	if (a->write)
		f->last_value = a->value;
	else
		a->value = (uint32_t)answer(bar, offset) & 0xffff;
}

static void fake_changed(void *ctx, unsigned bar, uint64_t base, bool decoding)
{
	struct fake *f = ctx;
	CHECK(f->nchanges < MAX_EVENTS);
	if (f->nchanges >= MAX_EVENTS)
		return;
	f->change[f->nchanges].bar = bar;
	f->change[f->nchanges].base = base;
	f->change[f->nchanges++].decoding = decoding;
}

static void fake_written(void *ctx, unsigned offset, unsigned size)
{
	struct fake *f = ctx;
	f->nwrites++;
	f->write_offset = offset;
	f->write_size = size;
}

static const struct pci_device_ops fake_ops = {fake_mmio, fake_io, fake_changed, fake_written};
static const struct pci_device_ops mmio_only_ops = {.bar_mmio = fake_mmio};

static const struct pci_ids fake_ids = {
    .vendor = 0x1af4,
    .device = 0x1042,
    .subsystem_vendor = 0x1af4,
    .subsystem = 0x0040,
    .revision = 0x01,
    .class_base = 0x01,
    .class_sub = 0x80,
    .class_prog = 0x00,
    .interrupt_pin = 0,
};

static struct pci_bus bus;

static void setup_bus(uint64_t mem_base, uint64_t mem_limit, uint32_t io_base, uint32_t io_limit)
{
	memset(&bus, 0xa5, sizeof bus); /* init must not rely on zeroed memory */
	pci_bus_init(&bus, mem_base, mem_limit, io_base, io_limit);
}

static void fake_init(struct fake *f)
{
	memset(f, 0, sizeof *f);
	memset(&f->pci, 0xa5, sizeof f->pci);
	pci_device_init(&f->pci, &fake_ids, &fake_ops, f);
}

/* BAR0 16 KiB 32-bit prefetchable, BAR1 32 ports of I/O, BAR2-3 1 MiB 64-bit, at slot 3. */
static void setup_standard(struct fake *f)
{
	setup_bus(MEM_BASE, MEM_LIMIT, IO_BASE, IO_LIMIT);
	fake_init(f);
	CHECK(pci_device_add_bar(&f->pci, 0, 0x4000, PCI_BAR_MEM32 | PCI_BAR_PREFETCH));
	CHECK(pci_device_add_bar(&f->pci, 1, 32, PCI_BAR_IO));
	CHECK(pci_device_add_bar(&f->pci, 2, 0x100000, PCI_BAR_MEM64));
	CHECK(pci_bus_attach(&bus, 3, &f->pci));
}

TEST(address_register)
{
	setup_bus(MEM_BASE, MEM_LIMIT, IO_BASE, IO_LIMIT);
	CHECK_EQ(port_rw(&bus, 0xcf8, 4, false, 0), 0);
	port_rw(&bus, 0xcf8, 4, true, 0x80001808);
	CHECK_EQ(port_rw(&bus, 0xcf8, 4, false, 0), 0x80001808);
	/* Reserved bits 30:24 and 1:0 read 0. */
	port_rw(&bus, 0xcf8, 4, true, 0xffffffff);
	CHECK_EQ(port_rw(&bus, 0xcf8, 4, false, 0), 0x80fffffc);
	/* Linux's type-1 probe: a byte at 0xcfb is not CONFIG_ADDRESS. */
	port_rw(&bus, 0xcf8, 4, true, 0x80000000);
	port_rw(&bus, 0xcfb, 1, true, 0x01);
	CHECK_EQ(port_rw(&bus, 0xcf8, 4, false, 0), 0x80000000);
	port_rw(&bus, 0xcf8, 2, true, 0x1234);
	CHECK_EQ(port_rw(&bus, 0xcf8, 4, false, 0), 0x80000000);
	CHECK_EQ(port_rw(&bus, 0xcf8, 1, false, 0), 0xff);
	CHECK_EQ(port_rw(&bus, 0xcfa, 2, false, 0), 0xffff);
}

TEST(data_widths)
{
	setup_bus(MEM_BASE, MEM_LIMIT, IO_BASE, IO_LIMIT);
	port_rw(&bus, 0xcf8, 4, true, conf1_address(0, 0, 0, 0));
	CHECK_EQ(port_rw(&bus, 0xcfc, 4, false, 0), 0x29c08086);
	CHECK_EQ(port_rw(&bus, 0xcfc, 2, false, 0), 0x8086);
	CHECK_EQ(port_rw(&bus, 0xcfe, 2, false, 0), 0x29c0);
	CHECK_EQ(port_rw(&bus, 0xcfc, 1, false, 0), 0x86);
	CHECK_EQ(port_rw(&bus, 0xcfd, 1, false, 0), 0x80);
	CHECK_EQ(port_rw(&bus, 0xcfe, 1, false, 0), 0xc0);
	CHECK_EQ(port_rw(&bus, 0xcff, 1, false, 0), 0x29);
	CHECK_EQ(port_rw(&bus, 0xcfd, 2, false, 0), 0xc080); /* lanes 1-2 */
	/* Past 0xcff: not this dword. */
	CHECK_EQ(port_rw(&bus, 0xcff, 2, false, 0), 0xffff);
	CHECK_EQ(port_rw(&bus, 0xcfe, 4, false, 0), 0xffffffff);
	/* The register number selects the dword; the port selects the byte in it. */
	port_rw(&bus, 0xcf8, 4, true, conf1_address(0, 0, 0, 0x08));
	CHECK_EQ(port_rw(&bus, 0xcfc, 4, false, 0), 0x06000000);
	CHECK_EQ(port_rw(&bus, 0xcff, 1, false, 0), 0x06);
	/* Byte and word writes land in their lanes: interrupt line is offset 0x3c. */
	cfg_write(&bus, 0, 0x3c, 1, 0x0b);
	CHECK_EQ(cfg_read(&bus, 0, 0x3c, 4), 0x0000000b);
	cfg_write(&bus, 0, 0x04, 2, 0x0006);
	CHECK_EQ(cfg_read(&bus, 0, 0x04, 4), 0x00000006);
	cfg_write(&bus, 0, 0x05, 1, 0x04); /* INTx disable, in the command's high byte */
	CHECK_EQ(cfg_read(&bus, 0, 0x04, 2), 0x0406);
}

TEST(enable_bit_clear)
{
	struct fake f;
	setup_standard(&f);
	port_rw(&bus, 0xcf8, 4, true, conf1_address(0, 3, 0, 0) & ~0x80000000u);
	CHECK_EQ(port_rw(&bus, 0xcfc, 4, false, 0), 0xffffffff);
	CHECK_EQ(port_rw(&bus, 0xcfc, 1, false, 0), 0xff);
	port_rw(&bus, 0xcf8, 4, true, conf1_address(0, 3, 0, 0x04) & ~0x80000000u);
	port_rw(&bus, 0xcfc, 2, true, 0x0007);
	CHECK_EQ(f.nwrites, 0);
	CHECK_EQ(cfg_read(&bus, 3, 0x04, 2), 0);
	CHECK_EQ(cfg_read(&bus, 3, 0x00, 4), 0x10421af4);
}

TEST(absent_functions)
{
	struct fake f;
	setup_standard(&f);
	CHECK_EQ(cfg_read(&bus, 5, 0x00, 4), 0xffffffff);
	CHECK_EQ(cfg_read(&bus, 5, 0x00, 2), 0xffff);
	CHECK_EQ(cfg_read(&bus, 31, 0x08, 4), 0xffffffff);
	/* Function 1 of a present device, and another bus. */
	port_rw(&bus, 0xcf8, 4, true, conf1_address(0, 3, 1, 0));
	CHECK_EQ(port_rw(&bus, 0xcfc, 4, false, 0), 0xffffffff);
	port_rw(&bus, 0xcf8, 4, true, conf1_address(1, 3, 0, 0));
	CHECK_EQ(port_rw(&bus, 0xcfc, 4, false, 0), 0xffffffff);
	/* Writes to nowhere change nothing. */
	port_rw(&bus, 0xcf8, 4, true, conf1_address(1, 3, 0, 0x04));
	port_rw(&bus, 0xcfc, 2, true, 0x0007);
	CHECK_EQ(cfg_read(&bus, 3, 0x04, 2), 0);
	CHECK_EQ(f.nwrites, 0);
}

TEST(host_bridge_identity)
{
	setup_bus(MEM_BASE, MEM_LIMIT, IO_BASE, IO_LIMIT);
	CHECK_EQ(cfg_read(&bus, 0, 0x00, 2), 0x8086);
	CHECK_EQ(cfg_read(&bus, 0, 0x02, 2), 0x29c0);
	CHECK_EQ(cfg_read(&bus, 0, 0x08, 4), 0x06000000); /* class 06/00/00, revision 0 */
	CHECK_EQ(cfg_read(&bus, 0, 0x0e, 1), 0x00);	  /* type 0, single function */
	CHECK_EQ(cfg_read(&bus, 0, 0x06, 2), 0x0000);	  /* no capabilities */
	CHECK_EQ(cfg_read(&bus, 0, 0x34, 1), 0x00);
	CHECK_EQ(cfg_read(&bus, 0, 0x3d, 1), 0x00);
	for (unsigned off = 0x10; off < 0x28; off += 4) {
		cfg_write(&bus, 0, off, 4, 0xffffffff);
		CHECK_EQ(cfg_read(&bus, 0, off, 4), 0); /* no BARs: sizing reads 0 */
	}
}

TEST(read_only_fields)
{
	struct fake f;
	setup_standard(&f);
	static const unsigned ro[] = {0x00, 0x08, 0x0c, 0x28, 0x2c, 0x30, 0x34, 0x40, 0xfc};
	uint32_t before[sizeof ro / sizeof ro[0]];
	for (unsigned i = 0; i < sizeof ro / sizeof ro[0]; i++) {
		before[i] = cfg_read(&bus, 3, ro[i], 4);
		cfg_write(&bus, 3, ro[i], 4, 0xffffffff);
	}
	CHECK_EQ(before[0], 0x10421af4);
	CHECK_EQ(before[1], 0x01800001); /* class 01/80/00, revision 1 */
	CHECK_EQ(before[4], 0x00401af4); /* subsystem 0x0040, vendor 0x1af4 */
	for (unsigned i = 0; i < sizeof ro / sizeof ro[0]; i++)
		CHECK_EQ(cfg_read(&bus, 3, ro[i], 4), before[i]);
	/* Command: only I/O, memory, bus master and INTx disable; status stays 0. */
	cfg_write(&bus, 3, 0x04, 4, 0xffffffff);
	CHECK_EQ(cfg_read(&bus, 3, 0x04, 4), 0x00000407);
	/* Interrupt line is scratch; pin, min_gnt and max_lat are not. */
	cfg_write(&bus, 3, 0x3c, 4, 0xffffffff);
	CHECK_EQ(cfg_read(&bus, 3, 0x3c, 4), 0x000000ff);
}

TEST(bar_sizing)
{
	struct fake f;
	setup_standard(&f);
	uint32_t bar0 = cfg_read(&bus, 3, 0x10, 4);
	CHECK_EQ(bar0, 0xc0000008); /* placed, prefetchable 32-bit */
	cfg_write(&bus, 3, 0x10, 4, 0xffffffff);
	CHECK_EQ(cfg_read(&bus, 3, 0x10, 4), 0xffffc008);
	cfg_write(&bus, 3, 0x10, 4, bar0);
	CHECK_EQ(cfg_read(&bus, 3, 0x10, 4), 0xc0000008);
	/* I/O: bit 0 set, bit 1 reserved. */
	CHECK_EQ(cfg_read(&bus, 3, 0x14, 4), 0x0000c001);
	cfg_write(&bus, 3, 0x14, 4, 0xffffffff);
	CHECK_EQ(cfg_read(&bus, 3, 0x14, 4), 0xffffffe1);
	/* 64-bit: type 10b in the low dword, the high dword all address bits. */
	CHECK_EQ(cfg_read(&bus, 3, 0x18, 4), 0xc0100004);
	CHECK_EQ(cfg_read(&bus, 3, 0x1c, 4), 0);
	cfg_write(&bus, 3, 0x18, 4, 0xffffffff);
	cfg_write(&bus, 3, 0x1c, 4, 0xffffffff);
	CHECK_EQ(cfg_read(&bus, 3, 0x18, 4), 0xfff00004);
	CHECK_EQ(cfg_read(&bus, 3, 0x1c, 4), 0xffffffff);
	/* Unused slots and the expansion ROM read 0 after sizing. */
	cfg_write(&bus, 3, 0x20, 4, 0xffffffff);
	cfg_write(&bus, 3, 0x24, 4, 0xffffffff);
	cfg_write(&bus, 3, 0x30, 4, 0xffffffff);
	CHECK_EQ(cfg_read(&bus, 3, 0x20, 4), 0);
	CHECK_EQ(cfg_read(&bus, 3, 0x24, 4), 0);
	CHECK_EQ(cfg_read(&bus, 3, 0x30, 4), 0);
}

TEST(bar_sizing_large_64)
{
	setup_bus(0x100000000ull, 0x3ffffffffull, IO_BASE, IO_LIMIT);
	struct fake f;
	fake_init(&f);
	CHECK(pci_device_add_bar(&f.pci, 4, 0x100000000ull, PCI_BAR_MEM64 | PCI_BAR_PREFETCH));
	CHECK(pci_bus_attach(&bus, 1, &f.pci));
	CHECK_EQ(cfg_read(&bus, 1, 0x20, 4), 0x0000000c);
	CHECK_EQ(cfg_read(&bus, 1, 0x24, 4), 0x00000001);
	cfg_write(&bus, 1, 0x20, 4, 0xffffffff);
	cfg_write(&bus, 1, 0x24, 4, 0xffffffff);
	CHECK_EQ(cfg_read(&bus, 1, 0x20, 4), 0x0000000c); /* 4 GiB: no address bits below 32 */
	CHECK_EQ(cfg_read(&bus, 1, 0x24, 4), 0xffffffff);
}

TEST(placement_alignment)
{
	setup_bus(MEM_BASE, MEM_LIMIT, IO_BASE, IO_LIMIT);
	struct fake a, b;
	fake_init(&a);
	CHECK(pci_device_add_bar(&a.pci, 0, 16, PCI_BAR_MEM32));
	CHECK(pci_device_add_bar(&a.pci, 1, 32, PCI_BAR_MEM32));
	CHECK(pci_device_add_bar(&a.pci, 2, 0x10000, PCI_BAR_MEM32));
	CHECK(pci_device_add_bar(&a.pci, 3, 4, PCI_BAR_IO));
	CHECK(pci_device_add_bar(&a.pci, 4, 64, PCI_BAR_IO));
	CHECK(pci_bus_attach(&bus, 1, &a.pci));
	fake_init(&b);
	CHECK(pci_device_add_bar(&b.pci, 5, 0x2000, PCI_BAR_MEM32));
	CHECK(pci_bus_attach(&bus, 2, &b.pci));
	CHECK_EQ(cfg_read(&bus, 1, 0x10, 4), 0xc0000000);
	CHECK_EQ(cfg_read(&bus, 1, 0x14, 4), 0xc0001000); /* small BARs get a page each */
	CHECK_EQ(cfg_read(&bus, 1, 0x18, 4), 0xc0010000); /* 64 KiB aligned */
	CHECK_EQ(cfg_read(&bus, 1, 0x1c, 4), 0x0000c001);
	CHECK_EQ(cfg_read(&bus, 1, 0x20, 4), 0x0000c041); /* 64 ports, aligned to 64 */
	CHECK_EQ(cfg_read(&bus, 2, 0x24, 4), 0xc0020000);
}

TEST(window_bounds)
{
	/* 48 KiB of memory window, 48 ports of I/O: the limits are not size-aligned. */
	setup_bus(0xe0000000ull, 0xe000bfffull, 0xff00, 0xff2f);
	struct fake a, big, io, fits;
	fake_init(&a);
	CHECK(pci_device_add_bar(&a.pci, 0, 0x8000, PCI_BAR_MEM32));
	CHECK(pci_device_add_bar(&a.pci, 1, 32, PCI_BAR_IO));
	CHECK(pci_bus_attach(&bus, 1, &a.pci));
	/* 0x8000 more starts inside the window but ends past it: refused. */
	fake_init(&big);
	CHECK(pci_device_add_bar(&big.pci, 0, 0x8000, PCI_BAR_MEM32));
	CHECK(!pci_bus_attach(&bus, 2, &big.pci));
	CHECK_EQ(cfg_read(&bus, 2, 0x00, 4), 0xffffffff);
	fake_init(&io);
	CHECK(pci_device_add_bar(&io.pci, 0, 0x1000, PCI_BAR_MEM32));
	CHECK(pci_device_add_bar(&io.pci, 1, 32, PCI_BAR_IO));
	CHECK(!pci_bus_attach(&bus, 2, &io.pci));
	/* The refused devices took nothing: the rest of the window is still free. */
	fake_init(&fits);
	CHECK(pci_device_add_bar(&fits.pci, 0, 0x4000, PCI_BAR_MEM32));
	CHECK(pci_device_add_bar(&fits.pci, 1, 16, PCI_BAR_IO));
	CHECK(pci_bus_attach(&bus, 2, &fits.pci));
	CHECK_EQ(cfg_read(&bus, 2, 0x10, 4), 0xe0008000);
	CHECK_EQ(cfg_read(&bus, 2, 0x14, 4), 0x0000ff21);
}

TEST(attach_slots)
{
	setup_bus(MEM_BASE, MEM_LIMIT, IO_BASE, IO_LIMIT);
	struct fake a, b;
	fake_init(&a);
	fake_init(&b);
	CHECK(!pci_bus_attach(&bus, 0, &a.pci)); /* the host bridge's */
	CHECK(!pci_bus_attach(&bus, 32, &a.pci));
	CHECK(pci_bus_attach(&bus, 31, &a.pci));
	CHECK(!pci_bus_attach(&bus, 31, &b.pci));
	CHECK_EQ(cfg_read(&bus, 31, 0x00, 4), 0x10421af4);
	CHECK_EQ(cfg_read(&bus, 0, 0x00, 4), 0x29c08086);
}

TEST(add_bar_rules)
{
	struct fake f;
	fake_init(&f);
	CHECK(!pci_device_add_bar(&f.pci, 0, 0x3000, PCI_BAR_MEM32)); /* not a power of 2 */
	CHECK(!pci_device_add_bar(&f.pci, 0, 8, PCI_BAR_MEM32));      /* below 16 */
	CHECK(!pci_device_add_bar(&f.pci, 0, 2, PCI_BAR_IO));	      /* below 4 */
	CHECK(!pci_device_add_bar(&f.pci, 0, 512, PCI_BAR_IO));	      /* above 256 */
	CHECK(!pci_device_add_bar(&f.pci, 0, 16, PCI_BAR_IO | PCI_BAR_PREFETCH));
	CHECK(!pci_device_add_bar(&f.pci, 0, 16, 0x2));			  /* reserved type */
	CHECK(!pci_device_add_bar(&f.pci, 0, 1ull << 32, PCI_BAR_MEM32)); /* needs 64 bits */
	CHECK(!pci_device_add_bar(&f.pci, 5, 0x1000, PCI_BAR_MEM64));	  /* no slot 6 */
	CHECK(!pci_device_add_bar(&f.pci, 6, 0x1000, PCI_BAR_MEM32));
	CHECK(pci_device_add_bar(&f.pci, 1, 0x1000, PCI_BAR_MEM64));
	CHECK(!pci_device_add_bar(&f.pci, 1, 0x1000, PCI_BAR_MEM32)); /* taken */
	CHECK(!pci_device_add_bar(&f.pci, 2, 0x1000, PCI_BAR_MEM32)); /* its high half */
	CHECK(!pci_device_add_bar(&f.pci, 0, 0x1000, PCI_BAR_MEM64)); /* would overlap BAR1 */
	CHECK(pci_device_add_bar(&f.pci, 0, 0x1000, PCI_BAR_MEM32));
	CHECK(pci_device_add_bar(&f.pci, 3, 256, PCI_BAR_IO));
	/* A memory BAR needs bar_mmio, an I/O BAR bar_io. */
	struct fake g;
	memset(&g, 0, sizeof g);
	pci_device_init(&g.pci, &fake_ids, &mmio_only_ops, &g);
	CHECK(!pci_device_add_bar(&g.pci, 0, 4, PCI_BAR_IO));
	CHECK(pci_device_add_bar(&g.pci, 0, 0x1000, PCI_BAR_MEM32));
}

TEST(decode_follows_command)
{
	struct fake f;
	setup_standard(&f);
	/* Memory decode off: the window master-aborts, routing declines. */
	CHECK_EQ(mem_rw(&bus, 0xc0000010, 4, false, 0), 0xffffffff);
	mem_rw(&bus, 0xc0000010, 4, true, 0x1234);
	struct mmio_access m = {.gpa = 0xc0000010, .size = 4};
	CHECK(!pci_bus_mmio(&bus, &m));
	CHECK_EQ(f.accesses, 0);
	CHECK_EQ(f.nchanges, 0);
	/* Memory on: both memory BARs decode, the I/O BAR does not. */
	cfg_write(&bus, 3, 0x04, 2, PCI_COMMAND_MEMORY);
	CHECK_EQ(f.nchanges, 2);
	CHECK_EQ(f.change[0].bar, 0);
	CHECK_EQ(f.change[0].base, 0xc0000000);
	CHECK(f.change[0].decoding);
	CHECK_EQ(f.change[1].bar, 2);
	CHECK_EQ(f.change[1].base, 0xc0100000);
	CHECK(f.change[1].decoding);
	CHECK_EQ(mem_rw(&bus, 0xc0000010, 4, false, 0), answer(0, 0x10));
	CHECK_EQ(f.last_bar, 0);
	CHECK_EQ(f.last_offset, 0x10);
	CHECK_EQ(mem_rw(&bus, 0xc01ffff8, 8, false, 0), answer(2, 0xffff8));
	mem_rw(&bus, 0xc0003ffc, 4, true, 0xcafe);
	CHECK_EQ(f.last_value, 0xcafe);
	CHECK_EQ(f.last_offset, 0x3ffc);
	struct io_access io = {.port = 0xc004, .size = 2, .value = 0x5a5a};
	pci_io_window(&bus, &io);
	CHECK_EQ(io.value, 0xffff);
	/* I/O on as well. */
	cfg_write(&bus, 3, 0x04, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
	CHECK_EQ(f.nchanges, 3);
	CHECK_EQ(f.change[2].bar, 1);
	CHECK_EQ(f.change[2].base, 0xc000);
	io.value = 0x5a5a;
	pci_io_window(&bus, &io);
	CHECK_EQ(io.value, answer(1, 4) & 0xffff);
	CHECK_EQ(f.last_bar, 1);
	CHECK_EQ(f.last_offset, 4);
	io = (struct io_access){.port = 0xc01f, .size = 1, .write = true, .value = 0x77};
	CHECK(pci_bus_io(&bus, &io));
	CHECK_EQ(f.last_value, 0x77);
	CHECK_EQ(f.last_offset, 0x1f);
	/* All off again: each BAR reported once as no longer decoding. */
	cfg_write(&bus, 3, 0x04, 2, 0);
	CHECK_EQ(f.nchanges, 6);
	CHECK(!f.change[3].decoding && !f.change[4].decoding && !f.change[5].decoding);
	unsigned before = f.accesses;
	CHECK_EQ(mem_rw(&bus, 0xc0000010, 8, false, 0), ~0ull);
	io.write = false;
	CHECK(!pci_bus_io(&bus, &io));
	CHECK_EQ(f.accesses, before);
}

TEST(access_must_fit_one_bar)
{
	struct fake f;
	setup_standard(&f);
	cfg_write(&bus, 3, 0x04, 2, PCI_COMMAND_MEMORY);
	CHECK_EQ(mem_rw(&bus, 0xc0003ffc, 4, false, 0), answer(0, 0x3ffc));
	CHECK_EQ(mem_rw(&bus, 0xc0003ffe, 4, false, 0), 0xffffffff); /* crosses the end */
	CHECK_EQ(mem_rw(&bus, 0xc0004000, 1, false, 0), 0xff);	     /* the gap after it */
	CHECK_EQ(mem_rw(&bus, 0xbfffffff, 2, false, 0), 0xffff);
	CHECK_EQ(f.accesses, 1);
}

TEST(mmio_span_to_the_bar_end)
{
	struct fake f;
	setup_standard(&f);
	CHECK_EQ(pci_bus_mmio_span(&bus, 0xc0000010), 0); /* decode off */
	cfg_write(&bus, 3, 0x04, 2, PCI_COMMAND_MEMORY);
	CHECK_EQ(pci_bus_mmio_span(&bus, 0xc0000000), 0x4000);
	CHECK_EQ(pci_bus_mmio_span(&bus, 0xc0003fff), 1);
	CHECK_EQ(pci_bus_mmio_span(&bus, 0xc0004000), 0); /* the gap */
	CHECK_EQ(pci_bus_mmio_span(&bus, 0xc01ffff8), 8);
	CHECK_EQ(f.accesses, 0);
}

TEST(bar_move)
{
	struct fake f;
	setup_standard(&f);
	cfg_write(&bus, 3, 0x04, 2, PCI_COMMAND_MEMORY);
	f.nchanges = 0;
	cfg_write(&bus, 3, 0x10, 4, 0xd0000000);
	CHECK_EQ(f.nchanges, 1);
	CHECK_EQ(f.change[0].bar, 0);
	CHECK_EQ(f.change[0].base, 0xd0000000);
	CHECK(f.change[0].decoding);
	CHECK_EQ(cfg_read(&bus, 3, 0x10, 4), 0xd0000008);
	CHECK_EQ(mem_rw(&bus, 0xc0000000, 4, false, 0), 0xffffffff);
	CHECK_EQ(mem_rw(&bus, 0xd0000020, 4, false, 0), answer(0, 0x20));
	/* Low address bits below the size are not writable. */
	cfg_write(&bus, 3, 0x10, 4, 0xd0001234);
	CHECK_EQ(cfg_read(&bus, 3, 0x10, 4), 0xd0000008);
	CHECK_EQ(f.nchanges, 1); /* same address: nothing to tell */
	/* A byte write moves it too. */
	cfg_write(&bus, 3, 0x13, 1, 0xe0);
	CHECK_EQ(f.nchanges, 2);
	CHECK_EQ(f.change[1].base, 0xe0000000);
	/* Sizing with decode on: all-ones is outside the window, so it stops decoding. */
	cfg_write(&bus, 3, 0x10, 4, 0xffffffff);
	CHECK_EQ(f.nchanges, 3);
	CHECK(!f.change[2].decoding);
	CHECK_EQ(mem_rw(&bus, 0xe0000000, 4, false, 0), 0xffffffff);
	cfg_write(&bus, 3, 0x10, 4, 0xe0000000);
	CHECK_EQ(f.nchanges, 4);
	CHECK(f.change[3].decoding);
	CHECK_EQ(f.change[3].base, 0xe0000000);
	/* A 64-bit BAR moves a dword at a time; each step is reported. */
	cfg_write(&bus, 3, 0x18, 4, 0xd8000000);
	CHECK_EQ(f.nchanges, 5);
	CHECK_EQ(f.change[4].bar, 2);
	CHECK_EQ(f.change[4].base, 0xd8000000);
	cfg_write(&bus, 3, 0x1c, 4, 0x1);
	CHECK_EQ(f.nchanges, 6);
	CHECK(!f.change[5].decoding); /* 0x1d8000000 is past the window */
	cfg_write(&bus, 3, 0x1c, 4, 0x0);
	CHECK_EQ(f.nchanges, 7);
	CHECK(f.change[6].decoding);
	CHECK_EQ(mem_rw(&bus, 0xd8000008, 4, false, 0), answer(2, 8));
	/* Straddling the window's limit does not decode either. */
	cfg_write(&bus, 3, 0x10, 4, 0xfeafc000);
	CHECK_EQ(f.nchanges, 8);
	CHECK_EQ(f.change[7].decoding, true);
	cfg_write(&bus, 3, 0x10, 4, 0xfeb00000);
	CHECK_EQ(f.nchanges, 9);
	CHECK(!f.change[8].decoding);
}

TEST(moves_while_off_are_silent)
{
	struct fake f;
	setup_standard(&f);
	cfg_write(&bus, 3, 0x10, 4, 0xffffffff);
	cfg_write(&bus, 3, 0x10, 4, 0xd0000000);
	cfg_write(&bus, 3, 0x14, 4, 0xe000);
	CHECK_EQ(f.nchanges, 0);
	cfg_write(&bus, 3, 0x04, 2, PCI_COMMAND_IO);
	CHECK_EQ(f.nchanges, 1);
	CHECK_EQ(f.change[0].bar, 1);
	CHECK_EQ(f.change[0].base, 0xe000);
	cfg_write(&bus, 3, 0x04, 2, PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
	CHECK_EQ(f.nchanges, 3);
	CHECK_EQ(f.change[1].base, 0xd0000000);
	/* An I/O BAR parked below the I/O window does not decode. */
	cfg_write(&bus, 3, 0x14, 4, 0x1000);
	CHECK_EQ(f.nchanges, 4);
	CHECK(!f.change[3].decoding);
	struct io_access io = {.port = 0x1000, .size = 1};
	CHECK(!pci_bus_io(&bus, &io));
}

TEST(overlap_lowest_slot_wins)
{
	setup_bus(MEM_BASE, MEM_LIMIT, IO_BASE, IO_LIMIT);
	struct fake a, b;
	fake_init(&a);
	fake_init(&b);
	CHECK(pci_device_add_bar(&a.pci, 1, 0x1000, PCI_BAR_MEM32));
	CHECK(pci_device_add_bar(&b.pci, 0, 0x1000, PCI_BAR_MEM32));
	CHECK(pci_bus_attach(&bus, 7, &a.pci));
	CHECK(pci_bus_attach(&bus, 4, &b.pci));
	cfg_write(&bus, 7, 0x04, 2, PCI_COMMAND_MEMORY);
	cfg_write(&bus, 4, 0x04, 2, PCI_COMMAND_MEMORY);
	cfg_write(&bus, 7, 0x14, 4, 0xc8000000);
	cfg_write(&bus, 4, 0x10, 4, 0xc8000000);
	CHECK_EQ(mem_rw(&bus, 0xc8000040, 4, false, 0), answer(0, 0x40));
	CHECK_EQ(b.accesses, 1);
	CHECK_EQ(a.accesses, 0);
	cfg_write(&bus, 4, 0x04, 2, 0);
	CHECK_EQ(mem_rw(&bus, 0xc8000040, 4, false, 0), answer(1, 0x40));
	CHECK_EQ(a.accesses, 1);
}

TEST(capability_list)
{
	struct fake f;
	setup_standard(&f);
	static const uint8_t vendor[8] = {PCI_CAP_ID_VENDOR, 0xee, 8, 1, 2, 3, 4, 5};
	static const uint8_t odd[6] = {0x05, 0x00, 0xaa, 0xbb, 0xcc, 0xdd};
	static const uint8_t odd_mask[6] = {0xff, 0xff, 0x0f, 0x00, 0xff, 0x00};
	static const uint8_t third[4] = {0x11, 0x00, 0x00, 0x00};
	CHECK_EQ(pci_device_add_capability(&f.pci, vendor, 0, sizeof vendor), 0x40);
	CHECK_EQ(pci_device_add_capability(&f.pci, odd, odd_mask, sizeof odd), 0x48);
	CHECK_EQ(pci_device_add_capability(&f.pci, third, 0, sizeof third), 0x50);
	CHECK_EQ(cfg_read(&bus, 3, 0x06, 2), PCI_STATUS_CAP_LIST);
	/* Walk it as an OS does. */
	static const uint8_t want_id[] = {0x09, 0x05, 0x11};
	static const uint8_t want_at[] = {0x40, 0x48, 0x50};
	unsigned at = cfg_read(&bus, 3, 0x34, 1), n = 0;
	while (at && n < 4) {
		CHECK_EQ(at, want_at[n]);
		CHECK_EQ(cfg_read(&bus, 3, at, 1), want_id[n]);
		at = cfg_read(&bus, 3, at + 1, 1);
		n++;
	}
	CHECK_EQ(n, 3);
	CHECK_EQ(cfg_read(&bus, 3, 0x40, 4), 0x01084809); /* link filled in */
	CHECK_EQ(cfg_read(&bus, 3, 0x44, 4), 0x05040302);
	/* Per-bit masks; ID and link are read-only whatever the mask says. */
	cfg_write(&bus, 3, 0x48, 4, 0x00000000);
	CHECK_EQ(cfg_read(&bus, 3, 0x48, 4), 0xbba05005);
	cfg_write(&bus, 3, 0x4a, 2, 0x1234);
	CHECK_EQ(cfg_read(&bus, 3, 0x4a, 2), 0xbba4);
	cfg_write(&bus, 3, 0x4c, 2, 0x0000);
	CHECK_EQ(cfg_read(&bus, 3, 0x4c, 2), 0xdd00);
	CHECK_EQ(f.write_offset, 0x4c);
	CHECK_EQ(f.write_size, 2);
	/* A read-only capability ignores writes. */
	cfg_write(&bus, 3, 0x44, 4, 0);
	CHECK_EQ(cfg_read(&bus, 3, 0x44, 4), 0x05040302);
}

TEST(capability_space_runs_out)
{
	struct fake f;
	fake_init(&f);
	uint8_t cap[64] = {0x09};
	CHECK_EQ(pci_device_add_capability(&f.pci, cap, 0, 62), 0x40);
	CHECK_EQ(pci_device_add_capability(&f.pci, cap, 0, 64), 0x80);
	CHECK_EQ(pci_device_add_capability(&f.pci, cap, 0, 61), 0xc0);
	CHECK_EQ(pci_device_add_capability(&f.pci, cap, 0, 4), 0); /* 0x100 would be past */
	CHECK_EQ(pci_device_add_capability(&f.pci, cap, 0, 1), 0);
	CHECK_EQ(pci_config_read(&f.pci, 0x81, 1), 0xc0);
	CHECK_EQ(pci_config_read(&f.pci, 0xc1, 1), 0);
}

TEST(config_written_hook)
{
	struct fake f;
	setup_standard(&f);
	cfg_write(&bus, 3, 0x3c, 1, 0x0a);
	CHECK_EQ(f.nwrites, 1);
	CHECK_EQ(f.write_offset, 0x3c);
	CHECK_EQ(f.write_size, 1);
	cfg_write(&bus, 3, 0x06, 2, 0xffff); /* read-only, still reported */
	CHECK_EQ(f.nwrites, 2);
	CHECK_EQ(f.write_offset, 0x06);
	cfg_read(&bus, 3, 0x00, 4);
	CHECK_EQ(f.nwrites, 2);
}

CHECK_MAIN("pci", CASE(address_register), CASE(data_widths), CASE(enable_bit_clear),
	   CASE(absent_functions), CASE(host_bridge_identity), CASE(read_only_fields),
	   CASE(bar_sizing), CASE(bar_sizing_large_64), CASE(placement_alignment),
	   CASE(window_bounds), CASE(attach_slots), CASE(add_bar_rules),
	   CASE(decode_follows_command), CASE(access_must_fit_one_bar), CASE(mmio_span_to_the_bar_end), CASE(bar_move),
	   CASE(moves_while_off_are_silent), CASE(overlap_lowest_slot_wins), CASE(capability_list),
	   CASE(capability_space_runs_out), CASE(config_written_hook))
