/* The virtio test guest: what its command line says to expect, and the bring-up and request
 * helpers its check groups share. */
#pragma once
#include "guests/lib/pci.h"
#include "guests/lib/virtio.h"

#define VTEST_MAX_DISKS	 4
#define VTEST_NAME_MAX	 24
#define VTEST_MAX_QUEUES 2
#define ETH_ALEN	 6
/* Disk images come from guests/virtio-test/mkdisk: this many sectors, each holding the text
 * "mhv-disk NAME sector N", then '.' up to its last byte, which is '\n'. */
#define VTEST_DISK_SECTORS 64
#define SECTOR_SIZE	   512 /* virtio-blk sectors (§5.2.4) */

/* MSI-X table entries: 0 for configuration changes, 1 + q for queue q. Vectors: a block of
 * VTEST_VECTORS_PER_DEV per device, in PCI order, from VTEST_VECTOR_BASE. */
#define VTEST_CONFIG_ENTRY    0
#define VTEST_QUEUE_ENTRY(q)  ((u16)(1 + (q)))
#define VTEST_VECTOR_BASE     0x40
#define VTEST_VECTORS_PER_DEV 4
#define VTEST_IDLE_US	      1000 /* the longest halt while waiting for another VM */

struct vtest_disk {
	char name[VTEST_NAME_MAX];
	bool ro;
};

/* From the command line: role=a|b (the two ends of the network exchange; none: no
 * exchange), disk=NAME[,ro] per disk in PCI order (as the VM's own disk= settings), net (a
 * NIC is expected), mac=xx:..:xx (its address), novirtio (no console and rng), typein (a
 * line is typed into the virtio console when it asks for one). */
struct vtest_config {
	char role;
	struct vtest_disk disk[VTEST_MAX_DISKS];
	unsigned ndisks;
	bool net;
	bool have_mac;
	u8 mac[ETH_ALEN];
	bool console_rng;
	bool typein;
};

/* A device brought up by vtest_start(). */
struct vdev {
	const char *name; /* in check names: "blk0", "net", ... */
	struct virtio_dev dev;
	struct virtq q[VTEST_MAX_QUEUES];
	unsigned nq;
	u8 vector_base;		    /* config: +0, queue q: +1+q */
	u32 completions;	    /* buffers vtest_io() saw completed */
	u32 irq_missing, irq_extra; /* per-buffer interrupt mismatches */
};

extern struct vtest_config vtest;

/* Opens the function, negotiates VERSION_1 | extra (must be accepted), enables MSI-X with
 * a vector per queue and one for configuration changes, creates nq queues of qsize entries
 * and sets DRIVER_OK. Reports the steps; false if the device is unusable. */
bool vtest_start(struct vdev *v, const char *name, const struct pci_func *f, unsigned slot_index,
		 u64 extra, unsigned nq, u16 qsize);
u8 vtest_queue_vector(const struct vdev *v, unsigned q);
/* One chain on queue q: submits, notifies, waits for it to complete, then for exactly one
 * MSI-X interrupt on the queue's vector (mismatches counted in v). False, with *len
 * untouched, if it never completes. */
bool vtest_io(struct vdev *v, unsigned q, const struct virtq_buf *bufs, unsigned nout, unsigned nin,
	      u32 *len);
/* One report for the per-buffer interrupt accounting of v. */
void vtest_report_interrupts(const struct vdev *v);
/* Waits with interrupts on until lapic_irq_count[vector] exceeds `seen`, up to ms. */
bool vtest_wait_irq(u8 vector, u32 seen, u32 ms);

void test_enumeration(const struct pci_func *funcs, unsigned n);
/* BAR decoding of f, a virtio function not in use yet. */
void test_decode(const struct pci_func *f);
void test_blk(const struct pci_func *f, unsigned slot_index, const struct vtest_disk *disk,
	      bool check_masking);
void test_console(const struct pci_func *f, unsigned slot_index);
void test_rng(const struct pci_func *f, unsigned slot_index);
void test_net(const struct pci_func *f, unsigned slot_index);
