/* Bitmap physical frame allocator (one bit per 4 KiB frame, set = used). Pure bookkeeping:
 * it neither touches nor zeroes the frames; kernel/mem.c wraps it for the rest of the kernel. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct falloc {
	uint64_t *bitmap; /* (nframes + 63) / 64 words, frame i at bit i % 64 of word i / 64 */
	uint64_t nframes; /* frames [0, nframes) from physical address 0 */
	uint64_t nfree;
	uint64_t hint; /* frame where the next search starts */
};

/* Every frame starts used: only what falloc_release() declares RAM is ever handed out. */
void falloc_init(struct falloc *fa, uint64_t *bitmap, uint64_t nframes);
/* Marks the whole frames inside [base, base + len) free; partial frames at either end stay
 * used, and frames past nframes are ignored. */
void falloc_release(struct falloc *fa, uint64_t base, uint64_t len);
/* Marks every frame touching [base, base + len) used. */
void falloc_reserve(struct falloc *fa, uint64_t base, uint64_t len);
/* npages contiguous frames starting at a multiple of align_pages (0 means 1): the physical
 * address of the first, or FRAME_NONE (kernel/mem.h). */
uint64_t falloc_alloc(struct falloc *fa, uint64_t npages, uint64_t align_pages);
/* Returns false (after log_err) and frees nothing if pa is unaligned, the range is outside
 * the allocator, or any frame in it is already free. */
bool falloc_free(struct falloc *fa, uint64_t pa, uint64_t npages);
uint64_t falloc_free_count(const struct falloc *fa);
