/* Conventional PCI bus 0 (PCI Local Bus Specification 3.0): configuration mechanism #1, a
 * host bridge at 00:00.0 and up to 31 single-function devices with type-0 headers. The
 * hypervisor acts as firmware: it places every BAR when a device is attached, and guests
 * (Linux) keep those addresses. No VMX knowledge; host-tested.
 *
 * Configuration mechanism #1 (spec 3.2.2.3.2), ports 0xcf8-0xcff:
 * - CONFIG_ADDRESS is the dword at 0xcf8: enable 31, bus 23:16, device 15:11, function
 *   10:8, register 7:2. Bits 30:24 and 1:0 are reserved and read 0; the rest reads back as
 *   written. Byte and word accesses at 0xcf8-0xcfb are not CONFIG_ADDRESS (Linux's type-1
 *   probe writes a byte to 0xcfb and expects the dword to be unchanged): they read
 *   all-ones and writes are ignored.
 * - CONFIG_DATA is 0xcfc-0xcff: an access of 1, 2 or 4 bytes at 0xcfc + n reaches config
 *   offset register + n. An access that would run past 0xcff, any access while the enable
 *   bit is clear, and any access to a bus other than 0, a function other than 0 or an
 *   empty slot reads all-ones and writes nothing (a master abort).
 *
 * Type-0 header: what is writable (everything else is read-only; reads of unimplemented
 * registers give 0):
 * - Command: I/O space 0, memory space 1, bus master 2, INTx disable 10. Status is
 *   read-only (nothing here reports errors); it has the capabilities-list bit when the
 *   device has capabilities.
 * - BARs: the address bits above the BAR's size; the type bits are read-only, so writing
 *   all-ones and reading back gives ~(size - 1) | type (sizing). A 64-bit BAR uses two
 *   slots; its high dword is fully writable for sizes below 4 GiB. Unused slots, the
 *   expansion ROM BAR and cache line size, latency timer and BIST read 0.
 * - Interrupt line: scratch for the guest. Interrupt pin is the device's (0 = none).
 * - Capability bytes that the device marks writable, bit by bit.
 *
 * Decoding: a BAR's range answers only while the command register's memory (I/O) bit is
 * set and the whole range lies inside the bus's memory (I/O) window, the host bridge
 * window the DSDT declares: the hypervisor sends only that window to the PCI bus, so a BAR
 * a guest parks elsewhere is unreachable. A moved BAR decodes at its new address at once.
 * If decoding ranges overlap (the spec leaves this undefined), the lowest slot and then the
 * lowest BAR takes the access. An access must lie wholly inside one BAR; anything else in
 * the window is a master abort (reads all-ones, writes dropped).
 *
 * Placement: memory BARs are aligned to their size and to at least 4 KiB, so no two BARs
 * share a page; I/O BARs to their size. Each window is filled upwards in attach order. */
#pragma once
#include "devices/access.h"
#include <stdbool.h>
#include <stdint.h>

#define PCI_CONF1_ADDRESS_PORT 0xcf8 /* CONFIG_ADDRESS, one dword */
#define PCI_CONF1_DATA_PORT    0xcfc /* CONFIG_DATA, 4 byte lanes */
#define PCI_CONF1_PORTS	       8     /* 0xcf8-0xcff */

#define PCI_CONFIG_SIZE	     256 /* conventional config space of one function */
#define PCI_MAX_SLOTS	     32	 /* device numbers on a bus: 5 bits */
#define PCI_NUM_BARS	     6	 /* type-0 header, offsets 0x10-0x27 */
#define PCI_HOST_BRIDGE_SLOT 0

/* Type-0 configuration header (spec 6.1), offsets and widths. */
#define PCI_VENDOR_ID		0x00 /* 16 bits; 0xffff means "no function here" */
#define PCI_DEVICE_ID		0x02 /* 16 bits */
#define PCI_COMMAND		0x04 /* 16 bits */
#define PCI_STATUS		0x06 /* 16 bits */
#define PCI_REVISION_ID		0x08 /* 8 bits */
#define PCI_CLASS_PROG		0x09 /* 8 bits: programming interface */
#define PCI_CLASS_SUB		0x0a /* 8 bits: sub-class */
#define PCI_CLASS_BASE		0x0b /* 8 bits: base class */
#define PCI_HEADER_TYPE		0x0e /* 8 bits: layout 6:0 (0 = type 0), multi-function 7 */
#define PCI_BAR0		0x10 /* 6 dwords */
#define PCI_SUBSYSTEM_VENDOR_ID 0x2c /* 16 bits */
#define PCI_SUBSYSTEM_ID	0x2e /* 16 bits */
#define PCI_ROM_ADDRESS		0x30 /* expansion ROM BAR: not implemented, reads 0 */
#define PCI_CAPABILITY_LIST	0x34 /* 8 bits: offset of the first capability, 0 = none */
#define PCI_INTERRUPT_LINE	0x3c /* 8 bits: software scratch (IRQ routing record) */
#define PCI_INTERRUPT_PIN	0x3d /* 8 bits: 0 none, 1-4 INTA#-INTD# */
#define PCI_CAP_START		0x40 /* first byte after the header: capabilities go here */

#define PCI_COMMAND_IO		 0x0001 /* respond to I/O space accesses (I/O BARs decode) */
#define PCI_COMMAND_MEMORY	 0x0002 /* respond to memory space accesses (memory BARs decode) */
#define PCI_COMMAND_MASTER	 0x0004 /* may initiate transactions: DMA and MSI/MSI-X writes */
#define PCI_COMMAND_INTX_DISABLE 0x0400 /* may not assert INTx# */
#define PCI_STATUS_CAP_LIST	 0x0010 /* capabilities pointer at 0x34 is valid */

/* Capability header: ID at +0, next pointer at +1 (spec 6.7). */
#define PCI_CAP_ID_VENDOR 0x09 /* vendor-specific (virtio's transport structures) */
#define PCI_CAP_ID_MSIX	  0x11

/* The low bits of a BAR (spec 6.2.5.1), also how a device declares one. */
#define PCI_BAR_MEM32	 0x0 /* memory, anywhere in 32-bit space (bits 2:1 = 00) */
#define PCI_BAR_IO	 0x1 /* bit 0: I/O space; bit 1 reserved */
#define PCI_BAR_MEM64	 0x4 /* bits 2:1 = 10: 64-bit, the next slot holds bits 63:32 */
#define PCI_BAR_PREFETCH 0x8 /* bit 3: reads have no side effects (memory BARs only) */
#define PCI_BAR_MEM_MIN	 16  /* smallest memory BAR: bits 3:0 are type bits */
#define PCI_BAR_IO_MIN	 4   /* smallest I/O BAR: bits 1:0 are type bits */
#define PCI_BAR_IO_MAX	 256 /* largest I/O BAR the spec allows */

/* The host bridge: the ID of QEMU q35's MCH (Intel 82G33 DRAM controller), which Linux
 * treats as a plain host bridge; an Intel vendor ID also passes pci_sanity_check. */
#define PCI_HOST_BRIDGE_VENDOR 0x8086
#define PCI_HOST_BRIDGE_DEVICE 0x29c0
#define PCI_CLASS_BRIDGE       0x06 /* base class: bridge device */
#define PCI_SUBCLASS_HOST      0x00 /* host bridge */

struct pci_ids {
	uint16_t vendor, device;
	uint16_t subsystem_vendor, subsystem;
	uint8_t revision;
	uint8_t class_base, class_sub, class_prog;
	uint8_t interrupt_pin; /* 0: no INTx */
};

/* What the bus calls on the device's behalf; `ctx` is the one given to pci_device_init. */
struct pci_device_ops {
	/* An access wholly inside decoding memory BAR `bar`, at `offset` from its start.
	 * Reads set a->value. Required when the device has a memory BAR. */
	void (*bar_mmio)(void *ctx, unsigned bar, uint64_t offset, struct mmio_access *a);
	/* The same for I/O BARs. Required when the device has an I/O BAR. */
	void (*bar_io)(void *ctx, unsigned bar, uint64_t offset, struct io_access *a);
	/* The guest changed where BAR `bar` answers: it now decodes at `base`, or no longer
	 * decodes at all (decoding false; base is then meaningless). Optional. */
	void (*bar_changed)(void *ctx, unsigned bar, uint64_t base, bool decoding);
	/* A guest config write of `size` bytes at `offset` has been applied (MSI-X uses this
	 * to deliver pending vectors when unmasked). Optional. */
	void (*config_written)(void *ctx, unsigned offset, unsigned size);
};

struct pci_bar {
	uint64_t size; /* 0: slot unused, or the high half of a 64-bit BAR */
	uint8_t type;  /* PCI_BAR_* bits */
	bool decoding; /* last state reported through bar_changed */
	uint64_t base; /* where it decodes, while decoding */
};

struct pci_device {
	uint8_t config[PCI_CONFIG_SIZE];
	uint8_t wmask[PCI_CONFIG_SIZE]; /* bits a guest write may change */
	struct pci_bar bar[PCI_NUM_BARS];
	uint16_t cap_next; /* where the next capability goes */
	uint8_t cap_last;  /* offset of the last capability, 0 if none */
	const struct pci_device_ops *ops;
	void *ctx;
	struct pci_bus *bus; /* set by pci_bus_attach */
};

/* An address range a bus hands BARs out of: [base, limit], filled from `next` upwards. */
struct pci_window {
	uint64_t base, limit, next;
};

struct pci_bus {
	uint32_t address; /* CONFIG_ADDRESS */
	struct pci_device *slot[PCI_MAX_SLOTS];
	struct pci_window mem, io;
	struct pci_device host_bridge;
};

/* Power-on: CONFIG_ADDRESS 0, the host bridge alone at slot 0. Memory BARs go in
 * [mem_base, mem_limit] (a physical range: mem_limit < 2^63), I/O BARs in
 * [io_base, io_limit] (io_limit <= 0xffff). */
void pci_bus_init(struct pci_bus *bus, uint64_t mem_base, uint64_t mem_limit, uint32_t io_base,
		  uint32_t io_limit);
/* Puts `dev` at device number `slot` (1-31) and places its BARs. False, with nothing
 * changed, if the slot is taken or out of range or a window has no room. */
bool pci_bus_attach(struct pci_bus *bus, unsigned slot, struct pci_device *dev);

/* io_handler_fn for ports 0xcf8-0xcff. */
void pci_conf1_io(void *bus, struct io_access *a);
/* Routes an access at a->gpa (a->port) to the BAR that decodes it; false if none does. */
bool pci_bus_mmio(struct pci_bus *bus, struct mmio_access *a);
/* Bytes from gpa to the end of the decoding memory BAR that contains it, 0 if none (no
 * access is made). */
uint64_t pci_bus_mmio_span(struct pci_bus *bus, uint64_t gpa);
bool pci_bus_io(struct pci_bus *bus, struct io_access *a);
/* mmio_handler_fn / io_handler_fn for a whole window: routes by a->gpa (a->port) and
 * master-aborts what no BAR takes. Register each window once on the VM's buses. */
void pci_mmio_window(void *bus, uint64_t offset, struct mmio_access *a);
void pci_io_window(void *bus, struct io_access *a);

/* A function with the given identity, command 0, no BARs and no capabilities. */
void pci_device_init(struct pci_device *dev, const struct pci_ids *ids,
		     const struct pci_device_ops *ops, void *ctx);
/* Declares BAR `bar` of `size` bytes (a power of two: 16 B or more for memory, 4-256 B for
 * I/O) and `type` PCI_BAR_IO, or PCI_BAR_MEM32 / PCI_BAR_MEM64, optionally with
 * PCI_BAR_PREFETCH. A 64-bit BAR also takes slot bar + 1. False if the slot is in use, the
 * arguments are invalid or ops lacks the access handler. Call before pci_bus_attach. */
bool pci_device_add_bar(struct pci_device *dev, unsigned bar, uint64_t size, unsigned type);
/* Appends a capability of `len` bytes (ID in cap[0]; cap[1] is ignored: the list link is
 * filled in) at the next dword-aligned free offset. `wmask` (NULL: read-only) gives the
 * bits of each byte a guest may write; the ID and link are always read-only. Returns the
 * capability's config offset, or 0 if it does not fit. */
uint8_t pci_device_add_capability(struct pci_device *dev, const uint8_t *cap, const uint8_t *wmask,
				  unsigned len);
/* Little-endian read of 1, 2 or 4 config bytes, as a guest would see them. */
uint32_t pci_config_read(const struct pci_device *dev, unsigned offset, unsigned size);
