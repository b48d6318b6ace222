/* How device models reach a VM's RAM: guest-physical [0, size), translated one 4 KiB page at
 * a time because adjacent guest pages may lie apart in the host. Every (gpa, len) is checked
 * against size with overflow-safe arithmetic before any byte is touched, so a guest-supplied
 * address can never lead outside the VM: MMIO windows and everything above RAM are not RAM.
 * The hypervisor implements hva() over struct guest_ram (guest_ram_hva), tests over a buffer. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#define GMEM_PAGE_SIZE 4096u /* translation granule: an hva() result is valid to its page end */

struct guest_mem {
	uint64_t size; /* RAM is [0, size) */
	/* Host address of RAM byte gpa (callers guarantee gpa < size), valid to the end of gpa's
	 * 4 KiB page. */
	void *(*hva)(void *ctx, uint64_t gpa);
	void *ctx;
};

/* [gpa, gpa + len) lies wholly in RAM (len 0: gpa <= size). */
static inline bool gmem_in_ram(const struct guest_mem *m, uint64_t gpa, uint64_t len)
{
	return len <= m->size && gpa <= m->size - len;
}

/* Host address of gpa and, in *n, how many of the len bytes from there are contiguous in the
 * host (up to the end of gpa's page). NULL, with *n = 0, when len is 0 or [gpa, gpa + len) is not
 * all RAM: walking a range page by page therefore validates it as a whole before the first step. */
void *gmem_span(const struct guest_mem *m, uint64_t gpa, uint64_t len, uint64_t *n);
/* Host address of [gpa, gpa + len) when it is RAM and within one page, else NULL. */
void *gmem_ptr(const struct guest_mem *m, uint64_t gpa, uint64_t len);
/* Copy across pages; false, with nothing copied, if any byte lies outside RAM. */
bool gmem_read(const struct guest_mem *m, uint64_t gpa, void *dst, uint64_t len);
bool gmem_write(const struct guest_mem *m, uint64_t gpa, const void *src, uint64_t len);
