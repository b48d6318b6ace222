/* PCI bus 0 through configuration mechanism #1 (PCI Local Bus Specification 3.0, 3.2.2.3.2):
 * enumeration, BARs, the capability list and the command register. The guests run with
 * paging off, so a 32-bit memory BAR's address is directly usable as a pointer. */
#pragma once
#include "guests/lib/types.h"

#define PCI_CONF_ADDRESS 0xcf8	     /* CONFIG_ADDRESS: enable 31, bus 23:16, device 15:11, */
#define PCI_CONF_DATA	 0xcfc	     /* function 10:8, register 7:2; data in 0xcfc-0xcff */
#define PCI_CONF_ENABLE	 0x80000000u /* CONFIG_ADDRESS bit 31 */
#define PCI_SLOTS	 32	     /* device numbers on a bus */
#define PCI_FUNCTIONS	 8	     /* functions of one device */
#define PCI_NO_VENDOR	 0xffff	     /* vendor ID read from an empty slot (master abort) */

/* Type-0 header (spec 6.1). */
#define PCI_VENDOR_ID	    0x00 /* 16 bits */
#define PCI_DEVICE_ID	    0x02 /* 16 bits */
#define PCI_COMMAND	    0x04 /* 16 bits */
#define PCI_STATUS	    0x06 /* 16 bits */
#define PCI_REVISION_ID	    0x08
#define PCI_CLASS_PROG	    0x09
#define PCI_HEADER_TYPE	    0x0e /* bit 7: multi-function device */
#define PCI_BAR0	    0x10 /* six dwords */
#define PCI_SUBSYSTEM_ID    0x2e /* 16 bits */
#define PCI_CAPABILITY_LIST 0x34 /* offset of the first capability, 0 = none */
#define PCI_INTERRUPT_PIN   0x3d /* 0: no INTx */

#define PCI_HEADER_MULTI_FN 0x80
#define PCI_COMMAND_MEMORY  0x0002 /* decode memory BARs */
#define PCI_COMMAND_MASTER  0x0004 /* may write memory: DMA and MSI-X messages */
#define PCI_STATUS_CAP_LIST 0x0010 /* the capability pointer is valid */
#define PCI_NUM_BARS	    6
#define PCI_BAR_IO	    0x1 /* bit 0: I/O space */
#define PCI_BAR_TYPE_MASK   0x6 /* bits 2:1 of a memory BAR: 00 32-bit, 10 64-bit */
#define PCI_BAR_TYPE_64	    0x4
#define PCI_BAR_MEM_ADDR    0xfffffff0u /* address bits of a memory BAR's low dword */
#define PCI_CAP_ID_VENDOR   0x09	/* spec 6.7 / appendix H: vendor-specific */
#define PCI_CAP_ID_MSIX	    0x11
#define PCI_CAP_LIST_MAX    48 /* capabilities that fit in 192 bytes: ends a looping list */

/* One function on bus 0. */
struct pci_func {
	u8 slot, fn;
	u16 vendor, device;
};

u32 pci_read32(const struct pci_func *f, u8 off);
u16 pci_read16(const struct pci_func *f, u8 off);
u8 pci_read8(const struct pci_func *f, u8 off);
void pci_write32(const struct pci_func *f, u8 off, u32 v);
void pci_write16(const struct pci_func *f, u8 off, u16 v);
void pci_write8(const struct pci_func *f, u8 off, u8 v);

/* Every function on bus 0, in slot and function order: fills at most max, returns how many
 * exist. */
unsigned pci_scan(struct pci_func *out, unsigned max);
/* Where memory BAR `bar` decodes (0 for an I/O BAR, or a 64-bit one placed above 4 GiB). */
u32 pci_bar_address(const struct pci_func *f, unsigned bar);
/* The BAR's size by the all-ones probe, with memory decoding off meanwhile (0: unused). */
u32 pci_bar_size(const struct pci_func *f, unsigned bar);
/* The next capability with ID `id` after the one at `after` (0: from the list head); 0 when
 * there is none. */
u8 pci_find_cap(const struct pci_func *f, u8 id, u8 after);
/* Sets `bits` in the command register. */
void pci_enable(const struct pci_func *f, u16 bits);
