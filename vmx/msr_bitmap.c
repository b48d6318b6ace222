#include "vmx/msr_bitmap.h"
#include "kernel/kstring.h"
#include "kernel/mem.h"

#define BITMAP_READ_LOW  0    /* byte offset: reads of MSRs 0x0-0x1fff */
#define BITMAP_WRITE_LOW 2048 /* byte offset: writes of MSRs 0x0-0x1fff */

#define X2APIC_TPR      0x808
#define X2APIC_EOI      0x80b
#define X2APIC_SELF_IPI 0x83f

/* x2APIC registers whose RDMSR the CPU serves from the virtual-APIC page (SDM vol. 3C
 * "Virtualizing MSR-Based APIC Accesses"). The current count (0x839) is computed by the
 * model, and registers that do not exist or are write-only must #GP: those exit. */
static const uint16_t x2apic_virtual_reads[][2] = {
	{0x802, 0x803}, /* ID, version */
	{0x808, 0x808}, /* TPR */
	{0x80a, 0x80a}, /* PPR */
	{0x80d, 0x80d}, /* LDR */
	{0x80f, 0x80f}, /* SVR */
	{0x810, 0x828}, /* ISR, TMR, IRR, ESR */
	{0x830, 0x830}, /* ICR */
	{0x832, 0x838}, /* LVT timer .. error, initial count */
	{0x83e, 0x83e}, /* divide configuration */
};

static uint64_t all_exit_pa, x2apic_pa;

static uint64_t page_all_ones(void)
{
	uint64_t pa = frame_alloc();
	if (pa == FRAME_NONE)
		return 0;
	memset(phys_to_virt(pa), 0xff, PAGE_SIZE);
	return pa;
}

static void pass(uint8_t *bitmap, unsigned offset, unsigned msr)
{
	bitmap[offset + msr / 8] &= (uint8_t)~(1u << (msr % 8));
}

uint64_t msr_bitmap_all_exit(void)
{
	if (!all_exit_pa)
		all_exit_pa = page_all_ones();
	return all_exit_pa;
}

uint64_t msr_bitmap_x2apic(void)
{
	if (x2apic_pa)
		return x2apic_pa;
	uint64_t pa = page_all_ones();
	if (!pa)
		return msr_bitmap_all_exit();
	uint8_t *b = phys_to_virt(pa);
	for (unsigned i = 0; i < sizeof x2apic_virtual_reads / sizeof x2apic_virtual_reads[0]; i++)
		for (unsigned m = x2apic_virtual_reads[i][0]; m <= x2apic_virtual_reads[i][1]; m++)
			pass(b, BITMAP_READ_LOW, m);
	pass(b, BITMAP_WRITE_LOW, X2APIC_TPR);
	pass(b, BITMAP_WRITE_LOW, X2APIC_EOI);
	pass(b, BITMAP_WRITE_LOW, X2APIC_SELF_IPI);
	x2apic_pa = pa;
	return pa;
}
