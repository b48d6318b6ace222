/* Extended page tables (Intel SDM vol. 3C ch. 29): one VM's guest-physical to host-physical map.
 * 4-level tables, 2 MiB leaves where alignment allows, 4 KiB leaves otherwise; write-back memory.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#define EPT_R	1u /* read allowed */
#define EPT_W	2u /* write allowed (needs EPT_R: write-only is a misconfiguration) */
#define EPT_X	4u /* supervisor instruction fetch allowed */
#define EPT_RWX 7u

#define EPT_GPA_LIMIT (1ull << 48) /* a 4-level walk translates 48 guest-physical bits */

/* PDEs may map 2 MiB pages (IA32_VMX_EPT_VPID_CAP bit 16); set by VMX init. When false every
 * leaf is 4 KiB. */
extern bool ept_large_pages;

struct ept {
	uint64_t pml4_pa;      /* 0 when not set up */
	uint64_t table_frames; /* paging-structure frames held, the PML4 included */
};

struct ept_mapping {
	uint64_t hpa;	    /* host-physical address of the queried byte, not of its page */
	unsigned prot;	    /* EPT_R | EPT_W | EPT_X */
	uint64_t page_size; /* 4 KiB or 2 MiB */
};

/* False if no frame is left for the PML4. */
bool ept_init(struct ept *ept);
/* Maps [gpa, gpa + size) to [hpa, hpa + size), write-back, replacing what was mapped there (a
 * 2 MiB page only partly remapped is split into 4 KiB pages). 2 MiB leaves wherever gpa and hpa
 * are both 2 MiB aligned and at least 2 MiB remain. False on running out of frames (the tables
 * then hold a consistent mix of old and new entries) or on bad arguments: addresses or size not
 * 4 KiB aligned, range beyond EPT_GPA_LIMIT, prot 0, outside EPT_RWX or write without read. */
bool ept_map(struct ept *ept, uint64_t gpa, uint64_t hpa, uint64_t size, unsigned prot);
/* Removes [gpa, gpa + size); unmapped parts are skipped. Splitting a 2 MiB page that is only
 * partly removed needs a frame: false when none is left. Emptied tables are returned. */
bool ept_unmap(struct ept *ept, uint64_t gpa, uint64_t size);
/* False if gpa is not mapped. */
bool ept_query(const struct ept *ept, uint64_t gpa, struct ept_mapping *out);
/* The VMCS EPT pointer: write-back paging structures, 4-level walk, accessed/dirty flags off. */
uint64_t ept_eptp(const struct ept *ept);
/* Returns every table frame (flushing first if anything is still mapped); the memory the tables
 * mapped is the owner's to free. */
void ept_destroy(struct ept *ept);
