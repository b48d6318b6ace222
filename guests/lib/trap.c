#include "guests/lib/trap.h"
#include "guests/lib/exit.h"
#include "guests/lib/printf.h"
#include "guests/lib/x86.h"

#define EXCEPTION_VECTORS 32

volatile u32 trap_recovery_eip;
volatile s32 trap_caught_vector = TRAP_NONE;
volatile u32 trap_caught_error;

static trap_handler_fn handlers[256];

void trap_set_handler(u8 vector, trap_handler_fn fn)
{
	handlers[vector] = fn;
}

void trap_dispatch(struct trap_frame *f)
{
	/* An NMI is no fault of the guarded instruction (and may come from another CPU's IPI
	 * while this one is inside a TRAP_TRY). */
	if (f->vector < EXCEPTION_VECTORS && f->vector != VEC_NMI && trap_recovery_eip) {
		trap_caught_vector = (s32)f->vector;
		trap_caught_error = f->error_code;
		f->eip = trap_recovery_eip;
		trap_recovery_eip = 0;
		return;
	}
	if (handlers[f->vector]) {
		handlers[f->vector](f);
		return;
	}
	printf("unexpected %s: vector %u eip 0x%08x error 0x%x eflags 0x%x\n",
	       f->vector < EXCEPTION_VECTORS ? "exception" : "interrupt", f->vector, f->eip,
	       f->error_code, f->eflags);
	printf("  eax 0x%08x ebx 0x%08x ecx 0x%08x edx 0x%08x\n", f->eax, f->ebx, f->ecx, f->edx);
	printf("  esi 0x%08x edi 0x%08x ebp 0x%08x\n", f->esi, f->edi, f->ebp);
	guest_exit(EXIT_EXCEPTION);
}
