/* kernel/mem.h for the hypervisor: the page tables of the direct map, built from the boot
 * loader's memory map, and one bitmap frame allocator over all usable RAM. */
#include "kernel/mem.h"
#include "kernel/frame_alloc.h"
#include "kernel/kstring.h"
#include "kernel/layout.h"
#include "kernel/log.h"
#include "kernel/mem_init.h"
#include "kernel/panic.h"
#include "kernel/x86.h"

#define LOW_MEMORY_END 0x100000 /* BIOS data, EBDA, option ROMs; later the AP trampoline */
#define MiB	       (1ull << 20)
#define TABLE_ENTRIES  512

#define PTE_P	 0x1ull			/* present */
#define PTE_W	 0x2ull			/* writable */
#define PTE_PWT	 0x8ull			/* PAT index bit 0 */
#define PTE_PCD	 0x10ull		/* PAT index bit 1 */
#define PTE_PS	 0x80ull		/* in a PDE: maps a 2 MiB page */
#define PTE_ADDR 0x000ffffffffff000ull	/* the next table or the page */
#define PTE_LARGE_ADDR 0x000fffffffe00000ull

/* PAT entries 0-3 are chosen by PWT and PCD (PAT bit 0). Entry 1 (PWT alone) is
 * write-combining instead of the power-on write-through; the others keep their power-on
 * types, so the cache attributes below mean what they say on every CPU. */
#define PAT_WB_WC_UCM_UC 0x0007040600070106ull
#define CACHE_WB	 0ull
#define CACHE_WC	 PTE_PWT
#define CACHE_UC	 (PTE_PWT | PTE_PCD)
#define CACHE_MASK	 (PTE_PWT | PTE_PCD)

/* Linker symbols: the bounds of the image at its link addresses (linker.ld). */
extern char _kernel_phys_start[], _kernel_phys_end[];
extern uint64_t boot_pml4[]; /* boot/entry.S: its slot 511 is the kernel window */


static struct falloc frames;
static uint64_t pml4_pa;	    /* the tables being built, then the live ones */
static bool tables_live;	    /* pml4_pa is in CR3: changes need a TLB flush */
static uint64_t carve_next, carve_end; /* early frames for tables and the bitmap */
static bool allocator_ready;

struct range {
	uint64_t start, end;
};

void *phys_to_virt(uint64_t pa)
{
	if (pa >= DIRECT_MAP_LIMIT)
		panic("phys_to_virt: %#llx is above the direct map", (unsigned long long)pa);
	return (void *)(uintptr_t)(DIRECT_MAP_BASE + pa);
}

uint64_t virt_to_phys(const void *va)
{
	uint64_t v = (uint64_t)(uintptr_t)va;
	if (v >= KERNEL_VMA)
		return v - KERNEL_VMA + kernel_load_offset;
	if (v >= DIRECT_MAP_BASE && v - DIRECT_MAP_BASE < DIRECT_MAP_LIMIT)
		return v - DIRECT_MAP_BASE;
	panic("virt_to_phys: %p is neither in the image nor in the direct map", va);
}

void mem_cpu_init(void)
{
	wrmsr(MSR_IA32_PAT, PAT_WB_WC_UCM_UC);
}

static uint64_t table_frame(void)
{
	uint64_t pa;
	if (allocator_ready) {
		pa = frame_alloc(); /* zeroed */
		if (pa == FRAME_NONE)
			panic("memory: no frame left for a page table");
		return pa;
	}
	if (carve_next + PAGE_SIZE > carve_end)
		panic("memory: the free range chosen for the page tables is too small");
	pa = carve_next;
	carve_next += PAGE_SIZE;
	memset(phys_to_virt(pa), 0, PAGE_SIZE);
	return pa;
}

/* The entry that maps `va` at `level` (3: PML4E, 2: PDPTE, 1: PDE, 0: PTE), making the
 * tables on the way; a 2 MiB page on the way to a 4 KiB entry is split, keeping its
 * attributes for the other 511 pages. */
static uint64_t *pte_for(uint64_t va, int level)
{
	uint64_t *table = phys_to_virt(pml4_pa);
	for (int l = 3;; l--) {
		uint64_t *e = &table[(va >> (PAGE_SHIFT + 9 * l)) & (TABLE_ENTRIES - 1)];
		if (l == level)
			return e;
		if (!(*e & PTE_P)) {
			*e = table_frame() | PTE_P | PTE_W;
		} else if (*e & PTE_PS) {
			uint64_t t = table_frame();
			uint64_t *pt = phys_to_virt(t);
			uint64_t base = *e & PTE_LARGE_ADDR, attr = *e & (CACHE_MASK | PTE_W);
			for (unsigned i = 0; i < TABLE_ENTRIES; i++)
				pt[i] = (base + i * PAGE_SIZE) | PTE_P | attr;
			*e = t | PTE_P | PTE_W;
		}
		table = phys_to_virt(*e & PTE_ADDR);
	}
}

/* Maps [pa, pa + len) at DIRECT_MAP_BASE + pa with `cache`: 2 MiB pages where a whole one
 * fits, else 4 KiB pages. Whatever was mapped there before is replaced. */
static void map_range(uint64_t pa, uint64_t len, uint64_t cache)
{
	uint64_t end = pa + len < pa || pa + len > DIRECT_MAP_LIMIT ? DIRECT_MAP_LIMIT : pa + len;
	for (uint64_t a = ALIGN_DOWN(pa, PAGE_SIZE); a < end;) {
		uint64_t va = DIRECT_MAP_BASE + a;
		if (a % LARGE_PAGE_SIZE == 0 && end - a >= LARGE_PAGE_SIZE) {
			uint64_t *pde = pte_for(va, 1);
			if ((*pde & PTE_P) && !(*pde & PTE_PS)) {
				uint64_t *pt = phys_to_virt(*pde & PTE_ADDR);
				for (unsigned i = 0; i < TABLE_ENTRIES; i++)
					pt[i] = (a + i * PAGE_SIZE) | PTE_P | PTE_W | cache;
			} else {
				*pde = a | PTE_P | PTE_W | PTE_PS | cache;
			}
			a += LARGE_PAGE_SIZE;
		} else {
			*pte_for(va, 0) = a | PTE_P | PTE_W | cache;
			a += PAGE_SIZE;
		}
	}
	if (tables_live)
		write_cr3(read_cr3());
}

void mem_map_uncached(uint64_t pa, uint64_t size)
{
	map_range(pa, size, CACHE_UC);
}

void mem_map_wc(uint64_t pa, uint64_t size)
{
	map_range(pa, size, CACHE_WC);
}

bool mem_is_mapped(uint64_t pa, uint64_t size)
{
	if (pa >= DIRECT_MAP_LIMIT || size > DIRECT_MAP_LIMIT - pa)
		return false;
	for (uint64_t a = ALIGN_DOWN(pa, PAGE_SIZE); a < pa + size; a += PAGE_SIZE) {
		const uint64_t *table = phys_to_virt(pml4_pa);
		uint64_t va = DIRECT_MAP_BASE + a;
		for (int l = 3;; l--) {
			uint64_t e = table[(va >> (PAGE_SHIFT + 9 * l)) & (TABLE_ENTRIES - 1)];
			if (!(e & PTE_P))
				return false;
			if (l == 0 || (l == 1 && (e & PTE_PS)))
				break;
			table = phys_to_virt(e & PTE_ADDR);
		}
	}
	return true;
}

bool mem_phys_read(void *ctx, uint64_t pa, void *dst, size_t n)
{
	(void)ctx;
	if (!mem_is_mapped(pa, n))
		return false;
	memcpy(dst, phys_to_virt(pa), n);
	return true;
}

/* The map's entries, or one range from the basic meminfo when there is no map. */
static unsigned map_count(const struct mb2_info *mb)
{
	unsigned n = mb2_mem_count(mb);
	return n ? n : mb->have_meminfo;
}

static struct mb2_mem_range map_get(const struct mb2_info *mb, unsigned i)
{
	if (mb2_mem_count(mb))
		return mb2_mem_get(mb, i);
	return (struct mb2_mem_range){LOW_MEMORY_END, (uint64_t)mb->mem_upper_kb * 1024,
				      MB2_MEM_USABLE, MB2_MMAP_AVAILABLE};
}

static uint64_t range_end(const struct mb2_mem_range *r)
{
	return r->base + r->len < r->base ? UINT64_MAX : r->base + r->len;
}

/* The lowest-starting range overlapping [a, b) that frames must not come from: a kept range
 * or a map entry that is not usable RAM. */
static bool first_blocker(const struct mb2_info *mb, const struct range *keep, unsigned nkeep,
			  uint64_t a, uint64_t b, struct range *out)
{
	bool found = false;
	for (unsigned i = 0; i < nkeep + map_count(mb); i++) {
		struct range r;
		if (i < nkeep) {
			r = keep[i];
		} else {
			struct mb2_mem_range m = map_get(mb, i - nkeep);
			if (m.kind == MB2_MEM_USABLE)
				continue;
			r = (struct range){m.base, range_end(&m)};
		}
		if (r.start < b && a < r.end && (!found || r.start < out->start)) {
			*out = r;
			found = true;
		}
	}
	return found;
}

/* The largest piece of usable RAM below 4 GiB (reachable through the boot map) that no kept
 * range or reserved entry overlaps: page tables and the bitmap come from its start. */
static struct range choose_carve(const struct mb2_info *mb, const struct range *keep,
				 unsigned nkeep)
{
	struct range best = {0, 0};
	for (unsigned i = 0; i < map_count(mb); i++) {
		struct mb2_mem_range m = map_get(mb, i);
		if (m.kind != MB2_MEM_USABLE)
			continue;
		uint64_t a = ALIGN_UP(m.base < LOW_MEMORY_END ? LOW_MEMORY_END : m.base, PAGE_SIZE);
		uint64_t end = ALIGN_DOWN(range_end(&m) < LOW_4G ? range_end(&m) : LOW_4G, PAGE_SIZE);
		while (a < end) {
			struct range blk;
			uint64_t piece_end = end;
			if (first_blocker(mb, keep, nkeep, a, end, &blk)) {
				if (blk.start <= a) {
					a = ALIGN_UP(blk.end, PAGE_SIZE);
					continue;
				}
				piece_end = ALIGN_DOWN(blk.start, PAGE_SIZE);
			}
			if (piece_end > a && piece_end - a > best.end - best.start)
				best = (struct range){a, piece_end};
			a = piece_end + PAGE_SIZE;
		}
	}
	return best;
}

static void build_tables(const struct mb2_info *mb)
{
	pml4_pa = table_frame();
	/* Device registers (APICs, HPET, PCI) live in the first 4 GiB: uncached by default. */
	map_range(0, LOW_4G, CACHE_UC);
	for (unsigned i = 0; i < map_count(mb); i++) {
		struct mb2_mem_range m = map_get(mb, i);
		if (m.kind != MB2_MEM_RESERVED)
			map_range(m.base, m.len, CACHE_WB);
	}
	/* What the map says is not RAM stays uncached even where a RAM entry overlaps it. */
	for (unsigned i = 0; i < map_count(mb); i++) {
		struct mb2_mem_range m = map_get(mb, i);
		if (m.kind == MB2_MEM_RESERVED && m.base < LOW_4G)
			map_range(m.base, (range_end(&m) < LOW_4G ? range_end(&m) : LOW_4G) - m.base,
				  CACHE_UC);
	}
	uint64_t *pml4 = phys_to_virt(pml4_pa);
	const uint64_t *boot = phys_to_virt((uint64_t)(uintptr_t)boot_pml4 + kernel_load_offset);
	pml4[0] = pml4[DIRECT_MAP_BASE >> 39 & (TABLE_ENTRIES - 1)]; /* identity: first 512 GiB */
	pml4[TABLE_ENTRIES - 1] = boot[TABLE_ENTRIES - 1];	      /* the kernel window */
	mem_cpu_init();
	write_cr3(pml4_pa);
	tables_live = true;
}

/* Writes and reads back the last page of the highest usable RAM: proves the direct map
 * reaches it (nothing has been allocated yet, so the page is free). */
static bool check_top_page(uint64_t top)
{
	volatile uint64_t *p = phys_to_virt(top - PAGE_SIZE);
	uint64_t old = *p;
	*p = 0x6d68762d6d656dull ^ top;
	bool ok = *p == (0x6d68762d6d656dull ^ top);
	*p = old;
	return ok;
}

void mem_init(const struct mb2_info *mb, uint64_t mbi_phys)
{
	uint64_t kstart = (uint64_t)(uintptr_t)_kernel_phys_start + kernel_load_offset;
	uint64_t kend = (uint64_t)(uintptr_t)_kernel_phys_end + kernel_load_offset;
	struct range keep[3 + MB2_MAX_MODULES] = {
	    {0, LOW_MEMORY_END}, {kstart, kend}, {mbi_phys, mbi_phys + mb->total_size}};
	unsigned nkeep = 3;
	for (unsigned i = 0; i < mb->nmodules; i++)
		keep[nkeep++] = (struct range){mb->modules[i].start, mb->modules[i].end};

	if (!mb2_mem_count(mb)) {
		if (!mb->have_meminfo)
			panic("memory: the boot loader reported no memory map or meminfo");
		log_warn("memory: no memory map from the boot loader; using basic meminfo");
	}
	uint64_t top = 0, usable = 0, above_4g = 0;
	for (unsigned i = 0; i < map_count(mb); i++) {
		struct mb2_mem_range m = map_get(mb, i);
		uint64_t end = range_end(&m) < DIRECT_MAP_LIMIT ? range_end(&m) : DIRECT_MAP_LIMIT;
		if (m.kind != MB2_MEM_USABLE || end <= m.base)
			continue;
		top = end > top ? end : top;
		usable += end - m.base;
		if (end > LOW_4G)
			above_4g += end - (m.base > LOW_4G ? m.base : LOW_4G);
	}
	top = ALIGN_DOWN(top, PAGE_SIZE);

	struct range carve = choose_carve(mb, keep, nkeep);
	carve_next = carve.start;
	carve_end = carve.end;
	uint64_t nframes = top / PAGE_SIZE;
	uint64_t bitmap_pages = ALIGN_UP((nframes + 63) / 64 * 8, PAGE_SIZE) / PAGE_SIZE;
	if (carve.end - carve.start < (bitmap_pages + 64) * PAGE_SIZE)
		panic("memory: no free range below 4 GiB for the frame bitmap and page tables");
	uint64_t *bitmap = phys_to_virt(carve_next);
	carve_next += bitmap_pages * PAGE_SIZE;
	build_tables(mb);

	falloc_init(&frames, bitmap, nframes);
	for (unsigned i = 0; i < map_count(mb); i++) {
		struct mb2_mem_range m = map_get(mb, i);
		if (m.kind == MB2_MEM_USABLE)
			falloc_release(&frames, m.base, m.len);
	}
	uint64_t free_ram = falloc_free_count(&frames);
	unsigned nreserved = 0;
	for (unsigned i = 0; i < map_count(mb); i++) {
		struct mb2_mem_range m = map_get(mb, i);
		if (m.kind != MB2_MEM_USABLE && m.base < top) {
			falloc_reserve(&frames, m.base, m.len < top - m.base ? m.len : top - m.base);
			nreserved++;
		}
	}
	for (unsigned i = 0; i < nkeep; i++)
		falloc_reserve(&frames, keep[i].start, keep[i].end - keep[i].start);
	falloc_reserve(&frames, carve.start, carve_next - carve.start);
	allocator_ready = true;

	log_info("memory: %u entries in the %s; %llu MiB usable RAM (%llu MiB above 4 GiB), "
		 "%llu MiB free for guests",
		 map_count(mb), mb2_mem_source(mb), (unsigned long long)(usable / MiB),
		 (unsigned long long)(above_4g / MiB),
		 (unsigned long long)(falloc_free_count(&frames) * PAGE_SIZE / MiB));
	log_debug("memory: %llu frames released, %u non-RAM ranges re-reserved, tables and "
		  "bitmap at %#llx-%#llx",
		  (unsigned long long)free_ram, nreserved, (unsigned long long)carve.start,
		  (unsigned long long)carve_next);
	if (top > LOW_4G) {
		if (check_top_page(top))
			log_info("memory: RAM up to %#llx mapped write-back and checked",
				 (unsigned long long)top);
		else
			panic("memory: the page at %#llx does not keep what was written",
			      (unsigned long long)(top - PAGE_SIZE));
	}
}

uint64_t frame_alloc_contig(uint64_t npages, uint64_t align_pages)
{
	/* single CPU for now: an SMP lock around the allocator goes here */
	uint64_t pa = falloc_alloc(&frames, npages, align_pages);
	if (pa != FRAME_NONE)
		memset(phys_to_virt(pa), 0, npages * PAGE_SIZE);
	return pa;
}

uint64_t frame_alloc(void)
{
	return frame_alloc_contig(1, 1);
}

void frame_free(uint64_t pa, uint64_t npages)
{
	falloc_free(&frames, pa, npages); /* a bad free is logged there and changes nothing */
}

uint64_t frame_free_count(void)
{
	return falloc_free_count(&frames);
}
