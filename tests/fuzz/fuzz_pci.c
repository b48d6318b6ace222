/* PCI bus 0 and MSI-X (devices/pci.c, devices/msix.c) with functions the input declares:
 * any mix of 32- and 64-bit memory BARs and I/O BARs of any legal size, an MSI-X table and
 * PBA placed anywhere legal, then guest config cycles (any port, width, register, value)
 * and accesses anywhere in the memory and I/O windows, with vectors raised meanwhile.
 * Checked: the bus hands a device only accesses wholly inside one of its decoding BARs,
 * and only while the command register enables that kind of decoding; BARs stay aligned to
 * their size with their type bits intact, and sizing reads back ~(size - 1); identity
 * registers never change; a message goes out only while MSI-X is enabled and unmasked,
 * from an unmasked entry and as that entry says, and a masked vector's pending bit is set
 * instead. */
#include "devices/msix.h"
#include "devices/pci.h"
#include "tests/fuzz/fuzz.h"

#define MEM_BASE  0xc0000000ull
#define MEM_LIMIT 0xfeafffffull
#define IO_BASE	  0xc000u
#define IO_LIMIT  0xffffu
#define NFUNC	  3
#define OPS_MAX	  2048

struct func {
	struct pci_device dev;
	struct msix msix;
	bool has_msix;
	uint16_t vendor, device;
};

static struct pci_bus bus;
static struct func funcs[NFUNC];
static unsigned nfuncs;

static void bar_mmio(void *ctx, unsigned bar, uint64_t offset, struct mmio_access *a)
{
	struct func *f = ctx;
	const struct pci_bar *b = &f->dev.bar[bar];
	FUZZ_CHECK(bar < PCI_NUM_BARS && b->size && !(b->type & PCI_BAR_IO) && b->decoding);
	FUZZ_CHECK(pci_config_read(&f->dev, PCI_COMMAND, 2) & PCI_COMMAND_MEMORY);
	FUZZ_CHECK(offset < b->size && a->size <= b->size - offset);
	FUZZ_CHECK(a->gpa == b->base + offset);
	if (f->has_msix && msix_mmio(&f->msix, bar, offset, a))
		return;
	if (!a->write)
		a->value = 0;
}

static void bar_io(void *ctx, unsigned bar, uint64_t offset, struct io_access *a)
{
	struct func *f = ctx;
	const struct pci_bar *b = &f->dev.bar[bar];
	FUZZ_CHECK(bar < PCI_NUM_BARS && b->size && (b->type & PCI_BAR_IO) && b->decoding);
	FUZZ_CHECK(pci_config_read(&f->dev, PCI_COMMAND, 2) & PCI_COMMAND_IO);
	FUZZ_CHECK(offset < b->size && a->size <= b->size - offset);
	if (!a->write)
		a->value = 0;
}

static void bar_changed(void *ctx, unsigned bar, uint64_t base, bool decoding)
{
	struct func *f = ctx;
	const struct pci_bar *b = &f->dev.bar[bar];
	FUZZ_CHECK(b->size);
	if (decoding)
		FUZZ_CHECK(base % b->size == 0);
}

static void config_written(void *ctx, unsigned offset, unsigned size)
{
	struct func *f = ctx;
	(void)offset;
	(void)size;
	if (f->has_msix)
		msix_config_written(&f->msix);
}

static const struct pci_device_ops ops = {.bar_mmio = bar_mmio,
					  .bar_io = bar_io,
					  .bar_changed = bar_changed,
					  .config_written = config_written};

static void deliver(void *ctx, uint64_t address, uint32_t data)
{
	const struct func *f = ctx;
	const struct msix *m = &f->msix;
	uint16_t ctl = (uint16_t)pci_config_read(&f->dev, m->cap + MSIX_CAP_CONTROL, 2);
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

/* A function as the input declares it (a BAR or MSI-X layout the device refuses is left
 * out: refusing is its right). */
static void declare(struct fuzz_input *in, struct func *f)
{
	f->vendor = fuzz_u16(in);
	f->device = fuzz_u16(in);
	struct pci_ids ids = {.vendor = f->vendor, .device = f->device, .class_base = 0xff};
	pci_device_init(&f->dev, &ids, &ops, f);
	for (unsigned b = 0; b < PCI_NUM_BARS; b++) {
		uint8_t kind = fuzz_u8(in);
		if (!(kind & 3))
			continue;
		unsigned type = (kind & 3) == 1	  ? PCI_BAR_MEM32
				: (kind & 3) == 2 ? PCI_BAR_MEM64
						  : PCI_BAR_IO;
		if (kind & 4)
			type |= type == PCI_BAR_IO ? 0 : PCI_BAR_PREFETCH;
		uint64_t size =
		    1ull << (type == PCI_BAR_IO ? 2 + (kind >> 3) % 7 : 4 + (kind >> 3) % 17);
		(void)pci_device_add_bar(&f->dev, b, size, type);
	}
	f->has_msix = false;
	if (fuzz_bool(in)) {
		struct msix_layout l = {.vectors = 1 + fuzz_below(in, MSIX_MAX_VECTORS),
					.table_bar = fuzz_below(in, PCI_NUM_BARS),
					.pba_bar = fuzz_below(in, PCI_NUM_BARS),
					.table_offset = fuzz_u16(in) & ~7u,
					.pba_offset = fuzz_u16(in) & ~7u};
		f->has_msix = msix_init(&f->msix, &f->dev, &l, deliver, f);
	}
}

static void check_identity(const struct func *f)
{
	FUZZ_CHECK(pci_config_read(&f->dev, PCI_VENDOR_ID, 2) == f->vendor);
	FUZZ_CHECK(pci_config_read(&f->dev, PCI_DEVICE_ID, 2) == f->device);
	for (unsigned b = 0; b < PCI_NUM_BARS; b++) {
		const struct pci_bar *bar = &f->dev.bar[b];
		if (!bar->size)
			continue;
		uint32_t lo = pci_config_read(&f->dev, PCI_BAR0 + 4 * b, 4);
		FUZZ_CHECK((lo & (bar->type & PCI_BAR_IO ? 3u : 0xfu)) == bar->type);
		uint64_t addr = lo & (bar->type & PCI_BAR_IO ? ~3ull : ~0xfull) & 0xffffffffull;
		if (!(bar->type & PCI_BAR_IO) && (bar->type & PCI_BAR_MEM64))
			addr |= (uint64_t)pci_config_read(&f->dev, PCI_BAR0 + 4 * b + 4, 4) << 32;
		FUZZ_CHECK(addr % bar->size == 0);
	}
}

static uint32_t port_rw(uint16_t port, uint8_t size, bool write, uint32_t value)
{
	struct io_access a = {.port = port, .size = size, .write = write, .value = value};
	pci_conf1_io(&bus, &a);
	return a.value;
}

static void step(struct fuzz_input *in)
{
	switch (fuzz_below(in, 8)) {
	case 0: /* CONFIG_ADDRESS, or any other port of the pair of dwords */
		port_rw((uint16_t)(0xcf8 + fuzz_below(in, 8)), fuzz_width(in, 4), fuzz_bool(in),
			fuzz_u32(in));
		break;
	case 1:
	case 2: { /* a config cycle to a function (or an empty slot), BARs most often */
		unsigned slot = fuzz_below(in, NFUNC + 2), off = fuzz_u8(in);
		uint8_t size = fuzz_width(in, 4);
		if (fuzz_bool(in))
			off = PCI_BAR0 + 4 * fuzz_below(in, PCI_NUM_BARS);
		port_rw(0xcf8, 4, true, 0x80000000u | slot << 11 | (off & 0xfc));
		uint16_t port = (uint16_t)(0xcfc + (off & 3));
		if (fuzz_bool(in)) {
			port_rw(port, size, true, fuzz_bool(in) ? ~0u : fuzz_u32(in));
		} else {
			uint32_t v = port_rw(port, size, false, 0);
			if (slot > nfuncs) /* an empty slot master-aborts */
				FUZZ_CHECK(v == (uint32_t)fuzz_mask(size));
		}
		break;
	}
	case 3:
	case 4: { /* memory: near a BAR of ours, or anywhere in the window */
		struct mmio_access a = {
		    .size = fuzz_width(in, 8), .write = fuzz_bool(in), .value = fuzz_u64(in)};
		const struct func *f = &funcs[fuzz_below(in, nfuncs)];
		const struct pci_bar *b = &f->dev.bar[fuzz_below(in, PCI_NUM_BARS)];
		if (b->size && b->decoding && fuzz_bool(in))
			a.gpa = b->base + fuzz_u32(in) % (b->size + 16) - (fuzz_bool(in) ? 8 : 0);
		else
			a.gpa = MEM_BASE + fuzz_u32(in) % (MEM_LIMIT - MEM_BASE + 1);
		if (a.gpa >= MEM_BASE && a.gpa <= MEM_LIMIT)
			pci_mmio_window(&bus, a.gpa - MEM_BASE, &a);
		(void)pci_bus_window_span(&bus, a.gpa);
		break;
	}
	case 5: { /* I/O window */
		struct io_access a = {
		    .port = (uint16_t)(IO_BASE + fuzz_u16(in) % (IO_LIMIT - IO_BASE + 1)),
		    .size = fuzz_width(in, 4),
		    .write = fuzz_bool(in),
		    .value = fuzz_u32(in)};
		pci_io_window(&bus, &a);
		break;
	}
	default: { /* the device raises a vector */
		struct func *f = &funcs[fuzz_below(in, nfuncs)];
		if (!f->has_msix)
			break;
		unsigned v = fuzz_u8(in) % (f->msix.layout.vectors + 1);
		if (v >= f->msix.layout.vectors)
			break;
		enum msix_result r = msix_notify(&f->msix, v);
		uint16_t ctl =
		    (uint16_t)pci_config_read(&f->dev, f->msix.cap + MSIX_CAP_CONTROL, 2);
		bool masked = (ctl & MSIX_CONTROL_MASKALL) ||
			      (f->msix.table[v][MSIX_ENTRY_CONTROL / 4] & MSIX_ENTRY_MASKED);
		if (r == MSIX_PENDING)
			FUZZ_CHECK(masked && (f->msix.pending >> v & 1));
		if (r == MSIX_SENT)
			FUZZ_CHECK(!masked && (ctl & MSIX_CONTROL_ENABLE));
		break;
	}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = fuzz_input(data, size);
	pci_bus_init(&bus, MEM_BASE, MEM_LIMIT, IO_BASE, IO_LIMIT);
	nfuncs = 0;
	for (unsigned i = 0; i < NFUNC; i++) {
		memset(&funcs[nfuncs], 0, sizeof funcs[nfuncs]);
		declare(&in, &funcs[nfuncs]);
		if (pci_bus_attach(&bus, 1 + nfuncs, &funcs[nfuncs].dev))
			nfuncs++;
	}
	if (!nfuncs)
		return 0;
	for (unsigned op = 0; op < OPS_MAX && fuzz_more(&in); op++) {
		step(&in);
		for (unsigned i = 0; i < nfuncs; i++)
			check_identity(&funcs[i]);
	}
	return 0;
}
