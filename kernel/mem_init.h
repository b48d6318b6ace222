/* Building the page tables and the frame allocator from the boot loader's memory map. */
#pragma once
#include "kernel/mb2.h"
#include <stdint.h>

/* Maps every range of the memory map (RAM write-back, the rest of the first 4 GiB uncached),
 * switches to those tables, and frees the usable RAM except what must stay untouched: the
 * first 1 MiB, the hypervisor image, the MBI at mbi_phys, every module and the memory the
 * tables and the allocator's bitmap took. Ranges the map reports as not usable win over
 * usable ones they overlap. */
void mem_init(const struct mb2_info *mb, uint64_t mbi_phys);
/* This CPU's PAT: entry 1 (PWT alone) becomes write-combining, for the framebuffer. */
void mem_cpu_init(void);
