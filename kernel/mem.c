/* kernel/mem.h for the hypervisor: the direct map for physical access and one bitmap
 * allocator over the frames it covers. */
#include "kernel/mem.h"
#include "kernel/frame_alloc.h"
#include "kernel/kstring.h"
#include "kernel/layout.h"
#include "kernel/log.h"
#include "kernel/mem_init.h"
#include "kernel/panic.h"
#include "kernel/x86.h"

#define MAX_FRAMES     (DIRECT_MAP_SIZE / PAGE_SIZE) /* only direct-mapped frames can be zeroed */
#define LOW_MEMORY_END 0x100000 /* BIOS data, EBDA, option ROMs; later the AP trampoline */
#define MiB	       (1ull << 20)

/* Linker symbols whose addresses are the physical bounds of the loaded image (linker.ld). */
extern char _kernel_phys_start[], _kernel_phys_end[];

static uint64_t frame_bitmap[MAX_FRAMES / 64];
static struct falloc frames;

void *phys_to_virt(uint64_t pa)
{
	if (pa >= DIRECT_MAP_SIZE)
		panic("phys_to_virt: %#llx is above the direct map", (unsigned long long)pa);
	return (void *)(uintptr_t)(DIRECT_MAP_BASE + pa);
}

uint64_t virt_to_phys(const void *va)
{
	uint64_t v = (uint64_t)(uintptr_t)va;
	if (v >= KERNEL_VMA)
		return v - KERNEL_VMA;
	if (v >= DIRECT_MAP_BASE && v - DIRECT_MAP_BASE < DIRECT_MAP_SIZE)
		return v - DIRECT_MAP_BASE;
	panic("virt_to_phys: %p is neither in the image nor in the direct map", va);
}

#define PDE_PWT       (1ull << 3) /* with PCD and PAT 0: memory type UC */
#define PDE_PCD       (1ull << 4)
#define LARGE_PAGE    (2ull << 20)
extern uint64_t boot_pd[]; /* boot/entry.S: 4 page directories mapping [0, 4 GiB) */

void mem_map_uncached(uint64_t pa, uint64_t size)
{
	uint64_t *pd = phys_to_virt((uint64_t)(uintptr_t)boot_pd);
	for (uint64_t a = ALIGN_DOWN(pa, LARGE_PAGE); a < pa + size && a < DIRECT_MAP_SIZE;
	     a += LARGE_PAGE)
		pd[a / LARGE_PAGE] |= PDE_PWT | PDE_PCD;
	write_cr3(read_cr3());
}

/* Frees the available ranges; returns the bytes of RAM beyond the direct map, left unused. */
static uint64_t release_mmap(const struct mb2_info *mb)
{
	uint64_t above_limit = 0;
	for (unsigned i = 0; i < mb->nmmap; i++) {
		const struct mb2_mmap_entry *e = &mb->mmap[i];
		if (e->type != MB2_MMAP_AVAILABLE)
			continue;
		falloc_release(&frames, e->base, e->len);
		uint64_t end = e->base + e->len < e->base ? UINT64_MAX : e->base + e->len;
		if (end > DIRECT_MAP_SIZE)
			above_limit +=
			    end - (e->base > DIRECT_MAP_SIZE ? e->base : DIRECT_MAP_SIZE);
	}
	return above_limit;
}

void mem_init(const struct mb2_info *mb, uint64_t mbi_phys)
{
	uint64_t above_limit = 0;

	falloc_init(&frames, frame_bitmap, MAX_FRAMES);
	if (mb->nmmap > 0) {
		above_limit = release_mmap(mb);
	} else if (mb->have_meminfo) {
		log_warn("memory: no memory map from the boot loader; using basic meminfo");
		falloc_release(&frames, LOW_MEMORY_END, (uint64_t)mb->mem_upper_kb * 1024);
	} else {
		log_err("memory: the boot loader reported no memory map or meminfo; no frames "
			"for guests");
		return;
	}
	uint64_t usable = falloc_free_count(&frames);

	uint64_t kernel_start = (uint64_t)(uintptr_t)_kernel_phys_start;
	uint64_t kernel_end = (uint64_t)(uintptr_t)_kernel_phys_end;
	falloc_reserve(&frames, 0, LOW_MEMORY_END);
	falloc_reserve(&frames, kernel_start, kernel_end - kernel_start);
	falloc_reserve(&frames, mbi_phys, mb->total_size);
	for (unsigned i = 0; i < mb->nmodules; i++)
		falloc_reserve(&frames, mb->modules[i].start,
			       mb->modules[i].end - mb->modules[i].start);

	log_info("memory: %llu MiB usable RAM, %llu MiB free for guests, %u ranges reserved"
		 " (%llu MiB above 4 GiB unused)",
		 (unsigned long long)(usable * PAGE_SIZE / MiB),
		 (unsigned long long)(falloc_free_count(&frames) * PAGE_SIZE / MiB),
		 3 + mb->nmodules, (unsigned long long)(above_limit / MiB));
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
