/* Every vector has a handler: the operations provoke interrupts on random vectors (APIC, 8259
 * with a random vector base, the hypercall timer), NMIs and debug traps, and corrupt the IDT
 * so that event delivery itself faults. None of that may end the guest. */
#include "guests/chaos/chaos.h"
#include "guests/lib/exit.h"
#include "guests/lib/pic.h"
#include "guests/lib/printf.h"
#include "guests/lib/trap.h"
#include "guests/lib/x86.h"
#include <stdarg.h>

#define VEC_DB	   1
#define VEC_NMI	   2
#define ERR_EXT	   (1u << 0) /* error code: the fault hit while delivering an external event */
#define X2APIC_EOI 0x80b
#define LAPIC_EOI  0xb0
/* A fault outside any TRAP_TRY returns to the faulting instruction; if that repeats this many
 * times in a row, it is no interrupt but a real fault the guest did not expect. */
#define RUNAWAY_REPEATS 10000
/* Interrupts in one operation before we block them all: a source faster than our handler
 * (the 200 us floor of a periodic timer is 800 instructions in Bochs, less than one round
 * trip through mhv) would otherwise keep us in the handler for ever. */
#define STORM_INTERRUPTS 64
#define X2APIC_TPR	 0x808
#define LAPIC_TPR	 0x80
#define X2APIC_LVT_TIMER 0x832
#define LAPIC_LVT_TIMER	 0x320
#define LVT_MASKED	 (1u << 16)

struct chaos_env env;
struct chaos_stats stats;
volatile bool apic_in_x2apic_mode;

static u32 last_eip, last_vector, repeats, op_interrupts;

void storm_reset(void)
{
	op_interrupts = 0;
}

/* TPR 15 holds back every APIC interrupt; the next APIC restore lowers it again. The timer
 * is masked too: at its 200 us floor a periodic one still costs an exit per period, which in
 * Bochs leaves the guest no time to run. The 8259s
 * are initialized afresh with every input masked: a random port write may have left one half
 * way through its initialization sequence, where a mask write would be taken as an ICW. */
static void storm_break(void)
{
	if (apic_in_x2apic_mode) {
		wrmsr(X2APIC_TPR, 0xff);
		wrmsr(X2APIC_LVT_TIMER, LVT_MASKED);
	} else {
		*(volatile u32 *)(LAPIC_BASE + LAPIC_TPR) = 0xff;
		*(volatile u32 *)(LAPIC_BASE + LAPIC_LVT_TIMER) = LVT_MASKED;
	}
	pic_init(PIC_MASK_ALL);
	stats.storms++;
}

bool faulted(void)
{
	if (trap_caught_vector == TRAP_NONE)
		return false;
	stats.faults++;
	return true;
}

void trace(const char *fmt, ...)
{
	char line[PRINTF_MAX - 32];
	va_list ap;

	if (!env.trace)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	printf("chaos: op %u: %s\n", env.op_index, line);
}

/* The interrupt may have come from the local APIC or from the 8259 (through LINT0): both get
 * an EOI; a spare non-specific EOI does nothing. */
static void end_of_interrupt(void)
{
	if (apic_in_x2apic_mode)
		wrmsr(X2APIC_EOI, 0);
	else
		*(volatile u32 *)(LAPIC_BASE + LAPIC_EOI) = 0;
	outb(PIC2_CMD, PIC_OCW2_EOI);
	outb(PIC1_CMD, PIC_OCW2_EOI);
}

static void runaway_check(const struct trap_frame *f)
{
	if (f->eip != last_eip || f->vector != last_vector) {
		last_eip = f->eip;
		last_vector = f->vector;
		repeats = 0;
		return;
	}
	if (++repeats < RUNAWAY_REPEATS)
		return;
	printf("chaos: seed %u: FAIL: unexpected exception %u at 0x%08x (error 0x%x) in op %u\n",
	       env.seed, f->vector, f->eip, f->error_code, env.op_index);
	guest_exit(EXIT_EXCEPTION);
}

static void on_trap(struct trap_frame *f)
{
	if (f->vector == VEC_NMI) {
		stats.nmis++;
		return;
	}
	if (f->vector == VEC_DB) {
		/* A breakpoint an operation armed (or an interrupt on vector 1): disarm them all
		 * and resume past an instruction breakpoint. */
		__asm__ volatile("mov %0, %%dr7" : : "r"(0u));
		f->eflags |= RFLAGS_RF;
		stats.debug_traps++;
		return;
	}
	if (f->vector < 32 && (f->error_code & ERR_EXT)) {
		/* Delivering an interrupt through a gate we corrupted failed: the interrupt is
		 * lost, the interrupted instruction runs again. */
		stats.event_faults++;
		return;
	}
	if (f->vector < 32)
		runaway_check(f);
	stats.interrupts++;
	end_of_interrupt();
	if (++op_interrupts == STORM_INTERRUPTS)
		storm_break();
}

void traps_init(void)
{
	for (u32 v = 0; v < 256; v++)
		trap_set_handler((u8)v, on_trap);
}
