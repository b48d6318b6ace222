/* The device side of virtio 1.2 that every device model shares, whatever the transport:
 * identity, feature negotiation, the device status byte, the configuration space and the
 * queues. The transport (virtio-pci) maps its registers onto struct virtio_dev, calls
 * virtio_notify() when the driver kicks a queue and turns the struct virtio_irq callbacks into
 * interrupts (MSI-X). No VMX, no PCI.
 *
 * Concurrency: nothing here locks. The caller serialises all calls on one device; devices
 * that exchange data (NICs on one eth_switch) share the caller's lock. */
#pragma once
#include "devices/guest_mem.h"
#include "devices/virtq.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VIRTIO_ID_NET	  1 /* §5: device type, PCI device ID 0x1040 + type */
#define VIRTIO_ID_BLOCK	  2
#define VIRTIO_ID_CONSOLE 3
#define VIRTIO_ID_RNG	  4

#define VIRTIO_F_INDIRECT_DESC (1ull << 28) /* §6: descriptors may refer to descriptor tables */
#define VIRTIO_F_EVENT_IDX     (1ull << 29) /* §6: used_event / avail_event suppression */
#define VIRTIO_F_VERSION_1     (1ull << 32) /* §6: virtio 1.x, little-endian, required */
/* Offered by every device here on top of its own bits. */
#define VIRTIO_F_COMMON (VIRTIO_F_VERSION_1 | VIRTIO_F_INDIRECT_DESC | VIRTIO_F_EVENT_IDX)

#define VIRTIO_STATUS_ACKNOWLEDGE 1   /* §2.1 device_status: the guest noticed the device */
#define VIRTIO_STATUS_DRIVER	  2   /* the guest has a driver for it */
#define VIRTIO_STATUS_DRIVER_OK	  4   /* the driver is ready: queues may be used */
#define VIRTIO_STATUS_FEATURES_OK 8   /* features accepted (the device may refuse: bit stays 0) */
#define VIRTIO_STATUS_NEEDS_RESET 64  /* the device hit an error it cannot recover from */
#define VIRTIO_STATUS_FAILED	  128 /* the driver gave up on the device */

#define VIRTIO_QUEUE_SIZE 256 /* Queue Size every queue offers; the driver may lower it */
/* Work per notification, so that a guest with huge queues cannot hold the CPU: at most this
 * many chains, and no new chain once this many data bytes were moved. */
#define VIRTIO_BUDGET_CHAINS 64
#define VIRTIO_BUDGET_BYTES  (1u << 20)

enum virtio_work {
	VIRTIO_IDLE,	/* nothing more to do until the next notification */
	VIRTIO_PENDING, /* the budget ran out first: call virtio_notify() again later */
	VIRTIO_FAILED,	/* the driver broke the rules: the device now needs a reset */
};

struct virtio_dev;

struct virtio_dev_ops {
	/* Handles queue q (< nqueues, enabled, driver running) within the budget. */
	enum virtio_work (*notify)(struct virtio_dev *d, unsigned q);
	/* Optional: drops device state on reset (queues and features are virtio.c's). */
	void (*reset)(struct virtio_dev *d);
};

/* What the transport turns into interrupts. */
struct virtio_irq {
	void (*used)(void *ctx, unsigned q); /* used buffers the driver wants to hear about */
	void (*config)(void *ctx);	     /* configuration change: here, NEEDS_RESET */
	void *ctx;
};

struct virtio_dev {
	const struct virtio_dev_ops *ops;
	const struct guest_mem *mem;
	uint32_t device_id;
	uint64_t offered;	  /* device_feature bits */
	uint64_t driver_features; /* driver_feature bits as the transport received them */
	uint64_t features;	  /* accepted at FEATURES_OK: what both sides use */
	uint8_t status;		  /* device_status */
	/* Device-specific configuration space, little-endian. Read-only for every device here
	 * (no writable field is offered), so the transport ignores writes to it; it never
	 * changes after init, so config_generation stays 0. */
	const uint8_t *config;
	uint32_t config_len;
	struct virtq *vq;
	unsigned nqueues;
	struct virtio_irq irq;
	/* Set by the transport while the device may not touch guest memory (PCI: Bus Master
	 * Enable clear): it then counts as not running, so it takes no buffers. */
	bool dma_blocked;
};

/* The device model embedding `struct virtio_dev dev`. */
#define virtio_container(d, type) ((type *)((char *)(d)-offsetof(type, dev)))

/* Sets up the device and its nqueues queues (queue i uses seg[i]), reset. */
void virtio_dev_init(struct virtio_dev *d, const struct virtio_dev_ops *ops,
		     const struct guest_mem *mem, uint32_t device_id, uint64_t offered,
		     struct virtq *vq, struct virtq_seg (*seg)[VIRTIO_QUEUE_SIZE],
		     unsigned nqueues);
/* Device reset (the driver wrote status 0, or the VM resets): features, status and queues
 * back to power-on, then the device's own reset. */
void virtio_reset(struct virtio_dev *d);
/* The driver writes device_status. 0 resets. Bits are otherwise sticky (the driver may not
 * clear them). FEATURES_OK is kept only if driver_features is a subset of `offered` with
 * VERSION_1; the accepted set is then frozen in `features` and the queues learn EVENT_IDX and
 * INDIRECT_DESC. NEEDS_RESET is the device's and cannot be written. */
void virtio_set_status(struct virtio_dev *d, uint8_t status);
/* The driver enables queue q (the transport wrote its size and addresses): false if the
 * queue does not exist or its layout is invalid. */
bool virtio_queue_enable(struct virtio_dev *d, unsigned q);
/* The driver notified queue q. Ignored (VIRTIO_IDLE) unless q exists and is enabled and the
 * driver is running; VIRTIO_FAILED puts the device in NEEDS_RESET (see virtio_fail). */
enum virtio_work virtio_notify(struct virtio_dev *d, unsigned q);
/* Reads n bytes of configuration space at off; bytes past its end read 0. */
void virtio_config_read(const struct virtio_dev *d, uint64_t off, void *dst, uint64_t n);

/* For device models. */

/* DRIVER_OK after FEATURES_OK, no NEEDS_RESET and guest memory reachable: the queues may be
 * used. */
bool virtio_running(const struct virtio_dev *d);
/* A fatal device error: sets NEEDS_RESET and signals a configuration change, once. */
void virtio_fail(struct virtio_dev *d);
/* After pushes on queue q: interrupts the driver if it asked for it. */
void virtio_used(struct virtio_dev *d, unsigned q);
/* Handles one chain and completes it with virtq_push(); returns the data bytes it moved
 * (for the budget) or -1 if the chain is unusable (fatal). */
typedef int64_t virtio_chain_fn(struct virtio_dev *d, struct virtq *q,
				const struct virtq_chain *chain);
/* Pops chains from queue q into `handle` within the budget, then signals used buffers. */
enum virtio_work virtio_process(struct virtio_dev *d, unsigned q, virtio_chain_fn *handle);
