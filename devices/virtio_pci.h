/* The virtio 1.x PCI transport ("modern" only, virtio 1.2 §4.1) for a struct virtio_dev: a PCI
 * function with the virtio vendor capabilities, registers in BAR 0 and MSI-X in BAR 1.
 * No VMX; host-tested.
 *
 * Identity: vendor 0x1af4, device 0x1040 + virtio device type, revision 1, subsystem
 * 0x1af4/0x0040 (>= 0x40: non-transitional), no legacy I/O BAR, no INTx (interrupt pin 0:
 * guests use MSI-X, as under Firecracker and cloud-hypervisor).
 * BAR 0 (32-bit memory, 16 KiB), one structure per page:
 *   0x0000 common configuration (§4.1.4.3)   0x2000 device-specific configuration
 *   0x1000 ISR status (read clears)           0x3000 notifications: queue q at 0x3000 + 4q
 * BAR 1 (32-bit memory, 4 KiB): MSI-X table at 0, PBA at 0x800; one vector per queue plus
 * one for configuration changes.
 * Choices:
 * - Queue registers (size, addresses, MSI-X vector) take writes only while the queue is
 *   disabled, as §4.1.4.3.2 requires of the driver; queue_enable takes only 1.
 * - A vector outside the table reads back as VIRTIO_MSI_NO_VECTOR (the driver then knows
 *   the device refused it).
 * - Interrupts go out as MSI-X only; with MSI-X disabled a queue interrupt only sets the ISR
 *   bit (there is no INTx pin to raise).
 * - Without Bus Master Enable (command bit 2) the device touches no guest memory: it counts
 *   as not running (virtio_running), so notifications are ignored and frames or input wait
 *   or are dropped as for a stopped driver; the driver notifies again once it is back.
 * - The PCI configuration access capability (VIRTIO_PCI_CAP_PCI_CFG) is present, as the spec
 *   requires: writes of its data window write the selected BAR 0 register, reads of it read
 *   that register (for firmware that cannot reach the BAR; Linux does not use it).
 * - Any access to BAR 0 of another width than its register's reads as zero or is ignored,
 *   except the 64-bit queue addresses, which also take two 32-bit halves. */
#pragma once
#include "devices/msix.h"
#include "devices/pci.h"
#include "devices/virtio.h"
#include <stdbool.h>
#include <stdint.h>

#define VIRTIO_PCI_VENDOR	  0x1af4
#define VIRTIO_PCI_DEVICE_BASE	  0x1040 /* + virtio device type: a modern-only device */
#define VIRTIO_PCI_SUBSYSTEM	  0x0040
#define VIRTIO_PCI_MAX_QUEUES	  8
#define VIRTIO_MSI_NO_VECTOR	  0xffff

#define VIRTIO_PCI_REGS_BAR	  0
#define VIRTIO_PCI_REGS_SIZE	  0x4000
#define VIRTIO_PCI_COMMON	  0x0000
#define VIRTIO_PCI_ISR		  0x1000
#define VIRTIO_PCI_DEVICE_CFG	  0x2000
#define VIRTIO_PCI_NOTIFY	  0x3000
#define VIRTIO_PCI_NOTIFY_MULT	  4
#define VIRTIO_PCI_MSIX_BAR	  1
#define VIRTIO_PCI_MSIX_SIZE	  0x1000

#define VIRTIO_ISR_QUEUE  0x1 /* ISR status: a queue has used buffers */
#define VIRTIO_ISR_CONFIG 0x2 /* ISR status: the configuration changed */

struct virtio_pci {
	struct pci_device pci;
	struct msix msix;
	struct virtio_dev *dev;
	uint32_t device_feature_select;
	uint32_t driver_feature_select;
	uint16_t config_vector;
	uint16_t queue_select;
	uint16_t queue_vector[VIRTIO_PCI_MAX_QUEUES];
	uint8_t isr;
	uint8_t cfg_cap;      /* config offset of the PCI configuration access capability */
	uint32_t again;       /* queues whose last notification ran out of budget */
	void (*deliver)(void *ctx, uint64_t address, uint32_t data);
	void *ctx;
};

/* Wraps `dev` (at most VIRTIO_PCI_MAX_QUEUES queues) in a PCI function of class
 * class_code (base << 16 | sub << 8 | prog); MSI-X messages go to deliver(ctx, addr, data).
 * The caller then attaches vp->pci to its bus. False if the device does not fit. */
bool virtio_pci_init(struct virtio_pci *vp, struct virtio_dev *dev, uint32_t class_code,
		     void (*deliver)(void *ctx, uint64_t address, uint32_t data), void *ctx);
/* Re-runs the queues whose notifications ran out of budget; true if work remains. */
bool virtio_pci_poll(struct virtio_pci *vp);
/* Device reset from outside (VM restart): as if the driver wrote status 0. */
void virtio_pci_reset(struct virtio_pci *vp);
