/* Fake guest RAM for the virtio harnesses: FUZZ_GMEM_PAGES pages whose host copies lie in
 * reverse order (code that assumes adjacent guest pages are adjacent in the host touches the
 * wrong bytes, which ASan or the checks see), filled from the input. hva() is where a device
 * model reaches guest memory: it must never be asked for a byte outside RAM, and every call
 * is counted so that a harness can bound the work one notification does. */
#pragma once
#include "devices/guest_mem.h"
#include "tests/fuzz/fuzz.h"

#define FUZZ_GMEM_PAGES 16
#define FUZZ_GMEM_SIZE	((uint64_t)FUZZ_GMEM_PAGES * GMEM_PAGE_SIZE)

struct fuzz_gmem {
	struct guest_mem mem;
	uint8_t *host; /* FUZZ_GMEM_SIZE bytes, one heap block so ASan bounds it */
	uint64_t translations;
};

static inline uint8_t *fuzz_gmem_host(struct fuzz_gmem *g, uint64_t gpa)
{
	return g->host + (FUZZ_GMEM_PAGES - 1 - gpa / GMEM_PAGE_SIZE) * GMEM_PAGE_SIZE +
	       gpa % GMEM_PAGE_SIZE;
}

static inline void *fuzz_gmem_hva(void *ctx, uint64_t gpa)
{
	struct fuzz_gmem *g = ctx;
	FUZZ_CHECK(gpa < g->mem.size);
	g->translations++;
	return fuzz_gmem_host(g, gpa);
}

/* RAM of `size` bytes (at most FUZZ_GMEM_SIZE: a guest smaller than the host block leaves
 * the rest as memory the device must not reach either). */
static inline void fuzz_gmem_init(struct fuzz_gmem *g, uint64_t size)
{
	g->host = calloc(1, FUZZ_GMEM_SIZE);
	g->translations = 0;
	g->mem = (struct guest_mem){.size = size, .hva = fuzz_gmem_hva, .ctx = g};
}

static inline void fuzz_gmem_free(struct fuzz_gmem *g)
{
	free(g->host);
}

/* The guest's own stores, byte by byte, so they never depend on the code under test. */
static inline void fuzz_gmem_write(struct fuzz_gmem *g, uint64_t gpa, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes && gpa + i < g->mem.size; i++)
		*fuzz_gmem_host(g, gpa + i) = (uint8_t)(v >> (8 * i));
}

static inline uint64_t fuzz_gmem_read(struct fuzz_gmem *g, uint64_t gpa, unsigned bytes)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < bytes && gpa + i < g->mem.size; i++)
		v |= (uint64_t)*fuzz_gmem_host(g, gpa + i) << (8 * i);
	return v;
}

/* A guest-physical address the input picks: mostly inside the first pages, sometimes near
 * the end of RAM, past it, or near 2^64. */
static inline uint64_t fuzz_gpa(struct fuzz_input *in, uint64_t ram)
{
	switch (fuzz_below(in, 8)) {
	case 0:
		return ram - fuzz_u16(in) % 64;
	case 1:
		return ram + fuzz_u16(in);
	case 2:
		return ~0ull - fuzz_u16(in);
	case 3:
		return fuzz_u64(in);
	default:
		return fuzz_u16(in) % ram;
	}
}
