/* Physical memory access and frame allocation, the interface every layer uses.
 * In the hypervisor: the direct map and the MB2-built frame allocator (kernel/mem.c).
 * In host unit tests: an arena (tests/unit/shim.c). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE  4096ull
#define LARGE_PAGE_SIZE (2ull << 20) /* 2 MiB: a PDE/EPT PDE with the PS bit */
#define FRAME_NONE (~0ull)           /* returned when no frame is available */

#define ALIGN_UP(x, a)   (((x) + (a) - 1) & ~((uint64_t)(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((uint64_t)(a) - 1))

void *phys_to_virt(uint64_t pa);
uint64_t virt_to_phys(const void *va);

/* Maps [pa, pa + size) in the direct (and, below 512 GiB, identity) map uncached, for device
 * registers, or write-combining, for a framebuffer; at any physical address. */
void mem_map_uncached(uint64_t pa, uint64_t size);
void mem_map_wc(uint64_t pa, uint64_t size);
/* Whether every byte of [pa, pa + size) is mapped (firmware tables may point anywhere). */
bool mem_is_mapped(uint64_t pa, uint64_t size);
/* Copies n bytes at physical pa; false if any is unmapped (a phys_read_fn for parsers). */
bool mem_phys_read(void *ctx, uint64_t pa, void *dst, size_t n);
/* Every frame handed out is zeroed: page tables and guest RAM both rely on it. */
uint64_t frame_alloc(void);
uint64_t frame_alloc_contig(uint64_t npages, uint64_t align_pages);
void frame_free(uint64_t pa, uint64_t npages);
uint64_t frame_free_count(void);
