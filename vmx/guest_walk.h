/* Guest linear -> guest-physical translation through the guest's own page tables, for
 * fetching the instruction behind an exit. Only present bits are checked: no U/S, R/W, NX,
 * reserved-bit or protection-key checks, and accessed/dirty bits are left alone, because the
 * hypervisor only reads what the guest CPU just executed. In PAE mode the PDPTEs are read
 * from memory at CR3, not from the copies the CPU loaded when CR3 was written. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct guest_paging {
	uint64_t cr0, cr3, cr4, efer;
};

/* Reads `n` guest-physical bytes; false if any is outside guest memory. */
typedef bool (*gpa_read_fn)(void *ctx, uint64_t gpa, void *dst, size_t n);

enum walk_result {
	WALK_OK,
	WALK_NOT_PRESENT, /* some paging-structure entry has P = 0: the guest would #PF */
	WALK_BAD_GPA,	  /* a paging structure lies outside guest memory */
};

/* Paging off: identity (32-bit linear). Otherwise 32-bit (CR4.PSE 4 MiB pages, PSE-36),
 * PAE (2 MiB pages) or, with EFER.LMA, 4-level (5-level with CR4.LA57; 2 MiB, 1 GiB pages). */
enum walk_result guest_walk(const struct guest_paging *p, uint64_t gla, gpa_read_fn read, void *ctx,
			    uint64_t *gpa);

/* Copies up to `n` bytes starting at linear `gla`, page by page; returns how many were
 * fetched, stopping at the first page that does not translate or read. */
size_t guest_fetch(const struct guest_paging *p, uint64_t gla, uint8_t *dst, size_t n,
		   gpa_read_fn read, void *ctx);
