/* The MMIO emulation test guest: 32-bit paging puts RAM, the test device (kernel/guest_abi.h)
 * and holes at consecutive linear pages of a window, so instructions can straddle them. */
#pragma once
#include "guests/lib/types.h"
#include "kernel/guest_abi.h"

#define PAGE_SIZE 4096u

/* The window's pages, in linear order. */
#define WINDOW	   0x40000000u
#define WIN_RAM_A  (WINDOW + 0x0000) /* RAM ... */
#define WIN_DEV	   (WINDOW + 0x1000) /* ... then the test device ... */
#define WIN_RAM_B  (WINDOW + 0x2000) /* ... then RAM again */
#define WIN_DEV2   (WINDOW + 0x3000) /* the test device twice in a row */
#define WIN_DEV3   (WINDOW + 0x4000)
#define WIN_RAM_C  (WINDOW + 0x5000) /* RAM, then ... */
#define WIN_ABSENT (WINDOW + 0x6000) /* ... a page that is not present */
#define WIN_RO	   (WINDOW + 0x7000) /* read-only RAM */
#define WIN_USER   (WINDOW + 0x8000) /* RAM user mode may access */
#define WIN_SUPER  (WINDOW + 0x9000) /* RAM for the supervisor only */

#define PTE_P  (1u << 0) /* present */
#define PTE_RW (1u << 1) /* writable */
#define PTE_US (1u << 2) /* user */

/* The device's two scratch registers, through its identity mapping. */
#define SCRATCH	    ((volatile u32 *)(MHV_TESTDEV_GPA + MHV_TESTDEV_SCRATCH))
#define SCRATCH_END ((volatile u32 *)(MHV_TESTDEV_GPA + MHV_TESTDEV_SCRATCH_END))

#define EFLAGS_CF    (1u << 0)
#define EFLAGS_PF    (1u << 2)
#define EFLAGS_AF    (1u << 4)
#define EFLAGS_ZF    (1u << 6)
#define EFLAGS_SF    (1u << 7)
#define EFLAGS_DF    (1u << 10)
#define EFLAGS_OF    (1u << 11)
#define EFLAGS_AC    (1u << 18)
#define EFLAGS_ARITH (EFLAGS_CF | EFLAGS_PF | EFLAGS_AF | EFLAGS_ZF | EFLAGS_SF | EFLAGS_OF)

#define CR0_WP	 (1u << 16)
#define CR4_SMAP (1u << 21)

#define VEC_PF 14

/* paging.c */
void paging_init(void);
/* Points window page `lin` at `phys` (0 flags: not present) and flushes its TLB entry. */
void window_map(u32 lin, u32 phys, u32 flags);
/* The RAM page backing window page `lin`, through the identity map. */
u8 *window_ram(u32 lin);
/* Sets the user bit on the identity-mapped pages of [start, end). */
void identity_allow_user(const void *start, const void *end);
void scratch_set(volatile u32 *reg, u64 v);
u64 scratch_get(volatile u32 *reg);

/* The check groups, in the order main() runs them. */
void test_straddle(void);
void test_instructions(void);
void test_strings(void);
void test_faults(void);
void test_user_mode(void);
void test_exit_counter(void);
