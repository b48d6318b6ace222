/* How a BAR decodes (PCI Local Bus Specification 3.0, 6.2.2 and 6.2.5): only while the
 * command register's memory bit is set, at the address last written to it, at once; what no
 * BAR claims in the host bridge's window is a master abort, reading all-ones. And the
 * registers reached without a BAR, through virtio's PCI configuration access capability. */
#include "guests/lib/mmio.h"
#include "guests/lib/report.h"
#include "guests/virtio-test/vtest.h"

#define MOVED_BAR0     0xe0000000u /* free in the window: BARs are placed from its base up */
#define MASTER_ABORT32 0xffffffffu
#define TEST_SELECT    1 /* a device_feature_select value that reads back */

/* §4.1.4.9: bar, offset and length select a register; a write of pci_cfg_data writes it,
 * a read of pci_cfg_data reads it. */
static void check_cfg_window(const struct pci_func *f, u32 bar0)
{
	u8 cap = 0;
	while ((cap = pci_find_cap(f, PCI_CAP_ID_VENDOR, cap)) &&
	       pci_read8(f, (u8)(cap + VIRTIO_PCI_CAP_CFG_TYPE)) != VIRTIO_PCI_CAP_PCI_CFG)
		;
	if (!cap) {
		report(false, "decode: a PCI configuration access capability");
		return;
	}
	u8 data = (u8)(cap + VIRTIO_PCI_CAP_CFG_DATA);
	pci_write8(f, (u8)(cap + VIRTIO_PCI_CAP_BAR), 0);
	pci_write32(f, (u8)(cap + VIRTIO_PCI_CAP_OFFSET), VIRTIO_CC_NUM_QUEUES);
	pci_write32(f, (u8)(cap + VIRTIO_PCI_CAP_LENGTH), 2);
	u16 queues = (u16)pci_read32(f, data);
	pci_write32(f, (u8)(cap + VIRTIO_PCI_CAP_OFFSET), VIRTIO_CC_DFSELECT);
	pci_write32(f, (u8)(cap + VIRTIO_PCI_CAP_LENGTH), 4);
	pci_write32(f, data, TEST_SELECT);
	u32 via_bar = mmio_read32(bar0 + VIRTIO_CC_DFSELECT);
	mmio_write32(bar0 + VIRTIO_CC_DFSELECT, 0);
	u32 via_cfg = pci_read32(f, data);
	u16 want = mmio_read16(bar0 + VIRTIO_CC_NUM_QUEUES);
	report(queues == want && via_bar == TEST_SELECT && via_cfg == 0,
	       "decode: the configuration access window reads (%u queues, select %u) and writes "
	       "(select %u) BAR 0",
	       queues, via_cfg, via_bar);
}

void test_decode(const struct pci_func *f)
{
	u32 bar0 = pci_bar_address(f, 0);
	u16 cmd = pci_read16(f, PCI_COMMAND);

	pci_write16(f, PCI_COMMAND, (u16)(cmd | PCI_COMMAND_MEMORY));
	u16 queues = mmio_read16(bar0 + VIRTIO_CC_NUM_QUEUES);
	report(queues != 0 && queues != 0xffff,
	       "decode: BAR 0 answers with memory decoding on (%u "
	       "queues)",
	       queues);

	pci_write16(f, PCI_COMMAND, (u16)(cmd & ~PCI_COMMAND_MEMORY));
	u32 off = mmio_read32(bar0 + VIRTIO_CC_DFSELECT);
	mmio_write32(bar0 + VIRTIO_CC_DFSELECT, TEST_SELECT);
	pci_write16(f, PCI_COMMAND, (u16)(cmd | PCI_COMMAND_MEMORY));
	u32 on = mmio_read32(bar0 + VIRTIO_CC_DFSELECT);
	report(off == MASTER_ABORT32 && on == 0,
	       "decode: memory decoding off: reads all-ones (0x%x), writes go nowhere (0x%x)", off,
	       on);

	pci_write32(f, PCI_BAR0, MOVED_BAR0);
	u16 moved = mmio_read16(MOVED_BAR0 + VIRTIO_CC_NUM_QUEUES);
	u32 old = mmio_read32(bar0 + VIRTIO_CC_DFSELECT);
	pci_write32(f, PCI_BAR0, bar0);
	u16 back = mmio_read16(bar0 + VIRTIO_CC_NUM_QUEUES);
	report(moved == queues && old == MASTER_ABORT32 && back == queues,
	       "decode: a moved BAR answers at 0x%x at once, its old address reads all-ones "
	       "(0x%x)",
	       MOVED_BAR0, old);
	check_cfg_window(f, bar0);
	pci_write16(f, PCI_COMMAND, cmd);
}
