/* The final operation: most seeds just exit; the others end with something mhv must stop the
 * VM for (or may emulate: an SSE load, a REP-prefixed MOV, CLFLUSH of MMIO), or a legitimate
 * way to end it (reset, ACPI power-off, INIT of the BSP, HLT with interrupts off). One summary line
 * comes first, so the log says how the seed ended. */
#include "guests/chaos/chaos.h"
#include "guests/lib/desc.h"
#include "guests/lib/exit.h"
#include "guests/lib/printf.h"
#include "guests/lib/trap.h"
#include "guests/lib/x86.h"
#include "kernel/guest_abi.h"

enum outcome {
	ENDS,	 /* ends the VM with an exit code, by design */
	STOPPED, /* mhv must stop the VM: carrying on is a failure */
	EITHER,	 /* mhv may emulate it or stop the VM */
};

#define UNMAPPED_GAP 0xfec01000u /* between the I/O APIC and the local APIC: nothing */
#define TESTDEV	     MHV_TESTDEV_GPA

static void end_exit(void)
{
	guest_exit(EXIT_PASS);
}

static void end_exit_hypercall(void)
{
	u32 ret = MHV_HC_EXIT;
	__asm__ volatile("vmcall" : "+a"(ret) : "b"(0) : "memory");
}

static void end_debug_exit_code(void)
{
	outb(MHV_DEBUG_EXIT_PORT, (u8)(1 + rnd_below(255)));
}

static void end_write_past_ram(void)
{
	*(volatile u32 *)(env.ram_bytes + rnd_below(0x100000) * 4) = rnd();
}

static void end_read_unmapped(void)
{
	static const u32 where[] = {UNMAPPED_GAP, 0xfed00000u, 0xfffff000u};
	(void)*(volatile u8 *)(rnd_pick(where, COUNT(where)) + rnd_below(PAGE_SIZE));
}

static void end_straddle(void)
{
	__asm__ volatile("movl %0, (%1)" : : "r"(0), "r"(TESTDEV + PAGE_SIZE - 2) : "memory");
}

static void end_sse_8_bytes(void)
{
	__asm__ volatile("mov %%cr4, %%eax\n\t"
			 "or $0x200, %%eax\n\t" /* OSFXSR */
			 "mov %%eax, %%cr4\n\t"
			 "movq (%0), %%xmm0"
			 :
			 : "r"(TESTDEV)
			 : "eax", "memory");
}

static void end_rep_mov(void)
{
	__asm__ volatile(".byte 0xf3\n\tmovl %0, (%1)" : : "r"(1), "r"(TESTDEV) : "memory");
}

static void end_clflush(void)
{
	__asm__ volatile("clflush (%0)" : : "r"(TESTDEV) : "memory");
}

static void end_fetch_mmio(void)
{
	static const u32 where[] = {TESTDEV, IOAPIC_BASE, LAPIC_BASE};
	u32 target = rnd_pick(where, COUNT(where));
	__asm__ volatile("call *%0" : : "r"(target) : "memory");
}

static void end_idt_in_mmio(void)
{
	struct __attribute__((packed)) {
		u16 limit;
		u32 base;
	} p = {0x7ff, TESTDEV};
	__asm__ volatile("lidt %0\n\tint $0x40" : : "m"(p) : "memory");
}

static void end_stack_in_mmio(void)
{
	__asm__ volatile("mov %%esp, %%edx\n\t"
			 "mov %0, %%esp\n\t"
			 "pushl $0\n\t"
			 "mov %%edx, %%esp"
			 :
			 : "r"(TESTDEV + 0x100)
			 : "edx", "memory");
}

static void end_page_tables_in_mmio(void)
{
	__asm__ volatile("mov %0, %%cr3\n\t"
			 "mov %%cr0, %%eax\n\t"
			 "or $0x80000000, %%eax\n\t"
			 "mov %%eax, %%cr0\n\t"
			 "nop"
			 :
			 : "r"(TESTDEV)
			 : "eax", "memory");
}

static void end_string_io_past_ram(void)
{
	u32 dst = env.ram_bytes - 2, n = 8;
	__asm__ volatile("rep insb" : "+D"(dst), "+c"(n) : "d"(0x61) : "memory");
}

/* A far jump to a TSS descriptor: a task switch, which always exits. */
static void end_task_switch(void)
{
	static u8 tss[104];
	u32 base = (u32)tss;
	chaos_gdt[3] = (sizeof tss - 1) | (u64)(base & 0xffffff) << 16 | 0x89ull << 40 |
		       (u64)(base >> 24) << 56;
	desc_restore();
	__asm__ volatile("ljmp $0x18, $0" : : : "memory");
}

static void end_triple_fault(void)
{
	idt_load_empty();
	__asm__ volatile("int3");
}

static void end_cli_hlt(void)
{
	__asm__ volatile("cli; hlt");
}

static void end_init_self(void)
{
	lapic_write(0x310, 0);
	lapic_write(0x300, 0x00004500); /* INIT, assert, physical destination 0: ourselves */
}

static void end_i8042_reset(void)
{
	outb(0x64, 0xfe);
}

static void end_acpi_off(void)
{
	outb(0x600, 5 << 2 | 1 << 5); /* SLP_TYP = S5, SLP_EN */
}

static void end_acpi_reset(void)
{
	outb(0x604, 1);
}

struct final {
	const char *name;
	void (*fn)(void);
	enum outcome outcome;
	u32 weight;
	bool one_cpu; /* with more, the APs keep the VM alive */
};

static const struct final finals[] = {
    {"exit", end_exit, ENDS, 40, false},
    {"exit hypercall", end_exit_hypercall, ENDS, 4, false},
    {"debug exit with a random code", end_debug_exit_code, ENDS, 3, false},
    {"write past the end of RAM", end_write_past_ram, STOPPED, 4, false},
    {"read where nothing is", end_read_unmapped, STOPPED, 4, false},
    {"MMIO write across the end of a device", end_straddle, STOPPED, 3, false},
    {"8-byte SSE read of MMIO", end_sse_8_bytes, EITHER, 2, false},
    {"REP-prefixed MOV to MMIO", end_rep_mov, EITHER, 1, false},
    {"CLFLUSH of MMIO", end_clflush, EITHER, 1, false},
    {"instruction fetch from MMIO", end_fetch_mmio, STOPPED, 3, false},
    {"IDT in MMIO", end_idt_in_mmio, STOPPED, 2, false},
    {"stack in MMIO", end_stack_in_mmio, STOPPED, 2, false},
    {"page tables in MMIO", end_page_tables_in_mmio, STOPPED, 2, false},
    {"string I/O past the end of RAM", end_string_io_past_ram, STOPPED, 2, false},
    {"task switch", end_task_switch, STOPPED, 2, false},
    {"triple fault", end_triple_fault, STOPPED, 2, false},
    {"HLT with interrupts off", end_cli_hlt, ENDS, 2, true},
    {"INIT of the BSP", end_init_self, ENDS, 2, false},
    {"i8042 reset", end_i8042_reset, ENDS, 2, false},
    {"ACPI power-off", end_acpi_off, ENDS, 2, false},
    {"ACPI reset register", end_acpi_reset, ENDS, 2, false},
};

static const char *const outcome_names[] = {"ends the VM", "mhv must stop the VM",
					    "mhv may emulate it or stop the VM"};

void final_op(void)
{
	u32 total = 0;
	for (u32 i = 0; i < COUNT(finals); i++)
		if (!finals[i].one_cpu || env.cpus == 1)
			total += finals[i].weight;
	u32 r = rnd_below(total);
	const struct final *f = finals;
	for (;; f++) {
		if (f->one_cpu && env.cpus > 1)
			continue;
		if (r < f->weight)
			break;
		r -= f->weight;
	}
	desc_restore();
	apic_restore();
	printf(
	    "chaos: seed %u: %u ops, %u faults taken, %u interrupts (%u storms blocked), %u NMIs, "
	    "%u debug traps, %u event faults; final op: %s (%s)\n",
	    env.seed, env.ops, stats.faults, stats.interrupts, stats.storms, stats.nmis,
	    stats.debug_traps, stats.event_faults, f->name, outcome_names[f->outcome]);
	f->fn();
	if (f->outcome == STOPPED) {
		printf("chaos: seed %u: FAIL: still running after \"%s\"\n", env.seed, f->name);
		guest_exit(EXIT_FAIL);
	}
	if (f->outcome == ENDS)
		printf("chaos: seed %u: FAIL: \"%s\" did not end the VM\n", env.seed, f->name);
	guest_exit(f->outcome == ENDS ? EXIT_FAIL : EXIT_PASS);
}
