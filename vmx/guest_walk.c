/* Guest page-table walker (SDM Vol. 3A, chapter 4 "Paging"). */
#include "vmx/guest_walk.h"
#include "kernel/mem.h"
#include "kernel/x86.h"

#define PTE_P  (1ull << 0) /* present */
#define PTE_PS (1ull << 7) /* in a PDE (or PDPTE): maps a large page */

#define PTE32_ADDR_MASK	    0xfffff000ull	  /* 32-bit paging: bits 31:12 */
#define PDE32_4M_ADDR_MASK  0xffc00000ull	  /* 4 MiB page: bits 31:22 */
#define PDE32_4M_HIGH_MASK  0x001fe000ull	  /* PSE-36: PDE bits 20:13 ... */
#define PDE32_4M_HIGH_SHIFT (32 - 13)		  /* ... are address bits 39:32 */
#define PTE64_ADDR_MASK	    0x000ffffffffff000ull /* PAE/4-level: bits 51:12 */
#define CR3_PAE_ADDR_MASK   0xffffffe0ull	  /* PAE: PDPT is 32-byte aligned */

#define LEGACY_LINEAR_MASK 0xffffffffull /* without long mode, linear addresses are 32-bit */
#define PAGE_OFFSET_BITS   12

struct paging_format {
	unsigned levels;       /* tables walked, the first one at CR3 */
	unsigned entry_size;   /* bytes per entry */
	unsigned index_bits;   /* linear-address bits each level consumes */
	unsigned large_levels; /* bit n: PS at level n (1 = page table) maps a page */
	uint64_t table_mask;   /* CR3 bits that locate the first table */
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
		};
	return (struct paging_format){
	    .levels = 2,
	    .entry_size = 4,
	    .index_bits = 10,
	    .large_levels = (p->cr4 & CR4_PSE) ? 1u << 2 : 0,
	    .table_mask = PTE32_ADDR_MASK,
	};
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

enum walk_result guest_walk(const struct guest_paging *p, uint64_t gla, gpa_read_fn read, void *ctx,
			    uint64_t *gpa)
{
	if (!(p->cr0 & CR0_PG)) {
		*gpa = gla & LEGACY_LINEAR_MASK;
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
		uint64_t entry = 0;
		if (!read(ctx, table + index * f.entry_size, &entry, f.entry_size))
			return WALK_BAD_GPA;
		if (!(entry & PTE_P))
			return WALK_NOT_PRESENT;
		if (level == 1) {
			*gpa = (entry & entry_mask) | (gla & ((1ull << shift) - 1));
			return WALK_OK;
		}
		if ((f.large_levels & (1u << level)) && (entry & PTE_PS)) {
			*gpa = large_page_base(&f, entry, level) | (gla & ((1ull << shift) - 1));
			return WALK_OK;
		}
		table = entry & entry_mask;
	}
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
