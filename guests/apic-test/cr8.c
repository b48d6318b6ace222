/* CR8, the 64-bit view of TPR[7:4]: written and read in a short visit to 64-bit mode
 * (long_mode.S) and compared with the TPR register; a vector that CR8 holds back is
 * delivered once CR8 is lowered. Under apicv=off CR8 accesses exit to mhv; with the TPR
 * shadow they stay in the guest. */
#include "guests/apic-test/tests.h"
#include "guests/lib/apic.h"
#include "guests/lib/report.h"
#include "guests/lib/x86.h"

#define PAGE_P	 0x1ull
#define PAGE_RW	 0x2ull
#define PAGE_PS	 0x80ull /* in a page directory: a 2 MiB page */
#define ENTRIES	 512
#define GIB	 4 /* the identity map covers the 32-bit space, APIC page included */
#define CR8_KEEP 0xffffffffu

u32 long_mode_cr8(u32 value);

u64 lm_pml4[ENTRIES] __attribute__((aligned(4096)));
static u64 pdpt[ENTRIES] __attribute__((aligned(4096)));
static u64 pd[GIB][ENTRIES] __attribute__((aligned(4096)));

static void build_identity_map(void)
{
	lm_pml4[0] = (u32)pdpt | PAGE_P | PAGE_RW;
	for (u32 g = 0; g < GIB; g++) {
		pdpt[g] = (u32)pd[g] | PAGE_P | PAGE_RW;
		for (u32 i = 0; i < ENTRIES; i++)
			pd[g][i] = ((u64)g << 30) + ((u64)i << 21) + (PAGE_P | PAGE_RW | PAGE_PS);
	}
}

void test_cr8(void)
{
	build_identity_map();
	cli();
	u32 cr8 = long_mode_cr8(5);
	u32 tpr = apic_read(APIC_TPR);
	report(cr8 == 5 && tpr == 0x50, "cr8: 64-bit MOV to CR8 5 reads back %u, TPR 0x%x", cr8,
	       tpr);
	apic_write(APIC_TPR, 0x7a);
	cr8 = long_mode_cr8(CR8_KEEP);
	report(cr8 == 7, "cr8: TPR 0x7a reads as CR8 %u", cr8);

	intr_log_reset();
	long_mode_cr8(0xf);
	self_ipi(0x50);
	let_interrupts_in(1);
	u32 held = intr_count;
	cr8 = long_mode_cr8(0);
	tpr = apic_read(APIC_TPR);
	let_interrupts_in(1);
	report(held == 0 && cr8 == 0 && tpr == 0 && intr_count == 1,
	       "cr8: CR8 15 holds vector 0x50 back, CR8 0 lets it in (%u, then %u interrupts)",
	       held, intr_count);
}
