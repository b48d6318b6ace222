/* Guest page-table walker (SDM Vol. 3A, chapter 4 "Paging"). */
#include "vmx/guest_walk.h"
#include "kernel/mem.h"
#include "kernel/x86.h"

#define PTE_P  (1ull << 0)  /* present */
#define PTE_RW (1ull << 1)  /* writable */
#define PTE_US (1ull << 2)  /* user-mode accessible */
#define PTE_A  (1ull << 5)  /* accessed */
#define PTE_D  (1ull << 6)  /* dirty (in the entry that maps the page) */
#define PTE_PS (1ull << 7)  /* in a PDE (or PDPTE): maps a large page */
#define PTE_XD (1ull << 63) /* execute-disable (PAE/4-level, with EFER.NXE) */

#define PTE32_ADDR_MASK	    0xfffff000ull	  /* 32-bit paging: bits 31:12 */
#define PDE32_4M_ADDR_MASK  0xffc00000ull	  /* 4 MiB page: bits 31:22 */
#define PDE32_4M_HIGH_MASK  0x001fe000ull	  /* PSE-36: PDE bits 20:13 ... */
#define PDE32_4M_HIGH_SHIFT (32 - 13)		  /* ... are address bits 39:32 */
#define PDE32_4M_RESERVED   (1ull << 21)	  /* between PSE-36 bits and the address */
#define PTE64_ADDR_MASK	    0x000ffffffffff000ull /* PAE/4-level: bits 51:12 */
#define CR3_PAE_ADDR_MASK   0xffffffe0ull	  /* PAE: PDPT is 32-byte aligned */
#define ADDR_BITS_MAX	    52			  /* architectural MAXPHYADDR limit */
#define LARGE_RESERVED_LOW  13 /* large-page entries: bits from 13 up to the page offset */

#define LEGACY_LINEAR_MASK 0xffffffffull /* without long mode, linear addresses are 32-bit */
#define PAGE_OFFSET_BITS   12
#define MAX_LEVELS	   5

struct paging_format {
	unsigned levels;       /* tables walked, the first one at CR3 */
	unsigned entry_size;   /* bytes per entry */
	unsigned index_bits;   /* linear-address bits each level consumes */
	unsigned large_levels; /* bit n: PS at level n (1 = page table) maps a page */
	uint64_t table_mask;   /* CR3 bits that locate the first table */
	bool pae_pdpt;	       /* PAE: level 3 entries have no R/W, U/S, A or XD (and their
				  reserved bits fault at CR3 load, not here) */
};

/* Everything a walk learns on its way down. */
struct walk_path {
	uint64_t gpa;
	uint64_t entry_gpa[MAX_LEVELS]; /* the entries used that have an accessed flag (all
					   but PAE PDPTEs), top level first */
	uint64_t entry[MAX_LEVELS];
	unsigned nentries;
	bool writable, user, no_exec; /* combined over all levels */
};

static uint64_t level_shift(const struct paging_format *f, unsigned level)
{
	return PAGE_OFFSET_BITS + f->index_bits * (level - 1);
}

static struct paging_format paging_format_of(const struct guest_paging *p)
{
	if (p->efer & EFER_LMA)
		return (struct paging_format){
		    .levels = (p->cr4 & CR4_LA57) ? 5 : 4,
		    .entry_size = 8,
		    .index_bits = 9,
		    .large_levels = (1u << 2) | (1u << 3),
		    .table_mask = PTE64_ADDR_MASK,
		};
	if (p->cr4 & CR4_PAE)
		return (struct paging_format){
		    .levels = 3,
		    .entry_size = 8,
		    .index_bits = 9, /* the PDPT level sees only bits 31:30 of a 32-bit address */
		    .large_levels = 1u << 2,
		    .table_mask = CR3_PAE_ADDR_MASK,
		    .pae_pdpt = true,
		};
	return (struct paging_format){
	    .levels = 2,
	    .entry_size = 4,
	    .index_bits = 10,
	    .large_levels = (p->cr4 & CR4_PSE) ? 1u << 2 : 0,
	    .table_mask = PTE32_ADDR_MASK,
	};
}

static unsigned maxphyaddr_of(const struct guest_paging *p)
{
	return p->maxphyaddr && p->maxphyaddr < ADDR_BITS_MAX ? p->maxphyaddr : ADDR_BITS_MAX;
}

/* Physical base of a large page mapped by `entry` at `level`. */
static uint64_t large_page_base(const struct paging_format *f, uint64_t entry, unsigned level)
{
	if (f->entry_size == 4)
		return (entry & PDE32_4M_ADDR_MASK) |
		       ((entry & PDE32_4M_HIGH_MASK) << PDE32_4M_HIGH_SHIFT);
	uint64_t page_mask = (1ull << level_shift(f, level)) - 1;
	return entry & PTE64_ADDR_MASK & ~page_mask; /* bit 12 is PAT here, not address */
}

/* Bits of a present `entry` at `level` that must be 0 (SDM Vol. 3A tables 4-4 to 4-20). */
static uint64_t reserved_bits(const struct guest_paging *p, const struct paging_format *f,
			      unsigned level, bool large)
{
	unsigned m = maxphyaddr_of(p);
	if (f->entry_size == 4) {
		if (!large)
			return 0;
		/* PSE-36 address bits 39:32 sit in PDE bits 20:13; those beyond MAXPHYADDR */
		uint64_t r = PDE32_4M_RESERVED;
		if (m < 40)
			r |= PDE32_4M_HIGH_MASK & ~((1ull << (13 + m - 32)) - 1);
		return r;
	}
	if (f->pae_pdpt && level == 3)
		return 0;
	uint64_t r = ((1ull << ADDR_BITS_MAX) - 1) & ~((1ull << m) - 1);
	if (!(p->efer & EFER_NXE))
		r |= PTE_XD;
	if (level > 3)
		r |= PTE_PS; /* PML4E and PML5E map no pages */
	if (large)
		r |= ((1ull << level_shift(f, level)) - 1) & ~((1ull << LARGE_RESERVED_LOW) - 1);
	return r;
}

/* `checked`: also stop at reserved bits (the CPU's own walk for what it just executed
 * cannot have met any, so the fetch path does not look). */
static enum walk_result walk(const struct guest_paging *p, uint64_t gla, gpa_read_fn read,
			     void *ctx, bool checked, struct walk_path *w)
{
	w->nentries = 0;
	w->writable = w->user = true;
	w->no_exec = false;
	if (!(p->cr0 & CR0_PG)) {
		w->gpa = gla & LEGACY_LINEAR_MASK;
		return WALK_OK;
	}
	struct paging_format f = paging_format_of(p);
	if (!(p->efer & EFER_LMA))
		gla &= LEGACY_LINEAR_MASK;
	uint64_t table = p->cr3 & f.table_mask;
	uint64_t entry_mask = f.entry_size == 4 ? PTE32_ADDR_MASK : PTE64_ADDR_MASK;
	for (unsigned level = f.levels;; level--) {
		uint64_t shift = level_shift(&f, level);
		uint64_t index = (gla >> shift) & ((1ull << f.index_bits) - 1);
		uint64_t entry_gpa = table + index * f.entry_size;
		uint64_t entry = 0;
		if (!read(ctx, entry_gpa, &entry, f.entry_size))
			return WALK_BAD_GPA;
		if (!(entry & PTE_P))
			return WALK_NOT_PRESENT;
		bool large = level > 1 && (f.large_levels & (1u << level)) && (entry & PTE_PS);
		if (checked && (entry & reserved_bits(p, &f, level, large)))
			return WALK_RESERVED;
		if (!(f.pae_pdpt && level == 3)) {
			w->entry_gpa[w->nentries] = entry_gpa;
			w->entry[w->nentries++] = entry;
			w->writable &= (entry & PTE_RW) != 0;
			w->user &= (entry & PTE_US) != 0;
			w->no_exec |= f.entry_size == 8 && (entry & PTE_XD);
		}
		if (level == 1) {
			w->gpa = (entry & entry_mask) | (gla & ((1ull << shift) - 1));
			return WALK_OK;
		}
		if (large) {
			w->gpa = large_page_base(&f, entry, level) | (gla & ((1ull << shift) - 1));
			return WALK_OK;
		}
		table = entry & entry_mask;
	}
}

enum walk_result guest_walk(const struct guest_paging *p, uint64_t gla, gpa_read_fn read, void *ctx,
			    uint64_t *gpa)
{
	struct walk_path w;
	enum walk_result r = walk(p, gla, read, ctx, false, &w);
	if (r == WALK_OK)
		*gpa = w.gpa;
	return r;
}

/* SDM Vol. 3A 4.6.1: may this access use a translation with these combined rights? */
static bool access_allowed(const struct guest_paging *p, const struct walk_path *w, unsigned access)
{
	bool user_access = access & ACCESS_USER;
	if (access & ACCESS_FETCH) {
		if (w->no_exec)
			return false;
		if (user_access)
			return w->user;
		return !(w->user && (p->cr4 & CR4_SMEP));
	}
	if (user_access)
		return w->user && (!(access & ACCESS_WRITE) || w->writable);
	if (w->user && (p->cr4 & CR4_SMAP) && !(access & ACCESS_AC))
		return false;
	return !(access & ACCESS_WRITE) || !(p->cr0 & CR0_WP) || w->writable;
}

static uint32_t pf_error_of(const struct guest_paging *p, enum walk_result r, unsigned access)
{
	uint32_t e = 0;
	if (r != WALK_NOT_PRESENT)
		e |= PF_ERROR_P;
	if (r == WALK_RESERVED)
		e |= PF_ERROR_RSVD;
	if (access & ACCESS_WRITE)
		e |= PF_ERROR_W;
	if (access & ACCESS_USER)
		e |= PF_ERROR_U;
	if ((access & ACCESS_FETCH) &&
	    ((p->cr4 & CR4_SMEP) || ((p->cr4 & CR4_PAE) && (p->efer & EFER_NXE))))
		e |= PF_ERROR_ID;
	return e;
}

/* The CPU sets A in every entry it used and D in the one mapping the page it wrote. */
static bool set_accessed_dirty(const struct walk_mem *mem, const struct walk_path *w,
			       unsigned entry_size, bool write)
{
	if (!mem->set_bits)
		return true;
	for (unsigned i = 0; i < w->nentries; i++) {
		bool leaf = i == w->nentries - 1;
		uint64_t want = PTE_A | (leaf && write ? PTE_D : 0);
		if ((w->entry[i] & want) != want &&
		    !mem->set_bits(mem->ctx, w->entry_gpa[i], want, entry_size))
			return false;
	}
	return true;
}

enum walk_result guest_translate(const struct guest_paging *p, uint64_t gla, unsigned access,
				 const struct walk_mem *mem, uint64_t *gpa, uint32_t *pf_error)
{
	struct walk_path w;
	enum walk_result r = walk(p, gla, mem->read, mem->ctx, true, &w);
	if (r == WALK_OK && (p->cr0 & CR0_PG) && !access_allowed(p, &w, access))
		r = WALK_PROTECTION;
	if (r == WALK_NOT_PRESENT || r == WALK_RESERVED || r == WALK_PROTECTION) {
		*pf_error = pf_error_of(p, r, access);
		return r;
	}
	if (r != WALK_OK)
		return r;
	unsigned entry_size = (p->efer & EFER_LMA) || (p->cr4 & CR4_PAE) ? 8 : 4;
	if (!set_accessed_dirty(mem, &w, entry_size, access & ACCESS_WRITE))
		return WALK_BAD_GPA;
	*gpa = w.gpa;
	return WALK_OK;
}

size_t guest_fetch(const struct guest_paging *p, uint64_t gla, uint8_t *dst, size_t n,
		   gpa_read_fn read, void *ctx)
{
	size_t done = 0;
	while (done < n) {
		uint64_t addr = gla + done;
		uint64_t gpa;
		size_t chunk = PAGE_SIZE - (addr & (PAGE_SIZE - 1));
		if (chunk > n - done)
			chunk = n - done;
		if (guest_walk(p, addr, read, ctx, &gpa) != WALK_OK ||
		    !read(ctx, gpa, dst + done, chunk))
			break;
		done += chunk;
	}
	return done;
}
