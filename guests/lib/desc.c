#include "guests/lib/desc.h"
#include "guests/lib/types.h"

/* Segment descriptor: base 0, limit 0xfffff in 4 KiB units (G=1), D/B=1 (32-bit). */
#define SEG_FLAT32(access) (0x00cf000000000000ull | 0xffffull | ((u64)(access) << 40))
#define SEG_ACCESS_CODE	   0x9a /* present, DPL 0, code, execute/read */
#define SEG_ACCESS_DATA	   0x92 /* present, DPL 0, data, read/write */
/* Code segment for IA-32e mode: L=1, D=0 (base and limit are ignored). */
#define SEG_CODE64 (0x00af000000000000ull | 0xffffull | ((u64)SEG_ACCESS_CODE << 40))

#define GATE_INTR32 0x8e /* present, DPL 0, 32-bit interrupt gate: IF cleared on entry */

struct __attribute__((packed)) desc_ptr {
	u16 limit;
	u32 base;
};

extern const char isr_stubs[]; /* isr.S: IDT_VECTORS stubs, ISR_STUB_SIZE bytes apart */

static const u64 gdt[] = {
    [0] = 0, /* the null descriptor */
    [SEL_CODE32 / 8] = SEG_FLAT32(SEG_ACCESS_CODE),
    [SEL_DATA32 / 8] = SEG_FLAT32(SEG_ACCESS_DATA),
    [SEL_CODE64 / 8] = SEG_CODE64,
};

static u64 idt[IDT_VECTORS];

static u64 intr_gate(u32 handler)
{
	return (handler & 0xffffu) | ((u64)SEL_CODE32 << 16) | ((u64)GATE_INTR32 << 40) |
	       ((u64)(handler & 0xffff0000u) << 32);
}

static void gdt_load(void)
{
	struct desc_ptr p = {sizeof(gdt) - 1, (u32)gdt};

	__asm__ volatile("lgdt %0\n\t"
			 "ljmp %1, $1f\n"
			 "1:\n\t"
			 "mov %2, %%ds\n\t"
			 "mov %2, %%es\n\t"
			 "mov %2, %%fs\n\t"
			 "mov %2, %%gs\n\t"
			 "mov %2, %%ss"
			 :
			 : "m"(p), "i"(SEL_CODE32), "r"(SEL_DATA32)
			 : "memory");
}

static void idt_load(const void *base, u16 limit)
{
	struct desc_ptr p = {limit, (u32)base};

	__asm__ volatile("lidt %0" : : "m"(p) : "memory");
}

void desc_init(void)
{
	gdt_load();
	for (u32 v = 0; v < IDT_VECTORS; v++)
		idt[v] = intr_gate((u32)isr_stubs + v * ISR_STUB_SIZE);
	idt_load(idt, sizeof(idt) - 1);
}

void desc_load(void)
{
	gdt_load();
	idt_load(idt, sizeof(idt) - 1);
}

void idt_load_empty(void)
{
	idt_load(NULL, 0);
}
