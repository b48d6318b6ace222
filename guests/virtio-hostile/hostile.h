/* The hostile virtio guest: it breaks the virtio rules on purpose, one abuse at a time, and
 * checks after each that the device answered as the spec says (DEVICE_NEEDS_RESET with a
 * configuration interrupt, or an error status byte), then resets it and goes on. */
#pragma once
#include "guests/lib/pci.h"
#include "guests/lib/virtio.h"

#define RIG_MAX_QUEUES	 2
#define RIG_CONFIG_ENTRY 0
#define RIG_QUEUE_ENTRY	 1 /* + queue index */
#define RIG_VECTORS	 4 /* per device, from RIG_VECTOR_BASE in device order */
#define RIG_VECTOR_BASE	 0x50
#define SCRATCH_BYTES	 (64u * 1024) /* buffers the abuses point into */
#define ETH_ALEN	 6

/* A device the abuses run against, reset and brought up afresh for each. */
struct rig {
	const char *name;
	struct virtio_dev dev;
	struct virtq q[RIG_MAX_QUEUES];
	unsigned nq;
	u8 vector_base;
	u32 bar0; /* the device's own registers, as a target */
};

/* What the hostile guest knows about its VM. */
struct hostile_env {
	u32 ram_end;	   /* first byte above RAM */
	u8 *scratch;	   /* SCRATCH_BYTES of page-aligned memory */
	bool have_victims; /* MACs of other VMs on the switch, to impersonate */
	u8 victim[2][ETH_ALEN];
};

extern struct hostile_env env;

/* Opens f as r (once). */
bool rig_open(struct rig *r, const char *name, const struct pci_func *f, unsigned dev_index,
	      unsigned nq);
/* Reset, negotiate VERSION_1 | extra, MSI-X on (config and queue vectors counted), nq queues
 * of qsize entries, DRIVER_OK. False (reported) if any step fails. */
bool rig_up(struct rig *r, u64 extra, u16 qsize);
u8 rig_config_vector(const struct rig *r);
u8 rig_queue_vector(const struct rig *r, unsigned q);
/* After a notify that had to be fatal: DEVICE_NEEDS_RESET, a configuration interrupt and ISR
 * bit 1; nothing consumed on a further notify; then reset. `irqs_before` is the config
 * vector's count before the abuse. One report. */
void expect_needs_reset(struct rig *r, unsigned q, u32 irqs_before, const char *what);
/* Brings r up with VERSION_1 | features and qsize-entry queues, lets build() break the rules
 * on queue q, notifies it and expects DEVICE_NEEDS_RESET (expect_needs_reset). */
void run_fatal(struct rig *r, u64 features, u16 qsize, unsigned q, const char *what,
	       void (*build)(struct rig *r, struct virtq *q));
/* Descriptor i of q, written field by field. */
void set_desc(struct virtq *q, u16 i, u64 addr, u32 len, u16 flags, u16 next);
/* A descriptor of a table the guest owns (an indirect one). */
void put_desc(struct virtq_desc *table, u16 i, u64 addr, u32 len, u16 flags, u16 next);
/* Halts (other VMs run) until the status has all of `bits`, for up to ms; true if it does. */
bool rig_wait_status(struct rig *r, u8 bits, u32 ms);
/* The device still running: no NEEDS_RESET. */
bool rig_running(const struct rig *r);
/* One used element within ms, polling. */
bool rig_wait_used(struct rig *r, unsigned q, u32 *id, u32 *len, u32 ms);

void abuse_chains(struct rig *rng);
void abuse_indirect(struct rig *rng);
void abuse_layout(struct rig *rng);
void abuse_registers(struct rig *rng);
void abuse_messages(struct rig *rng);
void abuse_budget(struct rig *rng);
void abuse_blk(struct rig *blk);
void abuse_net(struct rig *net);
/* A looping receive chain, left for another VM's broadcast to hit. */
void abuse_rx_ring(struct rig *net);
/* Frames with other VMs' source MACs, which the switch must drop. */
void spoof_burst(struct rig *net);
