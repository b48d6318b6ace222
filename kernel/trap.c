#include "kernel/trap.h"
#include "kernel/console.h"
#include "kernel/end.h"
#include "kernel/panic.h"
#include "kernel/percpu.h"
#include "kernel/x86.h"
#include <stdbool.h>

extern char _text_start[], _text_end[];
extern char boot_stack_bottom[], boot_stack_top[];

static irq_handler_fn irq_handlers[256];

static const char *const exception_names[32] = {
	"#DE divide error",	"#DB debug",		  "NMI",
	"#BP breakpoint",	"#OF overflow",		  "#BR bound range",
	"#UD invalid opcode",	"#NM device not available", "#DF double fault",
	"coprocessor overrun",	"#TS invalid TSS",	  "#NP segment not present",
	"#SS stack fault",	"#GP general protection", "#PF page fault",
	"reserved",		"#MF x87 error",	  "#AC alignment check",
	"#MC machine check",	"#XM SIMD error",	  "#VE virtualization",
	"#CP control protection",
};

void irq_register(unsigned vector, irq_handler_fn fn)
{
	irq_handlers[vector & 0xff] = fn;
}

static bool in_text(uint64_t addr)
{
	return addr >= (uint64_t)_text_start && addr < (uint64_t)_text_end;
}

/* Frames are trusted only while they lie on a hypervisor stack and point into .text. */
void print_backtrace(uint64_t rip, uint64_t rbp)
{
	kprintf("backtrace:\n  %016llx\n", (unsigned long long)rip);
	for (int depth = 0; depth < 16 && rbp; depth++) {
		if (rbp & 7 || rbp < (uint64_t)boot_stack_bottom || rbp >= (uint64_t)boot_stack_top - 8)
			break;
		const uint64_t *frame = (const uint64_t *)rbp;
		if (!in_text(frame[1]))
			break;
		kprintf("  %016llx\n", (unsigned long long)frame[1]);
		rbp = frame[0];
	}
}

static void dump_exception(const struct trap_frame *f)
{
	const char *name = f->vector < 32 && exception_names[f->vector] ? exception_names[f->vector]
									 : "exception";
	kprintf("mhv: exception in hypervisor: vector %llu (%s), error code 0x%llx\n",
		(unsigned long long)f->vector, name, (unsigned long long)f->error);
	kprintf("  RIP=%016llx CS=%04llx RFLAGS=%016llx RSP=%016llx SS=%04llx\n",
		(unsigned long long)f->rip, (unsigned long long)f->cs,
		(unsigned long long)f->rflags, (unsigned long long)f->rsp,
		(unsigned long long)f->ss);
	kprintf("  CR0=%016llx CR2=%016llx CR3=%016llx CR4=%016llx\n",
		(unsigned long long)read_cr0(), (unsigned long long)read_cr2(),
		(unsigned long long)read_cr3(), (unsigned long long)read_cr4());
	kprintf("  RAX=%016llx RBX=%016llx RCX=%016llx RDX=%016llx\n",
		(unsigned long long)f->rax, (unsigned long long)f->rbx,
		(unsigned long long)f->rcx, (unsigned long long)f->rdx);
	kprintf("  RSI=%016llx RDI=%016llx RBP=%016llx R8 =%016llx\n",
		(unsigned long long)f->rsi, (unsigned long long)f->rdi,
		(unsigned long long)f->rbp, (unsigned long long)f->r8);
	kprintf("  R9 =%016llx R10=%016llx R11=%016llx R12=%016llx\n",
		(unsigned long long)f->r9, (unsigned long long)f->r10,
		(unsigned long long)f->r11, (unsigned long long)f->r12);
	kprintf("  R13=%016llx R14=%016llx R15=%016llx\n", (unsigned long long)f->r13,
		(unsigned long long)f->r14, (unsigned long long)f->r15);
	print_backtrace(f->rip, f->rbp);
}

/* No lock may be taken here: the NMI may have interrupted the console's holder. mhv uses
 * no NMI source, so the count is only reported at the end of the run. */
void host_nmi(void)
{
	end_nmi_check(); /* the run is ending: another CPU asked this one to park */
	this_cpu()->nmis++;
}

extern char rdmsr_safe_at[], rdmsr_safe_done[];

bool rdmsr_safe(uint32_t msr, uint64_t *val)
{
	uint32_t lo, hi;
	uint64_t faulted = 0; /* RSI: set by trap_dispatch when the RDMSR faults */
	__asm__ volatile(".global rdmsr_safe_at\n"
			 "rdmsr_safe_at: rdmsr\n"
			 ".global rdmsr_safe_done\n"
			 "rdmsr_safe_done:"
			 : "=a"(lo), "=d"(hi), "+S"(faulted)
			 : "c"(msr));
	*val = faulted ? 0 : ((uint64_t)hi << 32) | lo;
	return !faulted;
}

void trap_dispatch(struct trap_frame *f)
{
	if (f->vector == VEC_GENERAL_PROTECTION && f->rip == (uint64_t)rdmsr_safe_at) {
		f->rip = (uint64_t)rdmsr_safe_done;
		f->rsi = 1;
		return;
	}
	if (f->vector == VEC_NMI) {
		host_nmi();
		return;
	}
	if (f->vector >= VEC_FIRST_IRQ && irq_handlers[f->vector]) {
		irq_handlers[f->vector](f);
		return;
	}
	if (f->vector >= VEC_FIRST_IRQ) {
		log_warn("unexpected interrupt vector %llu", (unsigned long long)f->vector);
		return;
	}
	console_force_unlock();
	dump_exception(f);
	hv_end(HV_STATUS_PANIC, "exception in hypervisor");
}

void host_irq_dispatch(unsigned vector)
{
	if (irq_handlers[vector & 0xff])
		irq_handlers[vector & 0xff](0);
	else
		log_warn("unexpected interrupt vector %u taken during a guest", vector);
}
