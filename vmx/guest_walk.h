/* Guest linear -> guest-physical translation through the guest's own page tables.
 *
 * guest_walk() only follows present bits: it is for fetching the instruction the guest CPU
 * just executed, which the CPU already checked. guest_translate() is for accesses the
 * hypervisor makes on the guest's behalf (emulated instructions, string I/O): it applies the
 * paging protections as the CPU would (SDM Vol. 3A 4.6: R/W with CR0.WP, U/S, SMAP with
 * RFLAGS.AC, SMEP, NX; reserved bits, 4.7), sets accessed/dirty flags as the CPU would, and
 * on failure gives the page-fault error code to inject. Protection keys do not exist for
 * guests (CR4.PKE is refused), so the PK bit never appears. In PAE mode the PDPTEs are read
 * from memory at CR3, not from the copies the CPU loaded when CR3 was written. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct guest_paging {
	uint64_t cr0, cr3, cr4, efer;
	unsigned maxphyaddr; /* guest MAXPHYADDR: entry address bits at or above it are
				reserved; 0 means 52 */
};

/* Reads `n` guest-physical bytes; false if any is outside guest memory. */
typedef bool (*gpa_read_fn)(void *ctx, uint64_t gpa, void *dst, size_t n);

/* Guest-physical memory for a checked walk: reading entries, and setting their accessed and
 * dirty flags (an atomic OR into the `size`-byte entry at `gpa`, since the guest may edit
 * its tables concurrently); `set_bits` may be NULL to leave the flags alone. */
struct walk_mem {
	gpa_read_fn read;
	bool (*set_bits)(void *ctx, uint64_t gpa, uint64_t bits, unsigned size);
	void *ctx;
};

enum walk_result {
	WALK_OK,
	WALK_NOT_PRESENT, /* some paging-structure entry has P = 0 */
	WALK_RESERVED,	  /* a present entry has a reserved bit set */
	WALK_PROTECTION,  /* translated, but the access is not allowed (guest_translate) */
	WALK_BAD_GPA,	  /* a paging structure lies outside guest memory */
};

/* What an access is, for guest_translate(). */
#define ACCESS_WRITE (1u << 0) /* a write, or the read of a read-modify-write */
#define ACCESS_FETCH (1u << 1) /* an instruction fetch */
#define ACCESS_USER                                                                                \
	(1u << 2) /* user mode: CPL 3 and not an implicit supervisor access                        \
		     (descriptor tables, TSS) */
#define ACCESS_AC                                                                                  \
	(1u << 3) /* RFLAGS.AC = 1 at CPL < 3: SMAP lets supervisor data                           \
		     accesses reach user pages */

/* Page-fault error code (SDM Vol. 3A 4.7). */
#define PF_ERROR_P    (1u << 0) /* 0: not present; 1: protection or reserved bit */
#define PF_ERROR_W    (1u << 1) /* a write */
#define PF_ERROR_U    (1u << 2) /* a user-mode access */
#define PF_ERROR_RSVD (1u << 3) /* a reserved bit set in some entry */
#define PF_ERROR_ID   (1u << 4) /* an instruction fetch (only with SMEP, or PAE and NXE) */

/* Paging off: identity (32-bit linear). Otherwise 32-bit (CR4.PSE 4 MiB pages, PSE-36),
 * PAE (2 MiB pages) or, with EFER.LMA, 4-level (5-level with CR4.LA57; 2 MiB, 1 GiB pages). */
enum walk_result guest_walk(const struct guest_paging *p, uint64_t gla, gpa_read_fn read, void *ctx,
			    uint64_t *gpa);

/* Translates `gla` for an access of kind `access` (ACCESS_*). On WALK_OK sets *gpa and the
 * accessed (and for writes dirty) flags; on WALK_NOT_PRESENT, WALK_RESERVED or
 * WALK_PROTECTION sets *pf_error to the error code of the #PF the CPU would raise. */
enum walk_result guest_translate(const struct guest_paging *p, uint64_t gla, unsigned access,
				 const struct walk_mem *mem, uint64_t *gpa, uint32_t *pf_error);

/* Copies up to `n` bytes starting at linear `gla`, page by page; returns how many were
 * fetched, stopping at the first page that does not translate or read. */
size_t guest_fetch(const struct guest_paging *p, uint64_t gla, uint8_t *dst, size_t n,
		   gpa_read_fn read, void *ctx);
