#include "devices/apic_bus.h"
#include "devices/msix.h"
#include "tests/unit/pci_harness.h"

#define SLOT	  3
#define VECTORS	  4
#define BAR1_BASE 0xc0004000ull /* after BAR0's 16 KiB */
#define TABLE	  BAR1_BASE
#define PBA	  (BAR1_BASE + 0x800)
#define MAX_SENT  16

/* A virtio-like device: BAR0 for its own registers, MSI-X in BAR1 (table 0, PBA 0x800). */
struct dev {
	struct pci_device pci;
	struct msix msix;
	unsigned own_accesses; /* BAR accesses MSI-X left to the device */
};

static struct {
	unsigned n;
	uint64_t address[MAX_SENT];
	uint32_t data[MAX_SENT];
	void *ctx[MAX_SENT];
} sent;

static int vm_token;

static void deliver(void *ctx, uint64_t address, uint32_t data)
{
	CHECK(sent.n < MAX_SENT);
	if (sent.n >= MAX_SENT)
		return;
	sent.ctx[sent.n] = ctx;
	sent.address[sent.n] = address;
	sent.data[sent.n++] = data;
}

static void dev_mmio(void *ctx, unsigned bar, uint64_t offset, struct mmio_access *a)
{
	struct dev *d = ctx;
	if (msix_mmio(&d->msix, bar, offset, a))
		return;
	d->own_accesses++;
	if (!a->write)
		a->value = 0;
}

static void dev_written(void *ctx, unsigned offset, unsigned size)
{
	struct dev *d = ctx;
	msix_config_written(&d->msix);
}

static void no_io(void *ctx, unsigned bar, uint64_t offset, struct io_access *a)
{
	CHECK(false);
}

static const struct pci_device_ops dev_ops = {.bar_mmio = dev_mmio, .config_written = dev_written};
static const struct pci_ids dev_ids = {.vendor = 0x1af4, .device = 0x1042, .revision = 1};
static const struct msix_layout layout = {
    .vectors = VECTORS, .table_bar = 1, .table_offset = 0, .pba_bar = 1, .pba_offset = 0x800};

static struct pci_bus bus;
static struct dev d;
static uint8_t cap; /* where the MSI-X capability landed */

/* Attached, memory decode and bus mastering on, MSI-X still disabled. */
static void setup(void)
{
	memset(&sent, 0, sizeof sent);
	memset(&d, 0xa5, sizeof d);
	pci_bus_init(&bus, MEM_BASE, MEM_LIMIT, IO_BASE, IO_LIMIT);
	pci_device_init(&d.pci, &dev_ids, &dev_ops, &d);
	d.own_accesses = 0;
	CHECK(pci_device_add_bar(&d.pci, 0, 0x4000, PCI_BAR_MEM32));
	CHECK(pci_device_add_bar(&d.pci, 1, 0x1000, PCI_BAR_MEM32));
	CHECK(msix_init(&d.msix, &d.pci, &layout, deliver, &vm_token));
	CHECK(pci_bus_attach(&bus, SLOT, &d.pci));
	CHECK_EQ(cfg_read(&bus, SLOT, 0x14, 4), BAR1_BASE);
	cfg_write(&bus, SLOT, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	cap = (uint8_t)cfg_read(&bus, SLOT, PCI_CAPABILITY_LIST, 1);
}

static void control_write(uint16_t value)
{
	cfg_write(&bus, SLOT, cap + 2u, 2, value);
}

/* Entry `v`: physical destination `dest`, fixed edge `vector`, masked or not. */
static void program(unsigned v, uint8_t dest, uint8_t vector, bool masked)
{
	uint64_t entry = TABLE + 16 * v;
	mem_rw(&bus, entry + 0, 4, true, 0xfee00000u | (uint32_t)dest << 12);
	mem_rw(&bus, entry + 4, 4, true, 0);
	mem_rw(&bus, entry + 8, 4, true, vector);
	mem_rw(&bus, entry + 12, 4, true, masked);
}

static void set_masked(unsigned v, bool masked)
{
	mem_rw(&bus, TABLE + 16 * v + 12, 4, true, masked);
}

static uint64_t pba(void)
{
	return mem_rw(&bus, PBA, 8, false, 0);
}

TEST(capability_layout)
{
	setup();
	CHECK_EQ(cap, 0x40);
	CHECK_EQ(cfg_read(&bus, SLOT, 0x06, 2) & PCI_STATUS_CAP_LIST, PCI_STATUS_CAP_LIST);
	CHECK_EQ(cfg_read(&bus, SLOT, cap, 4), 0x00030011);	 /* ID, end of list, N - 1 = 3 */
	CHECK_EQ(cfg_read(&bus, SLOT, cap + 4u, 4), 0x00000001); /* table: BAR1 + 0 */
	CHECK_EQ(cfg_read(&bus, SLOT, cap + 8u, 4), 0x00000801); /* PBA: BAR1 + 0x800 */
	/* Only enable and function mask are writable. */
	cfg_write(&bus, SLOT, cap, 4, 0xffffffff);
	CHECK_EQ(cfg_read(&bus, SLOT, cap, 4), 0xc0030011);
	cfg_write(&bus, SLOT, cap + 4u, 4, 0xffffffff);
	cfg_write(&bus, SLOT, cap + 8u, 4, 0);
	CHECK_EQ(cfg_read(&bus, SLOT, cap + 4u, 4), 0x00000001);
	CHECK_EQ(cfg_read(&bus, SLOT, cap + 8u, 4), 0x00000801);
	CHECK(msix_enabled(&d.msix));
	control_write(0x4000);
	CHECK(!msix_enabled(&d.msix));
	CHECK_EQ(cfg_read(&bus, SLOT, cap + 2u, 2), 0x4003);
}

TEST(power_on_table)
{
	setup();
	for (unsigned v = 0; v < VECTORS; v++) {
		CHECK_EQ(mem_rw(&bus, TABLE + 16 * v, 8, false, 0), 0);
		CHECK_EQ(mem_rw(&bus, TABLE + 16 * v + 8, 8, false, 0), 0x100000000ull);
	}
	CHECK_EQ(pba(), 0);
}

TEST(table_widths)
{
	setup();
	mem_rw(&bus, TABLE + 16, 4, true, 0xfee01003); /* bits 1:0 read 0 */
	mem_rw(&bus, TABLE + 20, 4, true, 0x12345678);
	mem_rw(&bus, TABLE + 24, 4, true, 0x00004041);
	mem_rw(&bus, TABLE + 28, 4, true, 0xfffffffe); /* reserved bits read 0: unmasked */
	CHECK_EQ(mem_rw(&bus, TABLE + 16, 4, false, 0), 0xfee01000);
	CHECK_EQ(mem_rw(&bus, TABLE + 20, 4, false, 0), 0x12345678);
	CHECK_EQ(mem_rw(&bus, TABLE + 16, 8, false, 0), 0x12345678fee01000ull);
	CHECK_EQ(mem_rw(&bus, TABLE + 24, 8, false, 0), 0x0000000000004041ull);
	mem_rw(&bus, TABLE + 32, 8, true, 0x00000000fee02000ull);
	mem_rw(&bus, TABLE + 40, 8, true, 0x0000000100000052ull);
	CHECK_EQ(mem_rw(&bus, TABLE + 32, 4, false, 0), 0xfee02000);
	CHECK_EQ(mem_rw(&bus, TABLE + 36, 4, false, 0), 0);
	CHECK_EQ(mem_rw(&bus, TABLE + 40, 4, false, 0), 0x52);
	CHECK_EQ(mem_rw(&bus, TABLE + 44, 4, false, 0), 1);
	/* Undefined widths and alignments: all-ones, writes ignored. */
	CHECK_EQ(mem_rw(&bus, TABLE + 24, 1, false, 0), 0xff);
	CHECK_EQ(mem_rw(&bus, TABLE + 24, 2, false, 0), 0xffff);
	CHECK_EQ(mem_rw(&bus, TABLE + 18, 4, false, 0), 0xffffffff);
	CHECK_EQ(mem_rw(&bus, TABLE + 20, 8, false, 0), ~0ull);
	mem_rw(&bus, TABLE + 24, 1, true, 0x99);
	mem_rw(&bus, TABLE + 28, 2, true, 1);
	mem_rw(&bus, TABLE + 4, 8, true, 0);
	CHECK_EQ(mem_rw(&bus, TABLE + 24, 8, false, 0), 0x4041);
	CHECK_EQ(mem_rw(&bus, TABLE + 0, 8, false, 0), 0);
	CHECK_EQ(mem_rw(&bus, TABLE + 8, 8, false, 0), 0x100000000ull);
	/* Past the last entry and outside the PBA: the device's own business. */
	CHECK_EQ(d.own_accesses, 0);
	mem_rw(&bus, TABLE + 16 * VECTORS, 4, false, 0);
	mem_rw(&bus, PBA + 8, 4, false, 0);
	mem_rw(&bus, PBA - 4, 4, false, 0);
	CHECK_EQ(d.own_accesses, 3);
	/* BAR0 at the table's and the PBA's offsets is not MSI-X either. */
	CHECK_EQ(mem_rw(&bus, MEM_BASE + 0, 4, false, 0), 0);
	CHECK_EQ(mem_rw(&bus, MEM_BASE + 0x800, 8, false, 0), 0);
	CHECK_EQ(d.own_accesses, 5);
	CHECK_EQ(sent.n, 0);
}

TEST(delivery)
{
	setup();
	program(2, 0x01, 0x41, false);
	control_write(0x8000);
	CHECK_EQ(msix_notify(&d.msix, 2), MSIX_SENT);
	CHECK_EQ(sent.n, 1);
	CHECK(sent.ctx[0] == &vm_token);
	CHECK_EQ(sent.address[0], 0xfee01000);
	CHECK_EQ(sent.data[0], 0x41);
	/* What the hypervisor makes of it. */
	struct apic_msg m;
	CHECK(apic_msg_from_msi(sent.address[0], sent.data[0], &m));
	CHECK_EQ(m.dest, 1);
	CHECK_EQ(m.vector, 0x41);
	CHECK_EQ(m.delivery, 0);
	CHECK(!m.logical && !m.level && m.assert);
	CHECK_EQ(msix_notify(&d.msix, 2), MSIX_SENT);
	CHECK_EQ(sent.n, 2);
	CHECK_EQ(pba(), 0);
}

TEST(vector_mask_holds_then_delivers)
{
	setup();
	program(1, 0x00, 0x51, true);
	control_write(0x8000);
	CHECK_EQ(msix_notify(&d.msix, 1), MSIX_PENDING);
	CHECK_EQ(msix_notify(&d.msix, 1), MSIX_PENDING); /* one pending bit, one message */
	CHECK_EQ(sent.n, 0);
	CHECK_EQ(pba(), 0x2);
	CHECK_EQ(mem_rw(&bus, PBA, 4, false, 0), 0x2);
	CHECK_EQ(mem_rw(&bus, PBA + 4, 4, false, 0), 0);
	mem_rw(&bus, PBA, 8, true, 0); /* read-only */
	CHECK_EQ(pba(), 0x2);
	/* Reprogramming while masked: the message uses the entry as it is at unmask. */
	mem_rw(&bus, TABLE + 16 + 8, 4, true, 0x52);
	CHECK_EQ(sent.n, 0);
	set_masked(1, false);
	CHECK_EQ(sent.n, 1);
	CHECK_EQ(sent.data[0], 0x52);
	CHECK_EQ(pba(), 0);
	set_masked(1, true);
	set_masked(1, false);
	CHECK_EQ(sent.n, 1);
}

TEST(qword_unmask)
{
	setup();
	program(0, 0x02, 0x60, true);
	control_write(0x8000);
	CHECK_EQ(msix_notify(&d.msix, 0), MSIX_PENDING);
	mem_rw(&bus, TABLE + 8, 8, true, 0x0000000000000061ull); /* new data, unmasked */
	CHECK_EQ(sent.n, 1);
	CHECK_EQ(sent.data[0], 0x61);
	CHECK_EQ(sent.address[0], 0xfee02000);
	CHECK_EQ(pba(), 0);
}

TEST(function_mask)
{
	setup();
	program(0, 0x00, 0x30, false);
	program(2, 0x00, 0x32, true);
	program(3, 0x00, 0x33, false);
	control_write(0xc000); /* enabled, function masked */
	CHECK_EQ(msix_notify(&d.msix, 0), MSIX_PENDING);
	CHECK_EQ(msix_notify(&d.msix, 2), MSIX_PENDING);
	CHECK_EQ(sent.n, 0);
	CHECK_EQ(pba(), 0x5);
	/* Unmasking an entry under the function mask sends nothing. */
	set_masked(2, false);
	set_masked(2, true);
	CHECK_EQ(sent.n, 0);
	/* Lifting the function mask sends the pending vectors whose entries allow it. */
	control_write(0x8000);
	CHECK_EQ(sent.n, 1);
	CHECK_EQ(sent.data[0], 0x30);
	CHECK_EQ(pba(), 0x4);
	CHECK_EQ(msix_notify(&d.msix, 3), MSIX_SENT);
	set_masked(2, false);
	CHECK_EQ(sent.n, 3);
	CHECK_EQ(sent.data[2], 0x32);
	CHECK_EQ(pba(), 0);
}

TEST(disabled_drops)
{
	setup();
	program(0, 0x00, 0x30, false);
	program(1, 0x00, 0x31, true);
	CHECK_EQ(msix_notify(&d.msix, 0), MSIX_DROPPED);
	CHECK_EQ(msix_notify(&d.msix, 1), MSIX_DROPPED);
	control_write(0x4000); /* function mask alone does not enable */
	CHECK_EQ(msix_notify(&d.msix, 1), MSIX_DROPPED);
	CHECK_EQ(pba(), 0);
	control_write(0x8000);
	set_masked(1, false);
	CHECK_EQ(sent.n, 0); /* nothing was held */
}

TEST(pending_survives_disable)
{
	setup();
	program(3, 0x00, 0x43, true);
	control_write(0x8000);
	CHECK_EQ(msix_notify(&d.msix, 3), MSIX_PENDING);
	control_write(0x0000);
	CHECK_EQ(pba(), 0x8);
	set_masked(3, false); /* disabled: still held */
	CHECK_EQ(sent.n, 0);
	control_write(0x8000);
	CHECK_EQ(sent.n, 1);
	CHECK_EQ(sent.data[0], 0x43);
	CHECK_EQ(pba(), 0);
}

TEST(bus_master)
{
	setup();
	program(0, 0x00, 0x30, true);
	control_write(0x8000);
	CHECK_EQ(msix_notify(&d.msix, 0), MSIX_PENDING);
	cfg_write(&bus, SLOT, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	CHECK_EQ(msix_notify(&d.msix, 0), MSIX_DROPPED);
	set_masked(0, false);
	CHECK_EQ(sent.n, 0);
	CHECK_EQ(msix_notify(&d.msix, 0), MSIX_DROPPED);
	CHECK_EQ(pba(), 0x1);
	/* Bus mastering back on lets the held vector out. */
	cfg_write(&bus, SLOT, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	CHECK_EQ(sent.n, 1);
	CHECK_EQ(pba(), 0);
}

TEST(bad_vectors)
{
	setup();
	for (unsigned v = 0; v < VECTORS; v++)
		program(v, 0x00, (uint8_t)(0x30 + v), false);
	control_write(0x8000);
	CHECK_EQ(msix_notify(&d.msix, VECTORS), MSIX_DROPPED);
	CHECK_EQ(msix_notify(&d.msix, MSIX_MAX_VECTORS), MSIX_DROPPED);
	CHECK_EQ(msix_notify(&d.msix, 0xffffffffu), MSIX_DROPPED);
	CHECK_EQ(sent.n, 0);
	CHECK_EQ(pba(), 0);
}

TEST(bad_addresses)
{
	setup();
	control_write(0x8000);
	mem_rw(&bus, TABLE + 0, 4, true, 0x12345678); /* a RAM address: never written */
	set_masked(0, false);
	CHECK_EQ(msix_notify(&d.msix, 0), MSIX_DROPPED);
	program(1, 0x00, 0x31, false);
	mem_rw(&bus, TABLE + 16 + 4, 4, true, 1); /* 0x1fee00000 */
	CHECK_EQ(msix_notify(&d.msix, 1), MSIX_DROPPED);
	/* A pending vector whose address is bad is dropped when it comes due. */
	program(2, 0x00, 0x32, true);
	CHECK_EQ(msix_notify(&d.msix, 2), MSIX_PENDING);
	mem_rw(&bus, TABLE + 32, 4, true, 0xfed00000);
	set_masked(2, false);
	CHECK_EQ(pba(), 0);
	CHECK_EQ(sent.n, 0);
}

TEST(no_decode_no_table)
{
	setup();
	program(0, 0x05, 0x70, false);
	cfg_write(&bus, SLOT, PCI_COMMAND, 2, PCI_COMMAND_MASTER);
	CHECK_EQ(mem_rw(&bus, TABLE + 8, 4, false, 0), 0xffffffff);
	mem_rw(&bus, TABLE + 8, 4, true, 0x99);
	cfg_write(&bus, SLOT, PCI_COMMAND, 2, PCI_COMMAND_MASTER | PCI_COMMAND_MEMORY);
	CHECK_EQ(mem_rw(&bus, TABLE + 8, 4, false, 0), 0x70);
}

TEST(init_rejects_bad_layouts)
{
	struct pci_device p;
	struct msix m;
	pci_device_init(&p, &dev_ids, &dev_ops, 0);
	CHECK(pci_device_add_bar(&p, 0, 0x1000, PCI_BAR_MEM32));
	CHECK(pci_device_add_bar(&p, 2, 0x2000, PCI_BAR_MEM64));
	static const struct msix_layout bad[] = {
	    {0, 0, 0, 0, 0x800},		     /* no vectors */
	    {MSIX_MAX_VECTORS + 1, 2, 2, 0, 0x1800}, /* too many */
	    {4, 1, 0, 0, 0x800},		     /* no BAR 1 */
	    {4, 3, 0, 0, 0x800},		     /* BAR 3 is BAR 2's high half */
	    {4, 0, 0, 0, 0x804},		     /* PBA not qword aligned */
	    {4, 0, 0, 0x3c, 0x800},		     /* table not qword aligned */
	    {4, 0, 0, 0xfc8, 0x800},		     /* table past BAR0's end */
	    {4, 0, 0, 0, 0x1000},		     /* PBA past it */
	    {4, 0, 0, 0, 0x38},			     /* PBA inside the table */
	    {4, 0, 0, 0x40, 0x40},		     /* both at one offset */
	    {4, 7, 0, 0, 0x800},		     /* no such BAR */
	};
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECK(!msix_init(&m, &p, &bad[i], deliver, 0));
	CHECK_EQ(pci_config_read(&p, PCI_CAPABILITY_LIST, 1), 0);
	/* Edges that fit: table up to the BAR's end, PBA right after the table. */
	static const struct msix_layout edge = {4, 0, 0, 0xfc0, 0x40};
	CHECK(msix_init(&m, &p, &edge, deliver, 0));
	static const struct msix_layout split = {MSIX_MAX_VECTORS, 2, 0, 0x1000, 0};
	CHECK(msix_init(&m, &p, &split, deliver, 0));
	CHECK_EQ(pci_config_read(&p, 0x4c + 2, 2), MSIX_MAX_VECTORS - 1);
	CHECK_EQ(pci_config_read(&p, 0x4c + 4, 4), 0x1002);
	CHECK_EQ(pci_config_read(&p, 0x4c + 8, 4), 0x0000);
	static const struct msix_layout same_offset = {4, 0, 2, 0, 0}; /* different BARs */
	CHECK(msix_init(&m, &p, &same_offset, deliver, 0));
	/* An I/O BAR cannot hold them. */
	struct pci_device q;
	static const struct pci_device_ops io_ops = {.bar_mmio = dev_mmio, .bar_io = no_io};
	pci_device_init(&q, &dev_ids, &io_ops, 0);
	CHECK(pci_device_add_bar(&q, 0, 256, PCI_BAR_IO));
	static const struct msix_layout in_io = {1, 0, 0, 0, 0x80};
	CHECK(!msix_init(&m, &q, &in_io, deliver, 0));
	CHECK_EQ(pci_config_read(&q, PCI_CAPABILITY_LIST, 1), 0);
}

TEST(all_vectors)
{
	/* A full table: the last vector's pending bit is bit 63 of the PBA. */
	memset(&sent, 0, sizeof sent);
	pci_bus_init(&bus, MEM_BASE, MEM_LIMIT, IO_BASE, IO_LIMIT);
	pci_device_init(&d.pci, &dev_ids, &dev_ops, &d);
	CHECK(pci_device_add_bar(&d.pci, 1, 0x1000, PCI_BAR_MEM32));
	static const struct msix_layout full = {MSIX_MAX_VECTORS, 1, 1, 0, 0x800};
	CHECK(msix_init(&d.msix, &d.pci, &full, deliver, 0));
	CHECK(pci_bus_attach(&bus, 1, &d.pci));
	cfg_write(&bus, 1, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	cfg_write(&bus, 1, 0x42, 2, 0x8000);
	uint64_t last = MEM_BASE + 16 * (MSIX_MAX_VECTORS - 1);
	mem_rw(&bus, last, 4, true, 0xfee00000);
	mem_rw(&bus, last + 8, 4, true, 0xef);
	CHECK_EQ(msix_notify(&d.msix, MSIX_MAX_VECTORS - 1), MSIX_PENDING);
	CHECK_EQ(mem_rw(&bus, MEM_BASE + 0x800, 8, false, 0), 0x8000000000000000ull);
	CHECK_EQ(mem_rw(&bus, MEM_BASE + 0x800, 4, false, 0), 0);
	CHECK_EQ(mem_rw(&bus, MEM_BASE + 0x804, 4, false, 0), 0x80000000);
	mem_rw(&bus, last + 12, 4, true, 0);
	CHECK_EQ(sent.n, 1);
	CHECK_EQ(sent.data[0], 0xef);
}

CHECK_MAIN("msix", CASE(capability_layout), CASE(power_on_table), CASE(table_widths),
	   CASE(delivery), CASE(vector_mask_holds_then_delivers), CASE(qword_unmask),
	   CASE(function_mask), CASE(disabled_drops), CASE(pending_survives_disable),
	   CASE(bus_master), CASE(bad_vectors), CASE(bad_addresses), CASE(no_decode_no_table),
	   CASE(init_rejects_bad_layouts), CASE(all_vectors))
