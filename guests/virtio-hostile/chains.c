/* Broken descriptor chains on virtio-rng's request queue (virtio 1.2 §2.7.5, §2.7.13): each
 * must put the device in DEVICE_NEEDS_RESET without it touching memory it may not. */
#include "guests/lib/lapic.h"
#include "guests/lib/report.h"
#include "guests/lib/string.h"
#include "guests/virtio-hostile/hostile.h"

#define QSIZE	      8
#define BIG_QSIZE     256
#define BUF	      16
#define ABOVE_4G_PAGE 0xfffff000u	    /* last page below 4 GiB: no RAM there */
#define WRAP_ADDR     0xfffffffffffff000ull /* + a page or more wraps past 2^64 */
#define LAPIC_PAGE    0xfee00000u
#define RAM_MIB_16    0x1000000u /* 16 MiB: 256 buffers of it reach 2^32 bytes */

static u32 scratch(u32 off)
{
	return (u32)env.scratch + off;
}

/* One writable buffer at `addr` of `len` bytes, as the whole chain. */
static void lone(struct virtq *q, u64 addr, u32 len)
{
	set_desc(q, 0, addr, len, VIRTQ_DESC_F_WRITE, 0);
	virtq_publish(q, 0);
}

static void next_loop(struct rig *r, struct virtq *q)
{
	(void)r;
	set_desc(q, 0, scratch(0), BUF, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	set_desc(q, 1, scratch(BUF), BUF, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 0);
	virtq_publish(q, 0);
}

static void self_loop(struct rig *r, struct virtq *q)
{
	(void)r;
	set_desc(q, 3, scratch(0), BUF, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 3);
	virtq_publish(q, 3);
}

static void next_past_table(struct rig *r, struct virtq *q)
{
	(void)r;
	set_desc(q, 0, scratch(0), BUF, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, q->size);
	virtq_publish(q, 0);
}

static void head_past_table(struct rig *r, struct virtq *q)
{
	(void)r;
	set_desc(q, 0, scratch(0), BUF, VIRTQ_DESC_F_WRITE, 0);
	virtq_publish(q, q->size);
}

static void above_4g(struct rig *r, struct virtq *q)
{
	(void)r;
	lone(q, ABOVE_4G_PAGE, 0x10000);
}

static void wraps_2_64(struct rig *r, struct virtq *q)
{
	(void)r;
	lone(q, WRAP_ADDR, 0x2000);
}

static void on_lapic(struct rig *r, struct virtq *q)
{
	(void)r;
	lone(q, LAPIC_PAGE, BUF);
}

static void on_own_registers(struct rig *r, struct virtq *q)
{
	lone(q, r->bar0, 64);
}

static void across_ram_end(struct rig *r, struct virtq *q)
{
	(void)r;
	lone(q, env.ram_end - 8, BUF);
}

static void above_ram(struct rig *r, struct virtq *q)
{
	(void)r;
	lone(q, env.ram_end + 0x100000, BUF);
}

static void length_4g_minus_1(struct rig *r, struct virtq *q)
{
	(void)r;
	lone(q, scratch(0), 0xffffffffu);
}

static void readable_after_writable(struct rig *r, struct virtq *q)
{
	(void)r;
	set_desc(q, 0, scratch(0), BUF, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	set_desc(q, 1, scratch(BUF), BUF, 0, 0);
	virtq_publish(q, 0);
}

static void avail_jump(struct rig *r, struct virtq *q)
{
	(void)r;
	set_desc(q, 0, scratch(0), BUF, VIRTQ_DESC_F_WRITE, 0);
	q->avail->idx = (u16)(q->size + 1); /* more new entries than the ring holds */
}

/* 256 buffers of 16 MiB each: 2^32 bytes in one chain (§2.7.5: less than 2^32 allowed). */
static void chain_of_4g(struct rig *r, struct virtq *q)
{
	(void)r;
	for (u16 i = 0; i < q->size; i++)
		set_desc(q, i, 0, RAM_MIB_16, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, (u16)(i + 1));
	q->desc[q->size - 1].flags = VIRTQ_DESC_F_WRITE;
	virtq_publish(q, 0);
}

static const struct {
	const char *what;
	void (*build)(struct rig *r, struct virtq *q);
} fatal_chains[] = {
    {"two descriptors chained in a loop", next_loop},
    {"a descriptor chained to itself", self_loop},
    {"next index past the table", next_past_table},
    {"head index past the table", head_past_table},
    {"buffer at 0xfffff000, 64 KiB long", above_4g},
    {"buffer wrapping past 2^64", wraps_2_64},
    {"buffer on the LAPIC page", on_lapic},
    {"buffer on the device's own registers", on_own_registers},
    {"buffer across the end of RAM", across_ram_end},
    {"buffer above RAM", above_ram},
    {"buffer of 4 GiB - 1 bytes", length_4g_minus_1},
    {"readable buffer after a writable one", readable_after_writable},
    {"avail index ahead by queue size + 1", avail_jump},
};

/* A request that must work: one writable buffer, or a zero-length one chained before it. */
static void good_request(struct rig *r, bool zero_length_first, const char *what)
{
	struct virtq *q = &r->q[0];
	u32 id, len = 0;

	if (!rig_up(r, 0, QSIZE))
		return;
	memset(env.scratch, 0, BUF);
	if (zero_length_first) {
		set_desc(q, 0, scratch(0), 0, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
		set_desc(q, 1, scratch(0), BUF, VIRTQ_DESC_F_WRITE, 0);
		virtq_publish(q, 0);
	} else {
		lone(q, scratch(0), BUF);
	}
	virtq_kick(q);
	bool done = rig_wait_used(r, 0, &id, &len, 100);
	report(done && id == 0 && len > 0 && len <= BUF && rig_running(r),
	       "%s: %s completes (used length %u)", r->name, what, len);
}

void abuse_chains(struct rig *rng)
{
	for (unsigned i = 0; i < sizeof fatal_chains / sizeof fatal_chains[0]; i++)
		run_fatal(rng, 0, QSIZE, 0, fatal_chains[i].what, fatal_chains[i].build);
	if (env.ram_end >= RAM_MIB_16)
		run_fatal(rng, 0, BIG_QSIZE, 0, "chain of 256 x 16 MiB = 2^32 bytes", chain_of_4g);
	good_request(rng, true, "a zero-length buffer before a writable one");
	good_request(rng, false, "a plain request after the broken ones");
}
