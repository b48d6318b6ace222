#include "guests/lib/pci.h"
#include "guests/lib/x86.h"

static void select_reg(u8 slot, u8 fn, u8 off)
{
	outl(PCI_CONF_ADDRESS, PCI_CONF_ENABLE | (u32)slot << 11 | (u32)fn << 8 | (off & 0xfcu));
}

static u32 read_at(u8 slot, u8 fn, u8 off)
{
	select_reg(slot, fn, off);
	return inl(PCI_CONF_DATA);
}

u32 pci_read32(const struct pci_func *f, u8 off)
{
	return read_at(f->slot, f->fn, off);
}

/* Narrow accesses use the byte lanes of CONFIG_DATA, as the spec lets a driver do. */
u16 pci_read16(const struct pci_func *f, u8 off)
{
	select_reg(f->slot, f->fn, off);
	return inw((u16)(PCI_CONF_DATA + (off & 2)));
}

u8 pci_read8(const struct pci_func *f, u8 off)
{
	select_reg(f->slot, f->fn, off);
	return inb((u16)(PCI_CONF_DATA + (off & 3)));
}

void pci_write32(const struct pci_func *f, u8 off, u32 v)
{
	select_reg(f->slot, f->fn, off);
	outl(PCI_CONF_DATA, v);
}

void pci_write16(const struct pci_func *f, u8 off, u16 v)
{
	select_reg(f->slot, f->fn, off);
	outw((u16)(PCI_CONF_DATA + (off & 2)), v);
}

void pci_write8(const struct pci_func *f, u8 off, u8 v)
{
	select_reg(f->slot, f->fn, off);
	outb((u16)(PCI_CONF_DATA + (off & 3)), v);
}

unsigned pci_scan(struct pci_func *out, unsigned max)
{
	unsigned n = 0;

	for (u8 slot = 0; slot < PCI_SLOTS; slot++) {
		for (u8 fn = 0; fn < PCI_FUNCTIONS; fn++) {
			u32 id = read_at(slot, fn, PCI_VENDOR_ID);
			if ((id & 0xffff) == PCI_NO_VENDOR) {
				if (fn == 0)
					break; /* no function 0: the slot is empty */
				continue;
			}
			struct pci_func f = {slot, fn, (u16)id, (u16)(id >> 16)};
			if (n < max)
				out[n] = f;
			n++;
			if (fn == 0 && !(pci_read8(&f, PCI_HEADER_TYPE) & PCI_HEADER_MULTI_FN))
				break;
		}
	}
	return n;
}

u32 pci_bar_address(const struct pci_func *f, unsigned bar)
{
	u8 off = (u8)(PCI_BAR0 + 4 * bar);
	u32 lo = pci_read32(f, off);

	if (lo & PCI_BAR_IO)
		return 0;
	if ((lo & PCI_BAR_TYPE_MASK) == PCI_BAR_TYPE_64 && bar + 1 < PCI_NUM_BARS &&
	    pci_read32(f, (u8)(off + 4)))
		return 0;
	return lo & PCI_BAR_MEM_ADDR;
}

u32 pci_bar_size(const struct pci_func *f, unsigned bar)
{
	u8 off = (u8)(PCI_BAR0 + 4 * bar);
	u16 cmd = pci_read16(f, PCI_COMMAND);
	u32 saved = pci_read32(f, off);

	/* While probing, the BAR briefly claims addresses near 4 GiB: keep it from decoding. */
	pci_write16(f, PCI_COMMAND, (u16)(cmd & ~PCI_COMMAND_MEMORY));
	pci_write32(f, off, 0xffffffffu);
	u32 probe = pci_read32(f, off);
	pci_write32(f, off, saved);
	pci_write16(f, PCI_COMMAND, cmd);
	u32 mask = (saved & PCI_BAR_IO) ? ~3u : PCI_BAR_MEM_ADDR;
	probe &= mask;
	return probe ? ~probe + 1 : 0;
}

u8 pci_find_cap(const struct pci_func *f, u8 id, u8 after)
{
	if (!(pci_read16(f, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	u8 at = after ? pci_read8(f, (u8)(after + 1)) : pci_read8(f, PCI_CAPABILITY_LIST);
	for (unsigned n = 0; at && n < PCI_CAP_LIST_MAX; n++) {
		at &= 0xfc; /* the bottom two bits of a pointer are reserved */
		if (pci_read8(f, at) == id)
			return at;
		at = pci_read8(f, (u8)(at + 1));
	}
	return 0;
}

void pci_enable(const struct pci_func *f, u16 bits)
{
	pci_write16(f, PCI_COMMAND, (u16)(pci_read16(f, PCI_COMMAND) | bits));
}
