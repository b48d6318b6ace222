/* Accesses that straddle a RAM page and the test device page: 32-bit paging maps a RAM page,
 * the device and another RAM page at consecutive linear pages, and loads, stores and an ADD
 * cross each boundary at every split. mhv must send every byte where it lives: the RAM
 * bytes read back through the identity map, the device bytes through the register model. */
#include "guests/chaos/chaos.h"
#include "guests/lib/exit.h"
#include "guests/lib/printf.h"
#include "guests/lib/x86.h"
#include "kernel/guest_abi.h"

#define PTE_P	  (1u << 0)
#define PTE_RW	  (1u << 1)
#define PDE_PS	  (1u << 7) /* a 4 MiB page (CR4.PSE) */
#define WINDOW_VA 0x80000000u

static u32 pd[1024] __attribute__((aligned(4096)));
static u32 pt[1024] __attribute__((aligned(4096)));
static u8 ram[2][PAGE_SIZE] __attribute__((aligned(4096)));

static void map_window(void)
{
	for (u32 i = 0; i < 1024; i++)
		pd[i] = i << 22 | PDE_PS | PTE_RW | PTE_P;
	pd[WINDOW_VA >> 22] = (u32)pt | PTE_RW | PTE_P;
	pt[0] = (u32)ram[0] | PTE_RW | PTE_P;
	pt[1] = MHV_TESTDEV_GPA | PTE_RW | PTE_P;
	pt[2] = (u32)ram[1] | PTE_RW | PTE_P;
}

/* The byte at window offset `w` as RAM or the model holds it. */
static u8 expected_byte(u32 w)
{
	if (w < PAGE_SIZE)
		return ram[0][w];
	if (w < 2 * PAGE_SIZE)
		return (u8)testdev_model_read(w - PAGE_SIZE, 1);
	return ram[1][w - 2 * PAGE_SIZE];
}

static u32 expected(u32 w, u32 size)
{
	u32 v = 0;
	for (u32 i = 0; i < size; i++)
		v |= (u32)expected_byte(w + i) << (8 * i);
	return v;
}

/* After a store through the window: the model learns the device bytes. */
static void stored(u32 w, u32 size, u32 v)
{
	for (u32 i = 0; i < size; i++)
		if (w + i >= PAGE_SIZE && w + i < 2 * PAGE_SIZE)
			testdev_model_write(w + i - PAGE_SIZE, 1, v >> (8 * i));
}

static void check(const char *what, u32 w, u32 size, u32 got)
{
	u32 want = expected(w, size);
	if (got == want)
		return;
	printf("chaos: seed %u: FAIL: op %u: straddling %s of %u bytes at window offset 0x%x: "
	       "0x%x, expected 0x%x\n",
	       env.seed, env.op_index, what, size, w, got, want);
	guest_exit(EXIT_FAIL);
}

static void straddle_once(void)
{
	bool second = rnd_chance(50); /* device then RAM, rather than RAM then device */
	u32 size = rnd_chance(30) ? 2 : 4, split = 1 + rnd_below(size - 1);
	u32 w = (second ? 2 * PAGE_SIZE : PAGE_SIZE) - split, v = rnd();
	u32 va = WINDOW_VA + w, got;
	trace("straddle %u+%u bytes at window offset 0x%x", split, size - split, w);
	switch (rnd_below(3)) {
	case 0:
		if (size == 2)
			__asm__ volatile("movw %w0, (%1)" : : "r"(v), "r"(va) : "memory");
		else
			__asm__ volatile("movl %0, (%1)" : : "r"(v), "r"(va) : "memory");
		for (u32 i = 0; i < size; i++)
			if (w + i < PAGE_SIZE || w + i >= 2 * PAGE_SIZE) {
				u32 r = w + i < PAGE_SIZE ? 0 : 1,
				    o = r ? w + i - 2 * PAGE_SIZE : w + i;
				if (ram[r][o] != (u8)(v >> (8 * i))) {
					printf("chaos: seed %u: FAIL: op %u: straddling store left "
					       "RAM "
					       "byte %u at 0x%x, wrote 0x%x\n",
					       env.seed, env.op_index, i, ram[r][o],
					       (u8)(v >> (8 * i)));
					guest_exit(EXIT_FAIL);
				}
			}
		stored(w, size, v);
		break;
	case 1:
		if (size == 2)
			__asm__ volatile("movzwl (%1), %0" : "=r"(got) : "r"(va) : "memory");
		else
			__asm__ volatile("movl (%1), %0" : "=r"(got) : "r"(va) : "memory");
		check("load", w, size, got);
		break;
	default: {
		u32 want = expected(w, 4) + v;
		__asm__ volatile("addl %0, (%1)" : : "r"(v), "r"(va) : "memory", "cc");
		__asm__ volatile("movl (%1), %0" : "=r"(got) : "r"(va) : "memory");
		if (got != want) {
			printf("chaos: seed %u: FAIL: op %u: straddling add at window offset 0x%x "
			       "left "
			       "0x%x, expected 0x%x\n",
			       env.seed, env.op_index, w, got, want);
			guest_exit(EXIT_FAIL);
		}
		stored(w, 4, got);
		break;
	}
	}
}

void op_mmio_straddle(void)
{
	u32 cr0 = read_cr0(), cr4 = read_cr4(), cr3;
	__asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
	map_window();
	write_cr4((cr4 & ~(1u << 5)) | CR4_PSE); /* no PAE: 32-bit paging */
	write_cr3((u32)pd);
	write_cr0(cr0 | CR0_PG);
	u32 n = 1 + rnd_below(6);
	for (u32 i = 0; i < n; i++)
		straddle_once();
	write_cr0(cr0);
	write_cr3(cr3);
	write_cr4(cr4);
}
