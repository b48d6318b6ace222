/* GDT, TSS and IDT. The GDT and TSS are per CPU because VMX host state names this CPU's TR
 * and GDTR; the IDT is shared. */
#include "kernel/percpu.h"
#include "kernel/kstring.h"
#include "kernel/trap.h"
#include "vmx/vmcs_setup.h"

struct cpu cpus[MAX_CPUS];

#define SEG_CODE64 0x00af9a000000ffffull /* present, DPL0, execute/read, L=1 */
#define SEG_DATA   0x00cf92000000ffffull /* present, DPL0, read/write, 4 GiB */
#define SEG_TSS_AVAILABLE 0x89ull        /* present, 64-bit TSS (available) */

#define IDT_GATE_INTERRUPT 0x8e /* present, DPL0, 64-bit interrupt gate (IF cleared) */

struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct idt_gate) == 16, "64-bit IDT gate is 16 bytes");

struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

static struct idt_gate idt[256] __attribute__((aligned(16)));
extern const uint64_t isr_stub_table[256];

static void idt_build(void)
{
	for (int v = 0; v < 256; v++) {
		uint64_t off = isr_stub_table[v];
		uint8_t ist = v == VEC_DOUBLE_FAULT	 ? IST_DOUBLE_FAULT
			      : v == VEC_NMI		 ? IST_NMI
			      : v == VEC_MACHINE_CHECK ? IST_MACHINE_CHECK
						 : 0;
		idt[v] = (struct idt_gate){
			.offset_lo = (uint16_t)off,
			.selector = GDT_KERNEL_CS,
			.ist = ist,
			.type_attr = IDT_GATE_INTERRUPT,
			.offset_mid = (uint16_t)(off >> 16),
			.offset_hi = (uint32_t)(off >> 32),
		};
	}
}

#define MSR_GS_BASE 0xc0000101

unsigned ncpus_online = 1;

void cpu_set_self(struct cpu *c)
{
	c->self = c;
	wrmsr(MSR_GS_BASE, (uint64_t)c);
}

void cpu_tables_init(struct cpu *c)
{
	uint64_t tss = (uint64_t)&c->tss;
	memset(&c->tss, 0, sizeof c->tss);
	for (unsigned i = 0; i < IST_COUNT; i++)
		c->tss.ist[i] = (uint64_t)(c->ist_stack[i] + IST_STACK_SIZE);
	c->tss.iomap_base = sizeof c->tss; /* no I/O permission bitmap */

	c->gdt[0] = 0;
	c->gdt[1] = SEG_CODE64;
	c->gdt[2] = SEG_DATA;
	c->gdt[3] = (sizeof c->tss - 1) | ((tss & 0xffffff) << 16) | (SEG_TSS_AVAILABLE << 40) |
		    ((tss >> 24) & 0xff) << 56;
	c->gdt[4] = tss >> 32;

	if (c->id == 0)
		idt_build();

	struct desc_ptr gdtr = {sizeof c->gdt - 1, (uint64_t)c->gdt};
	struct desc_ptr idtr = {sizeof idt - 1, (uint64_t)idt};
	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movw %w2, %%ds\n\t"
			 "movw %w2, %%es\n\t"
			 "movw %w2, %%ss\n\t"
			 "ltr %w3\n\t"
			 "lidt %4"
			 :
			 : "m"(gdtr), "i"(GDT_KERNEL_CS), "r"(GDT_KERNEL_DS), "r"(GDT_TSS), "m"(idtr)
			 : "rax", "memory");
}

uint64_t host_idt_base(void)
{
	return (uint64_t)idt;
}
