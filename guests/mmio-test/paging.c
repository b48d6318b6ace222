/* 32-bit paging with CR4.PSE: 4 KiB pages for the first 4 MiB (the image, so single pages
 * can be opened to user mode), 4 MiB pages for the rest of RAM and for the test device's
 * region, all identity-mapped for the supervisor; and the window of tests.h. */
#include "guests/lib/x86.h"
#include "guests/mmio-test/tests.h"

#define PDE_PS		 (1u << 7) /* 4 MiB page */
#define PDE_SHIFT	 22
#define PTE_SHIFT	 12
#define ENTRIES		 1024
#define RAM_MIB		 16 /* run with mem=16 */
#define LARGE_PAGE	 (1u << PDE_SHIFT)
#define WINDOW_RAM_PAGES 10

static u32 page_dir[ENTRIES] __attribute__((aligned(PAGE_SIZE)));
static u32 low_table[ENTRIES] __attribute__((aligned(PAGE_SIZE)));
static u32 window_table[ENTRIES] __attribute__((aligned(PAGE_SIZE)));
static u8 window_pages[WINDOW_RAM_PAGES][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

static void invlpg(u32 lin)
{
	__asm__ volatile("invlpg (%0)" : : "r"(lin) : "memory");
}

void window_map(u32 lin, u32 phys, u32 flags)
{
	window_table[(lin - WINDOW) >> PTE_SHIFT] = flags ? phys | flags : 0;
	invlpg(lin);
}

u8 *window_ram(u32 lin)
{
	return window_pages[(lin - WINDOW) >> PTE_SHIFT];
}

void identity_allow_user(const void *start, const void *end)
{
	for (u32 a = (u32)start & ~(PAGE_SIZE - 1); a < (u32)end; a += PAGE_SIZE) {
		low_table[a >> PTE_SHIFT] |= PTE_US;
		invlpg(a);
	}
}

void scratch_set(volatile u32 *reg, u64 v)
{
	reg[0] = (u32)v;
	reg[1] = (u32)(v >> 32);
}

u64 scratch_get(volatile u32 *reg)
{
	return reg[0] | (u64)reg[1] << 32;
}

void paging_init(void)
{
	for (u32 i = 0; i < ENTRIES; i++)
		low_table[i] = (i << PTE_SHIFT) | PTE_RW | PTE_P;
	page_dir[0] = (u32)low_table | PTE_US | PTE_RW | PTE_P;
	for (u32 i = 1; i < RAM_MIB / 4; i++)
		page_dir[i] = (i << PDE_SHIFT) | PDE_PS | PTE_RW | PTE_P;
	u32 dev = MHV_TESTDEV_GPA & ~(LARGE_PAGE - 1);
	page_dir[dev >> PDE_SHIFT] = dev | PDE_PS | PTE_RW | PTE_P;
	page_dir[WINDOW >> PDE_SHIFT] = (u32)window_table | PTE_US | PTE_RW | PTE_P;

	window_map(WIN_RAM_A, (u32)window_ram(WIN_RAM_A), PTE_RW | PTE_P);
	window_map(WIN_DEV, MHV_TESTDEV_GPA, PTE_RW | PTE_P);
	window_map(WIN_RAM_B, (u32)window_ram(WIN_RAM_B), PTE_RW | PTE_P);
	window_map(WIN_DEV2, MHV_TESTDEV_GPA, PTE_RW | PTE_P);
	window_map(WIN_DEV3, MHV_TESTDEV_GPA, PTE_RW | PTE_P);
	window_map(WIN_RAM_C, (u32)window_ram(WIN_RAM_C), PTE_RW | PTE_P);
	window_map(WIN_RO, (u32)window_ram(WIN_RO), PTE_P);
	window_map(WIN_USER, (u32)window_ram(WIN_USER), PTE_US | PTE_RW | PTE_P);
	window_map(WIN_SUPER, (u32)window_ram(WIN_SUPER), PTE_RW | PTE_P);

	write_cr3((u32)page_dir);
	write_cr4(read_cr4() | CR4_PSE);
	write_cr0(read_cr0() | CR0_PG | CR0_WP);
}
