/* Building the frame allocator from the boot loader's memory information. */
#pragma once
#include "kernel/mb2.h"
#include <stdint.h>

/* Frees the RAM the loader reports (below DIRECT_MAP_SIZE) except what must stay untouched:
 * the first 1 MiB, the hypervisor image, the MBI at mbi_phys and every module. */
void mem_init(const struct mb2_info *mb, uint64_t mbi_phys);
