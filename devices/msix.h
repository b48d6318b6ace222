/* MSI-X (PCI Local Bus Specification 3.0, 6.8.2) for a device model on devices/pci.h:
 * the capability in config space, the vector table and the pending bit array (PBA) in a
 * memory BAR of the device, and delivery of messages through a callback (the hypervisor
 * turns address and data into an APIC message with apic_msg_from_msi). Host-tested.
 *
 * Capability (12 bytes): ID 0x11, next, Message Control (table size - 1 in bits 10:0,
 * function mask 14, enable 15; only bits 14 and 15 are writable), Table Offset/BIR and
 * PBA Offset/BIR (read-only). Table entry (16 bytes): message address low (bits 1:0 read
 * 0), address high, data, vector control (bit 0 mask; the rest reads 0). Entries start
 * masked with address and data 0. The PBA holds one bit per vector and is read-only.
 *
 * msix_notify(vector) while enabled and bus mastering (command bit 2: a message is a
 * memory write the function issues): if the function mask or the vector's mask is set,
 * the vector's pending bit is set; otherwise the message goes out. Clearing a mask (vector
 * control, function mask) or setting enable or bus master sends each pending vector whose
 * masks are all clear, and clears its pending bit. Pending bits survive disabling.
 *
 * Dropped (nothing sent, nothing pending; msix_notify says so): a vector number >= the
 * table size; any notification while MSI-X is disabled (the function may not use MSI-X
 * then: the caller falls back to its other interrupt, or to none) or bus mastering is off;
 * an entry whose address is not in the 0xfee00000 interrupt window with high dword 0
 * (a write to memory, not an interrupt: never performed).
 *
 * BAR accesses: the spec allows only aligned dword and qword accesses to the table and
 * PBA and leaves others undefined. Here other accesses in those ranges read all-ones and
 * their writes are ignored; PBA writes are ignored. */
#pragma once
#include "devices/pci.h"
#include <stdbool.h>
#include <stdint.h>

#define MSIX_MAX_VECTORS 64 /* table entries per function here: one PBA qword */
#define MSIX_CAP_SIZE	 12

/* Capability layout: offsets from the capability's start. */
#define MSIX_CAP_CONTROL     2	    /* 16 bits: Message Control */
#define MSIX_CAP_TABLE	     4	    /* 32 bits: table offset 31:3, BIR 2:0 */
#define MSIX_CAP_PBA	     8	    /* 32 bits: PBA offset 31:3, BIR 2:0 */
#define MSIX_CONTROL_SIZE    0x07ff /* Message Control 10:0: table size - 1 (RO) */
#define MSIX_CONTROL_MASKALL 0x4000 /* Message Control 14: function mask */
#define MSIX_CONTROL_ENABLE  0x8000 /* Message Control 15: MSI-X enable */
#define MSIX_BIR_MASK	     0x7    /* low bits of the offset registers: BAR indicator */

/* Table entry layout (16 bytes per vector). */
#define MSIX_ENTRY_SIZE	   16
#define MSIX_ENTRY_ADDR_LO 0x0 /* message address 31:2; bits 1:0 are 0 */
#define MSIX_ENTRY_ADDR_HI 0x4 /* message address 63:32 */
#define MSIX_ENTRY_DATA	   0x8 /* message data */
#define MSIX_ENTRY_CONTROL 0xc /* vector control */
#define MSIX_ENTRY_MASKED  0x1 /* vector control 0: this vector may not send */

enum msix_result {
	MSIX_SENT,    /* the message went to the callback */
	MSIX_PENDING, /* masked: the pending bit is set */
	MSIX_DROPPED, /* see above */
};

/* Where the table and PBA live: memory BARs of the device (the same one or two), at
 * qword-aligned offsets, inside the BARs, not overlapping each other. QEMU puts both in
 * BAR 1, the table at 0 and the PBA at 0x800: a BAR of their own keeps them off the pages
 * of other registers, as the spec recommends. */
struct msix_layout {
	unsigned vectors; /* 1 to MSIX_MAX_VECTORS */
	unsigned table_bar, pba_bar;
	uint32_t table_offset, pba_offset;
};

struct msix {
	struct pci_device *dev;
	uint8_t cap; /* config offset of the capability */
	struct msix_layout layout;
	uint32_t table[MSIX_MAX_VECTORS][MSIX_ENTRY_SIZE / 4];
	uint64_t pending; /* bit n: vector n */
	void (*deliver)(void *ctx, uint64_t address, uint32_t data);
	void *ctx;
};

/* Adds the capability to `dev`, whose BARs must already be declared; every vector masked
 * and not pending. False if the layout does not fit the device or config space is full. */
bool msix_init(struct msix *m, struct pci_device *dev, const struct msix_layout *layout,
	       void (*deliver)(void *ctx, uint64_t address, uint32_t data), void *ctx);
/* For the device's bar_mmio: handles the access if it falls in the table or PBA (true),
 * else leaves it to the device (false). */
bool msix_mmio(struct msix *m, unsigned bar, uint64_t offset, struct mmio_access *a);
/* For the device's config_written: a guest config write may have unmasked or enabled. */
void msix_config_written(struct msix *m);
enum msix_result msix_notify(struct msix *m, unsigned vector);
/* MSI-X enable is set: the device's other interrupt mechanisms must stay quiet. */
bool msix_enabled(const struct msix *m);
