/* MSI-X capability, table and PBA (the contract is devices/msix.h). Message Control lives
 * in the device's config bytes, so its state is read from there rather than mirrored:
 * there is one copy and nothing to keep in step. */
#include "devices/msix.h"
#include "devices/apic_bus.h"
#include "kernel/kstring.h"

#define PBA_BYTES 8 /* MSIX_MAX_VECTORS bits */

static uint16_t control(const struct msix *m)
{
	return (uint16_t)pci_config_read(m->dev, m->cap + MSIX_CAP_CONTROL, 2);
}

bool msix_enabled(const struct msix *m)
{
	return control(m) & MSIX_CONTROL_ENABLE;
}

/* Enabled, not function-masked and allowed to write to memory. */
static bool function_can_send(const struct msix *m)
{
	uint16_t ctl = control(m);
	uint32_t command = pci_config_read(m->dev, PCI_COMMAND, 2);
	return (ctl & MSIX_CONTROL_ENABLE) && !(ctl & MSIX_CONTROL_MASKALL) &&
	       (command & PCI_COMMAND_MASTER);
}

static bool vector_masked(const struct msix *m, unsigned vector)
{
	return m->table[vector][MSIX_ENTRY_CONTROL / 4] & MSIX_ENTRY_MASKED;
}

static enum msix_result send(struct msix *m, unsigned vector)
{
	const uint32_t *entry = m->table[vector];
	uint64_t address =
	    (uint64_t)entry[MSIX_ENTRY_ADDR_HI / 4] << 32 | entry[MSIX_ENTRY_ADDR_LO / 4];
	if ((address >> 32) || (address & MSI_ADDR_BASE_MASK) != MSI_ADDR_BASE)
		return MSIX_DROPPED;
	m->deliver(m->ctx, address, entry[MSIX_ENTRY_DATA / 4]);
	return MSIX_SENT;
}

/* A pending vector that may now send does so, once. */
static void service(struct msix *m, unsigned vector)
{
	uint64_t bit = 1ull << vector;
	if (!(m->pending & bit) || vector_masked(m, vector) || !function_can_send(m))
		return;
	m->pending &= ~bit;
	send(m, vector);
}

void msix_config_written(struct msix *m)
{
	for (unsigned v = 0; v < m->layout.vectors; v++)
		service(m, v);
}

enum msix_result msix_notify(struct msix *m, unsigned vector)
{
	if (vector >= m->layout.vectors)
		return MSIX_DROPPED;
	uint16_t ctl = control(m);
	uint32_t command = pci_config_read(m->dev, PCI_COMMAND, 2);
	if (!(ctl & MSIX_CONTROL_ENABLE) || !(command & PCI_COMMAND_MASTER))
		return MSIX_DROPPED;
	if ((ctl & MSIX_CONTROL_MASKALL) || vector_masked(m, vector)) {
		m->pending |= 1ull << vector;
		return MSIX_PENDING;
	}
	return send(m, vector);
}

static bool in_range(uint64_t offset, uint32_t start, uint32_t len)
{
	return offset >= start && offset - start < len;
}

/* Only naturally aligned dwords and qwords are defined by the spec. */
static bool access_ok(uint64_t offset, const struct mmio_access *a)
{
	return (a->size == 4 || a->size == 8) && offset % a->size == 0;
}

static void table_write(struct msix *m, unsigned vector, unsigned dword, uint32_t value)
{
	if (dword == MSIX_ENTRY_ADDR_LO / 4)
		value &= ~3u; /* the address is dword aligned */
	else if (dword == MSIX_ENTRY_CONTROL / 4)
		value &= MSIX_ENTRY_MASKED; /* the rest of vector control is reserved */
	m->table[vector][dword] = value;
}

static void table_access(struct msix *m, uint64_t offset, struct mmio_access *a)
{
	unsigned vector = (unsigned)(offset / MSIX_ENTRY_SIZE);
	unsigned dword = (unsigned)(offset % MSIX_ENTRY_SIZE) / 4;
	uint32_t *entry = m->table[vector];
	if (!a->write) {
		a->value = entry[dword];
		if (a->size == 8)
			a->value |= (uint64_t)entry[dword + 1] << 32;
		return;
	}
	table_write(m, vector, dword, (uint32_t)a->value);
	if (a->size == 8)
		table_write(m, vector, dword + 1, (uint32_t)(a->value >> 32));
	service(m, vector);
}

bool msix_mmio(struct msix *m, unsigned bar, uint64_t offset, struct mmio_access *a)
{
	const struct msix_layout *l = &m->layout;
	bool table =
	    bar == l->table_bar && in_range(offset, l->table_offset, l->vectors * MSIX_ENTRY_SIZE);
	bool pba = bar == l->pba_bar && in_range(offset, l->pba_offset, PBA_BYTES);
	if (!table && !pba)
		return false;
	if (!access_ok(offset, a)) {
		if (!a->write)
			a->value = a->size == 8 ? ~0ull : (1ull << (8 * a->size)) - 1;
	} else if (table) {
		table_access(m, offset - l->table_offset, a);
	} else if (!a->write) {
		uint64_t shift = 8 * (offset - l->pba_offset);
		a->value = m->pending >> shift;
		if (a->size == 4)
			a->value &= 0xffffffffu;
	}
	return true;
}

static bool region_fits(const struct pci_device *dev, unsigned bar, uint32_t offset, uint32_t len)
{
	if (bar >= PCI_NUM_BARS || !dev->bar[bar].size || (dev->bar[bar].type & PCI_BAR_IO))
		return false;
	return offset % 8 == 0 && offset <= dev->bar[bar].size &&
	       len <= dev->bar[bar].size - offset;
}

static bool layout_valid(const struct pci_device *dev, const struct msix_layout *l)
{
	uint32_t table_len = l->vectors * MSIX_ENTRY_SIZE;
	if (l->vectors == 0 || l->vectors > MSIX_MAX_VECTORS ||
	    !region_fits(dev, l->table_bar, l->table_offset, table_len) ||
	    !region_fits(dev, l->pba_bar, l->pba_offset, PBA_BYTES))
		return false;
	return l->table_bar != l->pba_bar || l->pba_offset >= l->table_offset + table_len ||
	       l->table_offset >= l->pba_offset + PBA_BYTES;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

bool msix_init(struct msix *m, struct pci_device *dev, const struct msix_layout *layout,
	       void (*deliver)(void *ctx, uint64_t address, uint32_t data), void *ctx)
{
	if (!layout_valid(dev, layout))
		return false;
	uint8_t cap[MSIX_CAP_SIZE] = {PCI_CAP_ID_MSIX};
	uint8_t wmask[MSIX_CAP_SIZE] = {0};
	uint16_t ctl = (uint16_t)(layout->vectors - 1);
	cap[MSIX_CAP_CONTROL] = (uint8_t)ctl;
	cap[MSIX_CAP_CONTROL + 1] = (uint8_t)(ctl >> 8);
	wmask[MSIX_CAP_CONTROL + 1] = (MSIX_CONTROL_ENABLE | MSIX_CONTROL_MASKALL) >> 8;
	put_le32(cap + MSIX_CAP_TABLE, layout->table_offset | layout->table_bar);
	put_le32(cap + MSIX_CAP_PBA, layout->pba_offset | layout->pba_bar);
	uint8_t at = pci_device_add_capability(dev, cap, wmask, MSIX_CAP_SIZE);
	if (!at)
		return false;
	memset(m, 0, sizeof *m);
	m->dev = dev;
	m->cap = at;
	m->layout = *layout;
	for (unsigned v = 0; v < MSIX_MAX_VECTORS; v++)
		m->table[v][MSIX_ENTRY_CONTROL / 4] = MSIX_ENTRY_MASKED;
	m->deliver = deliver;
	m->ctx = ctx;
	return true;
}
