/* A VM's virtio devices on its PCI bus 0, in this order from device 1: the disks of disk=
 * (virtio-blk), the NIC of net= (virtio-net on a hypervisor-internal Ethernet switch), then,
 * unless virtio=none, a console (virtio-console: output on the VM's console lines, typed input
 * when the guest last wrote there rather than to COM1) and an entropy source (virtio-rng).
 * Interrupts are MSI-X messages on the VM's APIC bus. Disk images are GRUB modules: a disk
 * named by one VM only is used in place; further users get private copies made at VM
 * creation. Writes stay in RAM for the run (there is no host storage driver): the block
 * backend is an interface (devices/virtio_blk.h) a storage driver can take over. */
#pragma once
#include "devices/virtio_blk.h"
#include "devices/virtio_console.h"
#include "devices/virtio_net.h"
#include "devices/virtio_pci.h"
#include "devices/virtio_rng.h"
#include "kernel/mb2.h"
#include "kernel/vm_config.h"
#include <stdbool.h>
#include <stdint.h>

struct vm;

#define VM_VIRTIO_MAX_DEVICES (VM_MAX_DISKS + 3)

struct vm_disk_image {
	uint8_t *data;       /* the module in place, or the private copy */
	uint64_t size;
	uint64_t copy_pa;    /* frames of a private copy, 0 when in place */
	uint64_t copy_pages;
	struct blk_ram ram;
};

struct vm_virtio {
	struct guest_mem mem;
	struct vm_disk_image image[VM_MAX_DISKS];
	struct virtio_blk blk[VM_MAX_DISKS];
	struct virtio_net net;
	struct virtio_console con;
	struct virtio_rng rng;
	struct virtio_pci pci[VM_VIRTIO_MAX_DEVICES];
	unsigned npci;
	struct eth_switch *sw;    /* net=: the switch, NULL without a NIC */
	int port;                 /* the NIC's port on it */
	bool console_in_use;      /* the guest wrote to its virtio console */
	bool again;               /* some queue ran out of budget: poll before the next entry */
};

/* Finds the disks' modules (false, reported, when one is missing) and points disk i of
 * the VM at module module_of[i]. Called while VMs are prepared. */
bool vm_virtio_resolve(struct vm *vm, const struct mb2_info *mb);
/* Memory for the devices and private disk copies; false (reported) when it runs out. */
bool vm_virtio_alloc(struct vm *vm);
void vm_virtio_free(struct vm *vm);
/* Power-on state of the devices on the VM's (new) PCI bus; also on VM restart. */
bool vm_virtio_attach(struct vm *vm);
/* Some queue's notification ran out of budget. */
bool vm_virtio_pending(const struct vm *vm);
/* Queues whose notifications ran out of budget: more work now. */
void vm_virtio_poll(struct vm *vm);
/* The guest wrote to its virtio console: typed input goes there rather than to COM1. */
bool vm_virtio_console_in_use(const struct vm *vm);
/* Typed input for the VM's virtio console; returns the bytes it took (0: full). */
uint64_t vm_virtio_console_input(struct vm *vm, const uint8_t *bytes, uint64_t n);
/* Per-port switch counters for the exit statistics. */
void vm_virtio_print_stats(const struct vm *vm);
