/* EPT tables: one walker, parameterised by level, serves map and unmap (SDM vol. 3C 29.3). */
#include "ept/ept.h"
#include "ept/ept_flush.h"
#include "kernel/mem.h"

#define EPT_ENTRIES    512		     /* 8-byte entries per 4 KiB table */
#define EPT_PROT_MASK  0x7ull		     /* bits 2:0: read, write, execute; 0 = not present */
#define EPT_MEMTYPE_WB (6ull << 3)	     /* bits 5:3 of a leaf: memory type write-back */
#define EPT_LARGE      (1ull << 7)	     /* bit 7 of a PDPTE/PDE: maps a page, not a table */
#define EPT_ADDR_MASK  0x000ffffffffff000ull /* bits 51:12: the page or next table */
#define EPT_HPA_LIMIT  (1ull << 52)	     /* widest host-physical address an entry holds */

#define EPTP_MEMTYPE_WB 6ull	    /* bits 2:0: paging structures are write-back */
#define EPTP_WALK_4	(3ull << 3) /* bits 5:3: page-walk length minus 1 */

enum ept_level {
	LEVEL_PT = 0, /* entries map 4 KiB */
	LEVEL_PD = 1, /* entries map 2 MiB or point to a PT */
	LEVEL_PML4 = 3,
};

/* Tables taken out of the tree wait here until the flush, since the CPU may still walk them. */
#define RETIRED_MAX 32

struct ept_op {
	struct ept *ept;
	uint64_t gpa, end; /* what is left to do: [gpa, end) */
	uint64_t hpa;	   /* where gpa goes, when mapping */
	uint64_t leaf_bits;
	bool unmap;
	bool flush_due; /* a present entry changed */
	unsigned nretired;
	struct {
		uint64_t pa;
		int level;
	} retired[RETIRED_MAX];
};

static uint64_t level_span(int level)
{
	return 1ull << (PAGE_SHIFT + 9 * level);
}

static unsigned level_index(uint64_t gpa, int level)
{
	return (gpa >> (PAGE_SHIFT + 9 * level)) & (EPT_ENTRIES - 1);
}

static bool present(uint64_t e)
{
	return e & EPT_PROT_MASK;
}

static bool is_table(uint64_t e, int level)
{
	return present(e) && level > LEVEL_PT && !(e & EPT_LARGE);
}

static uint64_t *table_at(uint64_t e)
{
	return phys_to_virt(e & EPT_ADDR_MASK);
}

static uint64_t table_alloc(struct ept *ept)
{
	uint64_t pa = frame_alloc();
	if (pa != FRAME_NONE)
		ept->table_frames++;
	return pa;
}

static void subtree_free(struct ept *ept, uint64_t pa, int level)
{
	const uint64_t *t = phys_to_virt(pa);
	for (unsigned i = 0; i < EPT_ENTRIES; i++)
		if (is_table(t[i], level))
			subtree_free(ept, t[i] & EPT_ADDR_MASK, level - 1);
	frame_free(pa, 1);
	ept->table_frames--;
}

/* Flush first, then free: only then can no CPU walk the retired tables any more. */
static void settle(struct ept_op *op)
{
	if (op->flush_due)
		ept_flush(op->ept);
	op->flush_due = false;
	for (unsigned i = 0; i < op->nretired; i++)
		subtree_free(op->ept, op->retired[i].pa, op->retired[i].level);
	op->nretired = 0;
}

static void retire(struct ept_op *op, uint64_t pa, int level)
{
	if (op->nretired == RETIRED_MAX)
		settle(op);
	op->retired[op->nretired].pa = pa;
	op->retired[op->nretired].level = level;
	op->nretired++;
}

static void replace(struct ept_op *op, uint64_t *slot, uint64_t val, int level)
{
	uint64_t old = *slot;
	if (old == val)
		return;
	*slot = val;
	if (!present(old))
		return;
	op->flush_due = true;
	if (is_table(old, level))
		retire(op, old & EPT_ADDR_MASK, level - 1);
}

/* A table one level down mapping exactly what the large leaf did; FRAME_NONE if out of frames. */
static uint64_t split(struct ept *ept, uint64_t leaf, int level)
{
	uint64_t pa = table_alloc(ept);
	if (pa == FRAME_NONE)
		return pa;
	uint64_t *t = phys_to_virt(pa);
	uint64_t flags = leaf & ~EPT_ADDR_MASK;
	if (level - 1 == LEVEL_PT)
		flags &= ~EPT_LARGE;
	for (unsigned i = 0; i < EPT_ENTRIES; i++)
		t[i] = ((leaf & EPT_ADDR_MASK) + i * level_span(level - 1)) | flags;
	return pa;
}

/* The table *e points to, made first (empty, or split from a large leaf) if needed. */
static uint64_t *child_table(struct ept_op *op, uint64_t *e, int level)
{
	if (is_table(*e, level))
		return table_at(*e);
	uint64_t pa = present(*e) ? split(op->ept, *e, level) : table_alloc(op->ept);
	if (pa == FRAME_NONE)
		return NULL;
	replace(op, e, pa | EPT_RWX, level); /* non-leaf: allow all, the leaf decides */
	return phys_to_virt(pa);
}

bool ept_large_pages = true;

static bool leaf_fits(const struct ept_op *op, int level)
{
	return level == LEVEL_PT ||
	       (level == LEVEL_PD && ept_large_pages && op->hpa % LARGE_PAGE_SIZE == 0);
}

static void advance(struct ept_op *op, uint64_t to)
{
	op->hpa += to - op->gpa;
	op->gpa = to;
}

static bool table_empty(const uint64_t *t)
{
	for (unsigned i = 0; i < EPT_ENTRIES; i++)
		if (t[i])
			return false;
	return true;
}

/* Does the part of [op->gpa, op->end) that `table` covers, moving op->gpa past it. */
static bool update(struct ept_op *op, uint64_t *table, int level)
{
	uint64_t span = level_span(level);
	uint64_t table_end = ALIGN_DOWN(op->gpa, span * EPT_ENTRIES) + span * EPT_ENTRIES;
	uint64_t limit = op->end < table_end ? op->end : table_end;
	while (op->gpa < limit) {
		uint64_t *e = &table[level_index(op->gpa, level)];
		uint64_t next = ALIGN_DOWN(op->gpa, span) + span;
		bool whole = op->gpa % span == 0 && op->end >= next;
		if (whole && op->unmap) {
			replace(op, e, 0, level);
			advance(op, next);
		} else if (whole && leaf_fits(op, level)) {
			uint64_t large = level == LEVEL_PT ? 0 : EPT_LARGE;
			replace(op, e, op->hpa | op->leaf_bits | large, level);
			advance(op, next);
		} else if (op->unmap && !present(*e)) {
			advance(op, next < limit ? next : limit);
		} else {
			uint64_t *child = child_table(op, e, level);
			if (!child || !update(op, child, level - 1))
				return false;
			if (op->unmap && table_empty(child))
				replace(op, e, 0, level);
		}
	}
	return true;
}

static bool apply(struct ept_op *op)
{
	bool ok = update(op, phys_to_virt(op->ept->pml4_pa), LEVEL_PML4);
	settle(op);
	return ok;
}

static bool gpa_range_ok(uint64_t gpa, uint64_t size)
{
	return (gpa | size) % PAGE_SIZE == 0 && size <= EPT_GPA_LIMIT &&
	       gpa <= EPT_GPA_LIMIT - size;
}

static bool prot_ok(unsigned prot)
{
	bool write_only = (prot & EPT_W) && !(prot & EPT_R);
	return prot != 0 && (prot & ~EPT_RWX) == 0 && !write_only;
}

bool ept_init(struct ept *ept)
{
	ept->table_frames = 0;
	ept->pml4_pa = table_alloc(ept);
	if (ept->pml4_pa != FRAME_NONE)
		return true;
	ept->pml4_pa = 0;
	return false;
}

bool ept_map(struct ept *ept, uint64_t gpa, uint64_t hpa, uint64_t size, unsigned prot)
{
	if (!gpa_range_ok(gpa, size) || hpa % PAGE_SIZE || size > EPT_HPA_LIMIT ||
	    hpa > EPT_HPA_LIMIT - size || !prot_ok(prot))
		return false;
	struct ept_op op = {.ept = ept,
			    .gpa = gpa,
			    .end = gpa + size,
			    .hpa = hpa,
			    .leaf_bits = prot | EPT_MEMTYPE_WB};
	return apply(&op);
}

bool ept_unmap(struct ept *ept, uint64_t gpa, uint64_t size)
{
	if (!gpa_range_ok(gpa, size))
		return false;
	struct ept_op op = {.ept = ept, .gpa = gpa, .end = gpa + size, .unmap = true};
	return apply(&op);
}

bool ept_query(const struct ept *ept, uint64_t gpa, struct ept_mapping *out)
{
	if (!ept->pml4_pa || gpa >= EPT_GPA_LIMIT)
		return false;
	const uint64_t *table = phys_to_virt(ept->pml4_pa);
	for (int level = LEVEL_PML4;; level--) {
		uint64_t e = table[level_index(gpa, level)];
		if (!present(e))
			return false;
		if (is_table(e, level)) {
			table = table_at(e);
			continue;
		}
		out->page_size = level_span(level);
		out->hpa = (e & EPT_ADDR_MASK) + gpa % out->page_size;
		out->prot = (unsigned)(e & EPT_PROT_MASK);
		return true;
	}
}

uint64_t ept_eptp(const struct ept *ept)
{
	return ept->pml4_pa | EPTP_MEMTYPE_WB | EPTP_WALK_4;
}

void ept_destroy(struct ept *ept)
{
	if (!ept->pml4_pa)
		return;
	/* Cached translations must not outlive the tables: the frames may soon be another EPT's. */
	if (!table_empty(phys_to_virt(ept->pml4_pa)))
		ept_flush(ept);
	subtree_free(ept, ept->pml4_pa, LEVEL_PML4);
	ept->pml4_pa = 0;
}
