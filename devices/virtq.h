/* Split virtqueue engine (virtio 1.2 §2.7), shared by every virtio device model. Plain C over a
 * struct guest_mem: no VMX, no transport. The driver is treated as hostile:
 * - ring addresses, alignment and the Queue Size are checked once, when the queue is enabled;
 * - the avail index may run ahead of the device by at most the Queue Size, heads and `next`
 *   indexes must be inside their table;
 * - a chain holds at most Queue Size buffers, which also ends `next` loops; each table
 *   (the ring's or an indirect one) is walked at most once per entry;
 * - an indirect table is allowed only if negotiated, as the last descriptor of a chain (no
 *   NEXT), 16-byte entries, at most Queue Size of them, and none of them indirect; the WRITE
 *   flag of the descriptor that refers to it is ignored;
 * - device-readable buffers come first; every buffer lies wholly in RAM; the chain totals
 *   less than 2^32 bytes. Zero-length buffers are accepted and never touched.
 * Each descriptor is copied out of guest memory once and checked in the copy, so the guest
 * cannot change what was validated. Any violation is fatal for the queue (the device must
 * then report DEVICE_NEEDS_RESET): virtq_pop() returns VIRTQ_FATAL from then on.
 *
 * Guest-visible fields are little-endian; like the hypervisor, its tests run on x86. */
#pragma once
#include "devices/guest_mem.h"
#include <stdbool.h>
#include <stdint.h>

#define VIRTQ_SIZE_MAX 32768 /* largest Queue Size of a split virtqueue (§2.7) */

#define VIRTQ_DESC_F_NEXT	   1 /* virtq_desc.flags: the chain continues at .next */
#define VIRTQ_DESC_F_WRITE	   2 /* virtq_desc.flags: buffer is device-writable */
#define VIRTQ_DESC_F_INDIRECT	   4 /* virtq_desc.flags: buffer is a table of descriptors */
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1 /* virtq_avail.flags: driver asks for no used notification */

/* Ring layout (§2.7.5-§2.7.8), as byte offsets inside each area:
 *   descriptor table: virtq_desc[size] {addr le64, len le32, flags le16, next le16};
 *   avail ("driver area"): flags le16, idx le16, ring[size] le16, used_event le16;
 *   used ("device area"): flags le16, idx le16, ring[size] {id le32, len le32},
 *   avail_event le16. The event fields are used only with EVENT_IDX. */
#define VIRTQ_DESC_SIZE	  16 /* one virtq_desc */
#define VIRTQ_AVAIL_FLAGS 0  /* virtq_avail.flags */
#define VIRTQ_AVAIL_IDX	  2  /* virtq_avail.idx */
#define VIRTQ_AVAIL_RING  4  /* virtq_avail.ring[0] */
#define VIRTQ_USED_IDX	  2  /* virtq_used.idx */
#define VIRTQ_USED_RING	  4  /* virtq_used.ring[0] */
#define VIRTQ_USED_ELEM	  8  /* one virtq_used_elem */
#define VIRTQ_DESC_ALIGN  16 /* §2.7: alignment of each area */
#define VIRTQ_AVAIL_ALIGN 2
#define VIRTQ_USED_ALIGN  4

/* One buffer of a chain. */
struct virtq_seg {
	uint64_t gpa;
	uint32_t len; /* > 0 */
	bool write;   /* device-writable */
};

/* A chain taken by virtq_pop(): seg[0, nread) readable, seg[nread, nseg) writable. The data
 * it describes are two byte streams, "readable" (read_len bytes) and "writable" (write_len
 * bytes), each the concatenation of its segments. */
struct virtq_chain {
	uint16_t head; /* descriptor index that goes back in the used element */
	uint16_t nseg;
	uint16_t nread;
	uint32_t read_len;
	uint32_t write_len;
	const struct virtq_seg *seg; /* the queue's storage: valid until its next pop */
};

enum virtq_pop_result {
	VIRTQ_EMPTY, /* no new chain (or the queue is not enabled) */
	VIRTQ_CHAIN, /* *chain describes the next one */
	VIRTQ_FATAL, /* the driver broke the rules: the queue is unusable until reset */
};

struct virtq {
	/* Written by the transport while the queue is disabled. */
	uint16_t size; /* Queue Size: a power of 2, at most max_size */
	uint64_t desc_gpa;
	uint64_t avail_gpa; /* "driver area" */
	uint64_t used_gpa;  /* "device area" */
	/* Negotiated features, set at FEATURES_OK (devices/virtio.c). */
	bool event_idx;
	bool indirect;

	bool ready;	     /* enabled with a valid layout */
	bool broken;	     /* a fatal error happened: only a reset helps */
	uint16_t max_size;   /* what the device offers; storage for that many segments */
	uint16_t last_avail; /* free-running index of the next avail entry to take */
	uint16_t used_idx;   /* free-running used.idx as last published */
	uint16_t signalled;  /* used_idx when virtq_need_notify() last decided */
	const struct guest_mem *mem;
	struct virtq_seg *seg; /* max_size entries: the chain being worked on */
};

/* `seg` holds max_size entries (a power of 2, at most VIRTQ_SIZE_MAX). Leaves the queue reset. */
void virtq_init(struct virtq *q, const struct guest_mem *mem, struct virtq_seg *seg,
		uint16_t max_size);
/* Back to power-on: disabled, size = max_size, addresses 0, no features, indexes 0. */
void virtq_reset(struct virtq *q);
/* The driver enables the queue: false (queue stays disabled) unless size is a power of 2 no
 * larger than max_size and the three areas are aligned and lie in RAM. Enabling an enabled
 * queue changes nothing (the transport ignores layout writes while a queue is enabled); only
 * virtq_reset() clears a fatal error. */
bool virtq_enable(struct virtq *q);

/* Takes the next available chain. With EVENT_IDX, finding the ring empty also publishes
 * avail_event so that the driver's next buffer brings a notification. */
enum virtq_pop_result virtq_pop(struct virtq *q, struct virtq_chain *chain);
/* Gives the chain just popped back, untouched, to be popped again later (a receive buffer
 * too small for the frame at hand). */
void virtq_unpop(struct virtq *q);
/* Returns a chain to the driver: the used element {head, written}, then used.idx after a write
 * barrier. `written` is the number of bytes the device wrote (clamped to write_len). False if
 * the queue is broken or not enabled. */
bool virtq_push(struct virtq *q, const struct virtq_chain *chain, uint32_t written);
/* After one or more pushes: whether the driver wants a used-buffer notification now (used_event
 * with EVENT_IDX, else avail.flags NO_INTERRUPT). */
bool virtq_need_notify(struct virtq *q);

/* Calls fn on the host memory of bytes [off, off + n) of the readable (writable = false) or
 * writable stream, one contiguous piece at a time. False, without any call, when the range
 * goes past the stream; false as soon as fn returns false. The device never writes into the
 * readable stream. */
bool virtq_for_each(const struct virtq *q, const struct virtq_chain *chain, bool writable,
		    uint64_t off, uint64_t n, bool (*fn)(void *ctx, void *p, uint64_t len),
		    void *ctx);
/* Copy from the readable stream at `off` / into the writable stream at `off`, at most n bytes:
 * returns how many were copied (fewer when the stream ends first). */
uint64_t virtq_read(const struct virtq *q, const struct virtq_chain *chain, uint64_t off, void *dst,
		    uint64_t n);
uint64_t virtq_write(const struct virtq *q, const struct virtq_chain *chain, uint64_t off,
		     const void *src, uint64_t n);
