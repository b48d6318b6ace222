/* The hypervisor's virtual address space (set up by boot/entry.S, see linker.ld).
 * - The kernel image is linked at KERNEL_VMA + its physical load address (1 MiB), so
 *   -mcmodel=kernel code reaches it with 32-bit sign-extended addresses.
 * - All physical memory below DIRECT_MAP_SIZE is mapped at DIRECT_MAP_BASE (2 MiB pages);
 *   phys_to_virt() uses it. The boot identity map of the same range stays for the AP
 *   trampoline and early code. */
#pragma once

#define KERNEL_VMA      0xffffffff80000000
#define DIRECT_MAP_BASE 0xffff800000000000
#define DIRECT_MAP_SIZE 0x100000000 /* 4 GiB; frames above are not used yet */
