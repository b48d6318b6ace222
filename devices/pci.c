/* PCI bus 0 and type-0 config spaces (the contract is devices/pci.h).
 *
 * Every config register, BARs included, is bytes in dev->config with a writable mask in
 * dev->wmask: a guest write changes only masked bits. BAR sizing then needs no special
 * case: the mask of a BAR holds exactly the address bits above its size. After each write
 * the BARs' decode state is recomputed from the bytes, so a moved BAR or a flipped command
 * bit is seen by routing at once and reported to the owner once. */
#include "devices/pci.h"
#include "kernel/kstring.h"

#define CONF1_ENABLE	 0x80000000u /* CONFIG_ADDRESS bit 31: CONFIG_DATA makes config cycles */
#define CONF1_WRITABLE	 0x80fffffcu /* enable, bus, device, function, register; rest reserved */
#define CONF1_BUS_SHIFT	 16	     /* bits 23:16 */
#define CONF1_BUS_MASK	 0xffu
#define CONF1_SLOT_SHIFT 11 /* bits 15:11 */
#define CONF1_SLOT_MASK	 0x1fu
#define CONF1_FN_SHIFT	 8 /* bits 10:8 */
#define CONF1_FN_MASK	 0x7u
#define CONF1_REG_MASK	 0xfcu /* bits 7:2: dword-aligned register offset */
#define CONF1_LANES	 4     /* CONFIG_DATA is one dword wide */

#define BAR_MEM_TYPE_BITS 0xfu		/* memory BAR bits 3:0: space, type, prefetchable */
#define BAR_IO_TYPE_BITS  0x3u		/* I/O BAR bits 1:0: space, reserved */
#define BAR_MEM32_MAX	  0x80000000ull /* larger sizes have no writable bit in 32 bits */
#define BAR_MEM_ALIGN	  0x1000u	/* placement: one page at least, never shared */

#define COMMAND_WRITABLE                                                                           \
	(PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE)

static const struct pci_device_ops host_bridge_ops;

static uint64_t all_ones(unsigned size)
{
	return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

static uint32_t get_le(const uint8_t *p, unsigned size)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < size; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

static void put_le(uint8_t *p, unsigned size, uint32_t v)
{
	for (unsigned i = 0; i < size; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static bool is_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

static bool window_holds(const struct pci_window *w, uint64_t base, uint64_t size)
{
	return base >= w->base && base <= w->limit && size - 1 <= w->limit - base;
}

/* Limits below 2^63 (pci_bus_init) keep the rounding and the new `next` from wrapping. */
static bool window_alloc(struct pci_window *w, uint64_t size, uint64_t align, uint64_t *out)
{
	uint64_t at = (w->next + align - 1) & ~(align - 1);
	if (!window_holds(w, at, size))
		return false;
	w->next = at + size;
	*out = at;
	return true;
}

static unsigned bar_offset(unsigned bar)
{
	return PCI_BAR0 + 4 * bar;
}

static uint64_t bar_address(const struct pci_device *dev, unsigned bar)
{
	const struct pci_bar *b = &dev->bar[bar];
	uint32_t lo = get_le(dev->config + bar_offset(bar), 4);
	uint64_t addr = lo & ~(b->type & PCI_BAR_IO ? BAR_IO_TYPE_BITS : BAR_MEM_TYPE_BITS);
	if (b->type & PCI_BAR_MEM64)
		addr |= (uint64_t)get_le(dev->config + bar_offset(bar + 1), 4) << 32;
	return addr;
}

static void bar_place(struct pci_device *dev, unsigned bar, uint64_t addr)
{
	put_le(dev->config + bar_offset(bar), 4, (uint32_t)addr | dev->bar[bar].type);
	if (dev->bar[bar].type & PCI_BAR_MEM64)
		put_le(dev->config + bar_offset(bar + 1), 4, (uint32_t)(addr >> 32));
}

static bool bar_should_decode(const struct pci_device *dev, unsigned bar, uint64_t addr)
{
	const struct pci_bar *b = &dev->bar[bar];
	uint32_t command = get_le(dev->config + PCI_COMMAND, 2);
	if (b->type & PCI_BAR_IO)
		return (command & PCI_COMMAND_IO) && window_holds(&dev->bus->io, addr, b->size);
	return (command & PCI_COMMAND_MEMORY) && window_holds(&dev->bus->mem, addr, b->size);
}

/* Recomputes where each BAR answers and tells the owner about every change. */
static void update_decode(struct pci_device *dev)
{
	for (unsigned i = 0; i < PCI_NUM_BARS; i++) {
		struct pci_bar *b = &dev->bar[i];
		if (!b->size)
			continue;
		uint64_t addr = bar_address(dev, i);
		bool decoding = bar_should_decode(dev, i, addr);
		if (decoding == b->decoding && (!decoding || addr == b->base))
			continue;
		b->decoding = decoding;
		b->base = addr;
		if (dev->ops->bar_changed)
			dev->ops->bar_changed(dev->ctx, i, addr, decoding);
	}
}

uint32_t pci_config_read(const struct pci_device *dev, unsigned offset, unsigned size)
{
	return get_le(dev->config + offset, size);
}

static void config_write(struct pci_device *dev, unsigned offset, unsigned size, uint32_t value)
{
	for (unsigned i = 0; i < size; i++) {
		uint8_t mask = dev->wmask[offset + i];
		uint8_t byte = (uint8_t)(value >> (8 * i));
		dev->config[offset + i] =
		    (uint8_t)((dev->config[offset + i] & ~mask) | (byte & mask));
	}
	update_decode(dev);
	if (dev->ops->config_written)
		dev->ops->config_written(dev->ctx, offset, size);
}

void pci_device_init(struct pci_device *dev, const struct pci_ids *ids,
		     const struct pci_device_ops *ops, void *ctx)
{
	memset(dev, 0, sizeof *dev);
	put_le(dev->config + PCI_VENDOR_ID, 2, ids->vendor);
	put_le(dev->config + PCI_DEVICE_ID, 2, ids->device);
	dev->config[PCI_REVISION_ID] = ids->revision;
	dev->config[PCI_CLASS_PROG] = ids->class_prog;
	dev->config[PCI_CLASS_SUB] = ids->class_sub;
	dev->config[PCI_CLASS_BASE] = ids->class_base;
	put_le(dev->config + PCI_SUBSYSTEM_VENDOR_ID, 2, ids->subsystem_vendor);
	put_le(dev->config + PCI_SUBSYSTEM_ID, 2, ids->subsystem);
	dev->config[PCI_INTERRUPT_PIN] = ids->interrupt_pin;
	put_le(dev->wmask + PCI_COMMAND, 2, COMMAND_WRITABLE);
	dev->wmask[PCI_INTERRUPT_LINE] = 0xff;
	dev->cap_next = PCI_CAP_START;
	dev->ops = ops;
	dev->ctx = ctx;
}

/* Slot `bar` already belongs to a BAR: its own, or the high half of the one below. */
static bool bar_taken(const struct pci_device *dev, unsigned bar)
{
	if (dev->bar[bar].size)
		return true;
	return bar > 0 && dev->bar[bar - 1].size && (dev->bar[bar - 1].type & PCI_BAR_MEM64);
}

static bool bar_valid(const struct pci_device *dev, unsigned bar, uint64_t size, unsigned type)
{
	if (bar >= PCI_NUM_BARS || bar_taken(dev, bar) || !is_pow2(size))
		return false;
	if (type == PCI_BAR_IO)
		return dev->ops->bar_io && size >= PCI_BAR_IO_MIN && size <= PCI_BAR_IO_MAX;
	if ((type & ~(PCI_BAR_MEM64 | PCI_BAR_PREFETCH)) || !dev->ops->bar_mmio ||
	    size < PCI_BAR_MEM_MIN)
		return false;
	if (type & PCI_BAR_MEM64)
		return bar + 1 < PCI_NUM_BARS && !dev->bar[bar + 1].size;
	return size <= BAR_MEM32_MAX;
}

bool pci_device_add_bar(struct pci_device *dev, unsigned bar, uint64_t size, unsigned type)
{
	if (!bar_valid(dev, bar, size, type))
		return false;
	dev->bar[bar].size = size;
	dev->bar[bar].type = (uint8_t)type;
	/* The minimum sizes keep the type bits out of the address mask. */
	uint64_t mask = ~(size - 1);
	put_le(dev->config + bar_offset(bar), 4, type);
	put_le(dev->wmask + bar_offset(bar), 4, (uint32_t)mask);
	if (type & PCI_BAR_MEM64)
		put_le(dev->wmask + bar_offset(bar + 1), 4, (uint32_t)(mask >> 32));
	return true;
}

uint8_t pci_device_add_capability(struct pci_device *dev, const uint8_t *cap, const uint8_t *wmask,
				  unsigned len)
{
	unsigned at = dev->cap_next;
	if (len < 2 || len > PCI_CONFIG_SIZE - at)
		return 0;
	memcpy(dev->config + at, cap, len);
	dev->config[at + 1] = 0; /* end of list until another one is appended */
	if (wmask)
		memcpy(dev->wmask + at, wmask, len);
	dev->wmask[at] = 0;
	dev->wmask[at + 1] = 0;
	if (dev->cap_last)
		dev->config[dev->cap_last + 1] = (uint8_t)at;
	else
		dev->config[PCI_CAPABILITY_LIST] = (uint8_t)at;
	put_le(dev->config + PCI_STATUS, 2,
	       get_le(dev->config + PCI_STATUS, 2) | PCI_STATUS_CAP_LIST);
	dev->cap_last = (uint8_t)at;
	dev->cap_next = (uint16_t)((at + len + 3) & ~3u); /* capabilities are dword aligned */
	return (uint8_t)at;
}

void pci_bus_init(struct pci_bus *bus, uint64_t mem_base, uint64_t mem_limit, uint32_t io_base,
		  uint32_t io_limit)
{
	memset(bus, 0, sizeof *bus);
	bus->mem = (struct pci_window){mem_base, mem_limit, mem_base};
	bus->io = (struct pci_window){io_base, io_limit, io_base};
	const struct pci_ids host = {
	    .vendor = PCI_HOST_BRIDGE_VENDOR,
	    .device = PCI_HOST_BRIDGE_DEVICE,
	    .class_base = PCI_CLASS_BRIDGE,
	    .class_sub = PCI_SUBCLASS_HOST,
	};
	pci_device_init(&bus->host_bridge, &host, &host_bridge_ops, 0);
	bus->host_bridge.bus = bus;
	bus->slot[PCI_HOST_BRIDGE_SLOT] = &bus->host_bridge;
}

bool pci_bus_attach(struct pci_bus *bus, unsigned slot, struct pci_device *dev)
{
	if (slot == PCI_HOST_BRIDGE_SLOT || slot >= PCI_MAX_SLOTS || bus->slot[slot])
		return false;
	/* Place into copies of the windows: a device that does not fit leaves no trace. */
	struct pci_window mem = bus->mem, io = bus->io;
	uint64_t addr[PCI_NUM_BARS];
	for (unsigned i = 0; i < PCI_NUM_BARS; i++) {
		uint64_t size = dev->bar[i].size;
		if (!size)
			continue;
		bool ok = dev->bar[i].type & PCI_BAR_IO
			      ? window_alloc(&io, size, size, &addr[i])
			      : window_alloc(&mem, size,
					     size > BAR_MEM_ALIGN ? size : BAR_MEM_ALIGN, &addr[i]);
		if (!ok)
			return false;
	}
	for (unsigned i = 0; i < PCI_NUM_BARS; i++)
		if (dev->bar[i].size)
			bar_place(dev, i, addr[i]);
	bus->mem = mem;
	bus->io = io;
	bus->slot[slot] = dev;
	dev->bus = bus;
	update_decode(dev);
	return true;
}

/* The function CONFIG_ADDRESS selects, or NULL for a master abort. */
static struct pci_device *conf1_target(const struct pci_bus *bus)
{
	uint32_t address = bus->address;
	if (!(address & CONF1_ENABLE) || ((address >> CONF1_BUS_SHIFT) & CONF1_BUS_MASK) != 0 ||
	    ((address >> CONF1_FN_SHIFT) & CONF1_FN_MASK) != 0)
		return 0;
	return bus->slot[(address >> CONF1_SLOT_SHIFT) & CONF1_SLOT_MASK];
}

void pci_conf1_io(void *opaque, struct io_access *a)
{
	struct pci_bus *bus = opaque;
	if (a->port < PCI_CONF1_DATA_PORT) {
		if (a->port == PCI_CONF1_ADDRESS_PORT && a->size == 4) {
			if (a->write)
				bus->address = a->value & CONF1_WRITABLE;
			else
				a->value = bus->address;
		} else if (!a->write) {
			a->value = (uint32_t)all_ones(a->size);
		}
		return;
	}
	unsigned lane = a->port - PCI_CONF1_DATA_PORT;
	struct pci_device *dev = lane + a->size <= CONF1_LANES ? conf1_target(bus) : 0;
	unsigned offset = (bus->address & CONF1_REG_MASK) + lane;
	if (!dev) {
		if (!a->write)
			a->value = (uint32_t)all_ones(a->size);
	} else if (a->write) {
		config_write(dev, offset, a->size, a->value);
	} else {
		a->value = pci_config_read(dev, offset, a->size);
	}
}

/* The device and BAR whose decoded range holds [addr, addr + size), if any. */
static struct pci_device *route(const struct pci_bus *bus, bool io, uint64_t addr, unsigned size,
				unsigned *bar_out, uint64_t *offset_out)
{
	for (unsigned s = 0; s < PCI_MAX_SLOTS; s++) {
		struct pci_device *dev = bus->slot[s];
		if (!dev)
			continue;
		for (unsigned i = 0; i < PCI_NUM_BARS; i++) {
			const struct pci_bar *b = &dev->bar[i];
			bool bar_io = b->type & PCI_BAR_IO;
			if (!b->decoding || bar_io != io || addr < b->base)
				continue;
			uint64_t offset = addr - b->base;
			if (offset < b->size && size <= b->size - offset) {
				*bar_out = i;
				*offset_out = offset;
				return dev;
			}
		}
	}
	return 0;
}

uint64_t pci_bus_mmio_span(struct pci_bus *bus, uint64_t gpa)
{
	unsigned bar;
	uint64_t offset;
	struct pci_device *dev = route(bus, false, gpa, 1, &bar, &offset);
	return dev ? dev->bar[bar].size - offset : 0;
}

bool pci_bus_mmio(struct pci_bus *bus, struct mmio_access *a)
{
	unsigned bar;
	uint64_t offset;
	struct pci_device *dev = route(bus, false, a->gpa, a->size, &bar, &offset);
	if (!dev)
		return false;
	dev->ops->bar_mmio(dev->ctx, bar, offset, a);
	return true;
}

bool pci_bus_io(struct pci_bus *bus, struct io_access *a)
{
	unsigned bar;
	uint64_t offset;
	struct pci_device *dev = route(bus, true, a->port, a->size, &bar, &offset);
	if (!dev)
		return false;
	dev->ops->bar_io(dev->ctx, bar, offset, a);
	return true;
}

void pci_mmio_window(void *bus, uint64_t offset, struct mmio_access *a)
{
	if (!pci_bus_mmio(bus, a) && !a->write)
		a->value = all_ones(a->size);
}

void pci_io_window(void *bus, struct io_access *a)
{
	if (!pci_bus_io(bus, a) && !a->write)
		a->value = (uint32_t)all_ones(a->size);
}
