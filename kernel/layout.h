/* The hypervisor's virtual address space (set up by boot/entry.S and kernel/mem.c).
 * - The kernel image is linked at KERNEL_VMA + its link address (2 MiB up) for
 *   -mcmodel=kernel; boot/entry.S maps those addresses to wherever GRUB loaded it,
 *   kernel_load_offset bytes higher.
 * - Physical memory is mapped at DIRECT_MAP_BASE + pa (phys_to_virt()): all RAM the memory
 *   map reports, write-back, at any address; the rest of the first 4 GiB uncached (device
 *   registers live there); device memory above 4 GiB only once mem_map_device() maps it.
 *   The first 512 GiB are also identity-mapped (the AP trampoline runs there). */
#pragma once

#define KERNEL_VMA       0xffffffff80000000
#define DIRECT_MAP_BASE  0xffff800000000000
#define DIRECT_MAP_LIMIT 0x0000400000000000 /* 64 TiB: PML4 slots 256..383 */
#define LOW_4G           0x100000000

#ifndef __ASSEMBLY__
#include <stdint.h>
extern uint64_t kernel_load_offset; /* load address - link address (boot/entry.S) */
#endif
