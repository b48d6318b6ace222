/* Descriptor tables: a GDT with random descriptors, loads of random selectors into every data
 * segment register, LTR/LLDT/LAR/LSL/VERR/VERW; an IDT whose gates 32-255 are random (not
 * present, reserved types, bad selectors, 16- and 32-bit gates), used by INT n and by the
 * interrupts that arrive meanwhile. Vectors 0-31 stay intact so that every fault is caught;
 * task gates stay out (a task switch is a final operation). */
#include "guests/lib/desc.h"
#include "guests/chaos/chaos.h"
#include "guests/lib/trap.h"
#include "guests/lib/x86.h"

#define GATE_TYPE_SHIFT 40
#define GATE_P		(1ull << 47)
#define GATE_DPL_SHIFT	45
#define TYPE_TASK	5u

struct __attribute__((packed)) desc_ptr {
	u16 limit;
	u32 base;
};

static u64 bad_idt[256] __attribute__((aligned(8)));
static u32 saved_esp;

/* A 16-bit gate pushes a 16-bit return address and jumps to a 16-bit offset: whatever runs
 * while the random IDT is loaded runs below 64 KiB, from these copies. */
static const u8 low_iret16[] = {0x66, 0xcf};	  /* IRETW */
static const u8 low_int_n[] = {0xcd, 0x00, 0xc3}; /* INT n (patched); RET */
static const u8 low_window[] = {0xfb, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90,
				0x90, 0x90, 0x90, 0x90, 0x90, 0xfa, 0xc3}; /* STI; NOPs; CLI; RET */

static void low_copy(u32 at, const u8 *code, u32 n)
{
	for (u32 i = 0; i < n; i++)
		((volatile u8 *)at)[i] = code[i];
}

extern const u8 iret32_stub[];
__asm__(".text\n"
	"iret32_stub:\n\t"
	"iretl\n");

static u64 random_descriptor(void)
{
	if (rnd_chance(40))
		return rnd64();
	u64 base = rnd_chance(50) ? 0 : rnd() & 0xffffff00u, limit = rnd() & 0xfffff;
	u64 access = (rnd() & 0x7f) | (rnd_chance(80) ? 0x80 : 0); /* type, S, DPL; P mostly */
	u64 flags = rnd() & 0xd;				   /* G, D/B, AVL */
	return (limit & 0xffff) | (base & 0xffffff) << 16 | access << 40 | (limit >> 16) << 48 |
	       flags << 52 | (base >> 24) << 56;
}

static u16 random_selector(void)
{
	if (rnd_chance(70))
		return (u16)(rnd_below(CHAOS_GDT_ENTRIES + 2) * 8 |
			     rnd_below(8)); /* TI and RPL too */
	return (u16)rnd();
}

#define LOAD_SEG_TRY(seg, sel)                                                                     \
	__asm__ volatile(TRAP_TRY("mov %0, %%" seg) : : "r"((u32)(sel)) : "memory")

void op_gdt(void)
{
	for (u32 i = 3; i < CHAOS_GDT_ENTRIES; i++)
		chaos_gdt[i] = random_descriptor();
	u16 sels[6];
	for (int i = 0; i < 6; i++)
		sels[i] = random_selector();
	trace("gdt: fs 0x%x gs 0x%x ds/es/ss 0x%x ltr 0x%x lldt 0x%x", sels[0], sels[1], sels[2],
	      sels[3], sels[4]);
	LOAD_SEG_TRY("fs", sels[0]);
	faulted();
	LOAD_SEG_TRY("gs", sels[1]);
	faulted();
	/* DS, ES and SS are ours: each random load is undone by the very next instruction. */
	__asm__ volatile(TRAP_TRY("mov %0, %%ds\n\tmov %1, %%ds")
			 :
			 : "r"((u32)sels[2]), "r"(SEL_DATA32)
			 : "memory");
	faulted();
	__asm__ volatile(TRAP_TRY("mov %0, %%es\n\tmov %1, %%es")
			 :
			 : "r"((u32)sels[2]), "r"(SEL_DATA32)
			 : "memory");
	faulted();
	__asm__ volatile(TRAP_TRY("mov %0, %%ss\n\tmov %1, %%ss")
			 :
			 : "r"((u32)sels[2]), "r"(SEL_DATA32)
			 : "memory");
	faulted();
	__asm__ volatile(TRAP_TRY("ltr %w0") : : "r"((u32)sels[3]) : "memory");
	faulted();
	__asm__ volatile(TRAP_TRY("lldt %w0") : : "r"((u32)sels[4]) : "memory");
	faulted();
	u32 out = 0;
	__asm__ volatile(TRAP_TRY("lar %w1, %0\n\tlsl %w1, %0\n\tverr %w1\n\tverw %w1")
			 : "+r"(out)
			 : "r"((u32)sels[5])
			 : "memory", "cc");
	faulted();
	desc_restore();
}

static u64 random_gate(void)
{
	static const u16 selectors[] = {SEL_CODE32, SEL_CODE32, 0, SEL_DATA32, 0x7ff8};
	u32 type = rnd_below(16), dpl = rnd_below(4);
	bool present = rnd_chance(80) && type != TYPE_TASK;
	u32 handler = (type == 6 || type == 7) ? LOW_IRET16 : (u32)iret32_stub;
	u32 sel = (u32)selectors[rnd_below(COUNT(selectors))] | rnd_below(4);
	return (handler & 0xffffu) | (u64)sel << 16 | (u64)type << GATE_TYPE_SHIFT |
	       (u64)dpl << GATE_DPL_SHIFT | (present ? GATE_P : 0) | (u64)(handler >> 16) << 48;
}

void op_idt(void)
{
	const u64 *idt = (const u64 *)chaos_idt_base;
	low_copy(LOW_IRET16, low_iret16, sizeof low_iret16);
	low_copy(LOW_INT_N, low_int_n, sizeof low_int_n);
	low_copy(LOW_WINDOW, low_window, sizeof low_window);
	for (u32 v = 0; v < 256; v++)
		bad_idt[v] = v < 32 ? idt[v] : random_gate();
	struct desc_ptr p = {(u16)(0xff + rnd_below(0x700)), (u32)bad_idt};
	u32 n = 1 + rnd_below(8);
	trace("idt limit 0x%x, %u INTs", p.limit, n);
	__asm__ volatile("lidt %0" : : "m"(p) : "memory");
	for (u32 i = 0; i < n; i++) {
		((volatile u8 *)LOW_INT_N)[1] = (u8)(32 + rnd_below(224));
		__asm__ volatile("mov %%esp, %0\n\t" TRAP_TRY("call *%1") "mov %0, %%esp"
				 : "+m"(saved_esp)
				 : "r"(LOW_INT_N)
				 : "memory");
		faulted();
	}
	/* Interrupts made pending earlier go through the random gates now. */
	__asm__ volatile("mov %%esp, %0\n\t" TRAP_TRY("call *%1") "mov %0, %%esp"
			 : "+m"(saved_esp)
			 : "r"(LOW_WINDOW)
			 : "memory");
	faulted();
	desc_restore();
}
