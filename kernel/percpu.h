/* Per-CPU state: descriptor tables, stacks, and the VMX and scheduler state of each physical
 * CPU. Each CPU's GS base points at its struct cpu (and the VMCS host GS base too, so it
 * survives VM exits): this_cpu() is one load. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#define MAX_CPUS 8

#define GDT_KERNEL_CS 0x08
#define GDT_KERNEL_DS 0x10
#define GDT_TSS       0x18 /* 16-byte system descriptor: entries 3 and 4 */
#define GDT_ENTRIES   5

/* #DF, NMI and #MC each run on a stack of their own (TSS IST slots 1-3): an NMI or #MC can
 * arrive while another of them runs, and must not overwrite its frame. */
#define IST_DOUBLE_FAULT  1
#define IST_NMI           2
#define IST_MACHINE_CHECK 3
#define IST_COUNT         3
#define IST_STACK_SIZE    4096

struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct tss64) == 104, "64-bit TSS is 104 bytes");

struct cpu {
	struct cpu *self;         /* first: this_cpu() reads %gs:0 */
	unsigned id;              /* index in cpus[]: 0 is the boot CPU */
	uint32_t apic_id;
	volatile bool online;     /* set by the CPU itself once it runs C code */
	uint64_t gdt[GDT_ENTRIES];
	struct tss64 tss;
	uint8_t ist_stack[IST_COUNT][IST_STACK_SIZE] __attribute__((aligned(16)));
	uint64_t nmis;            /* host NMIs seen, counted without locks (reported later) */
	uint64_t machine_checks;  /* machine checks taken while a guest ran */
	uint64_t vmxon_pa;        /* VMXON region, 0 when VMX is off */
	void *current_vcpu;       /* the vCPU this CPU runs, for the exit path */
	volatile bool parked;     /* out of VMX operation and halted for good (kernel/end.h) */
};

extern struct cpu cpus[MAX_CPUS];

extern unsigned ncpus_online;

static inline struct cpu *this_cpu(void)
{
	struct cpu *c;
	__asm__("movq %%gs:0, %0" : "=r"(c));
	return c;
}

/* Points GS at c (before anything calls this_cpu() on that CPU). */
void cpu_set_self(struct cpu *c);
void cpu_tables_init(struct cpu *c);
