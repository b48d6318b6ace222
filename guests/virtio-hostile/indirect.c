/* Indirect descriptor tables (virtio 1.2 §2.7.5.3) on virtio-rng: the broken ones must be
 * fatal, while two unusual but legal ones must work. */
#include "guests/lib/report.h"
#include "guests/lib/string.h"
#include "guests/virtio-hostile/hostile.h"

#define QSIZE	   8
#define BUF	   16
#define TABLE_OFF  0x1000	/* in the scratch area: the indirect table */
#define TABLE2_OFF 0x1800	/* a second table, for nesting */
#define ODD_OFF	   (0x3000 - 9) /* a table at an odd address, across a page boundary */
#define LAPIC_PAGE 0xfee00000u

static struct virtq_desc *table(u32 off)
{
	return (struct virtq_desc *)(env.scratch + off);
}

static u32 at(u32 off)
{
	return (u32)env.scratch + off;
}

/* Descriptor 0 refers to the table at `off` of `len` bytes with extra flags. */
static void refer(struct virtq *q, u64 addr, u32 len, u16 extra_flags)
{
	set_desc(q, 0, addr, len, (u16)(VIRTQ_DESC_F_INDIRECT | extra_flags), 1);
	set_desc(q, 1, at(0), BUF, VIRTQ_DESC_F_WRITE, 0);
	virtq_publish(q, 0);
}

static void one_entry(struct rig *r, struct virtq *q)
{
	(void)r;
	put_desc(table(TABLE_OFF), 0, at(0), BUF, VIRTQ_DESC_F_WRITE, 0);
	refer(q, at(TABLE_OFF), sizeof(struct virtq_desc), 0);
}

static void oversized(struct rig *r, struct virtq *q)
{
	(void)r;
	u16 n = (u16)(q->size + 1);
	for (u16 i = 0; i < n; i++)
		put_desc(table(TABLE_OFF), i, at(0), BUF,
			 (u16)(VIRTQ_DESC_F_WRITE | (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0)),
			 (u16)(i + 1));
	refer(q, at(TABLE_OFF), n * sizeof(struct virtq_desc), 0);
}

static void partial_entry(struct rig *r, struct virtq *q)
{
	(void)r;
	put_desc(table(TABLE_OFF), 0, at(0), BUF, VIRTQ_DESC_F_WRITE, 0);
	refer(q, at(TABLE_OFF), sizeof(struct virtq_desc) + 8, 0);
}

static void empty(struct rig *r, struct virtq *q)
{
	(void)r;
	refer(q, at(TABLE_OFF), 0, 0);
}

static void nested(struct rig *r, struct virtq *q)
{
	(void)r;
	put_desc(table(TABLE2_OFF), 0, at(0), BUF, VIRTQ_DESC_F_WRITE, 0);
	put_desc(table(TABLE_OFF), 0, at(TABLE2_OFF), sizeof(struct virtq_desc),
		 VIRTQ_DESC_F_INDIRECT, 0);
	refer(q, at(TABLE_OFF), sizeof(struct virtq_desc), 0);
}

static void with_next(struct rig *r, struct virtq *q)
{
	(void)r;
	put_desc(table(TABLE_OFF), 0, at(0), BUF, VIRTQ_DESC_F_WRITE, 0);
	refer(q, at(TABLE_OFF), sizeof(struct virtq_desc), VIRTQ_DESC_F_NEXT);
}

static void outside_ram(struct rig *r, struct virtq *q)
{
	(void)r;
	refer(q, 0xfffff000u, 2 * sizeof(struct virtq_desc), 0);
}

static void on_lapic(struct rig *r, struct virtq *q)
{
	(void)r;
	refer(q, LAPIC_PAGE, 2 * sizeof(struct virtq_desc), 0);
}

static void loop_inside(struct rig *r, struct virtq *q)
{
	(void)r;
	for (u16 i = 0; i < q->size; i++)
		put_desc(table(TABLE_OFF), i, at(0), BUF, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT,
			 (u16)((i + 1) % q->size));
	refer(q, at(TABLE_OFF), q->size * sizeof(struct virtq_desc), 0);
}

static void next_past_table(struct rig *r, struct virtq *q)
{
	(void)r;
	put_desc(table(TABLE_OFF), 0, at(0), BUF, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 2);
	put_desc(table(TABLE_OFF), 1, at(BUF), BUF, VIRTQ_DESC_F_WRITE, 0);
	refer(q, at(TABLE_OFF), 2 * sizeof(struct virtq_desc), 0);
}

static void readable_after_writable(struct rig *r, struct virtq *q)
{
	(void)r;
	put_desc(table(TABLE_OFF), 0, at(0), BUF, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	put_desc(table(TABLE_OFF), 1, at(BUF), BUF, 0, 0);
	refer(q, at(TABLE_OFF), 2 * sizeof(struct virtq_desc), 0);
}

static const struct {
	const char *what;
	void (*build)(struct rig *r, struct virtq *q);
} fatal_tables[] = {
    {"indirect table with more entries than the queue", oversized},
    {"indirect table length not a multiple of 16", partial_entry},
    {"indirect table of length 0", empty},
    {"indirect table inside an indirect table", nested},
    {"indirect descriptor with NEXT set", with_next},
    {"indirect table above 4 GiB - 4 KiB", outside_ram},
    {"indirect table on the LAPIC page", on_lapic},
    {"next loop inside an indirect table", loop_inside},
    {"next past the end of an indirect table", next_past_table},
    {"readable after writable in an indirect table", readable_after_writable},
};

/* A legal indirect request: the table at `table_at` with two 16-byte writable entries, the
 * referring descriptor with `extra_flags`; it must complete with 32 bytes. */
static void legal(struct rig *r, u32 table_at, u16 extra_flags, const char *what)
{
	struct virtq *q = &r->q[0];
	struct virtq_desc t[2] = {{at(0), BUF, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1},
				  {at(BUF), BUF, VIRTQ_DESC_F_WRITE, 0}};
	u32 id, len = 0;

	if (!rig_up(r, VIRTIO_F_INDIRECT_DESC, QSIZE))
		return;
	memcpy((void *)table_at, t, sizeof t); /* unaligned on purpose: byte copies */
	set_desc(q, 0, table_at, sizeof t, (u16)(VIRTQ_DESC_F_INDIRECT | extra_flags), 0);
	virtq_publish(q, 0);
	virtq_kick(q);
	bool done = rig_wait_used(r, 0, &id, &len, 100);
	report(done && id == 0 && len == 2 * BUF && rig_running(r), "%s: %s works (used length %u)",
	       r->name, what, len);
}

void abuse_indirect(struct rig *rng)
{
	run_fatal(rng, 0, QSIZE, 0, "indirect descriptor without INDIRECT_DESC negotiated",
		  one_entry);
	for (unsigned i = 0; i < sizeof fatal_tables / sizeof fatal_tables[0]; i++)
		run_fatal(rng, VIRTIO_F_INDIRECT_DESC, QSIZE, 0, fatal_tables[i].what,
			  fatal_tables[i].build);
	legal(rng, at(ODD_OFF), 0, "an indirect table at an odd address across a page");
	legal(rng, at(TABLE_OFF), VIRTQ_DESC_F_WRITE,
	      "an indirect descriptor with WRITE set (the device ignores it)");
}
