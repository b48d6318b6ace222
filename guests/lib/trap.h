/* Exceptions and interrupts: per-vector handlers, and recovery from an expected fault. */
#pragma once
#include "guests/lib/types.h"

#define TRAP_NONE (-1) /* trap_caught_vector when the guarded instruction did not fault */

/* What isr.S leaves on the stack; the CPU switches no stack at CPL 0, so no SS:ESP. */
struct trap_frame {
	u32 edi, esi, ebp, esp, ebx, edx, ecx, eax; /* PUSHA, lowest address first */
	u32 vector;
	u32 error_code; /* 0 for vectors where the CPU pushes none */
	u32 eip, cs, eflags;
};

typedef void (*trap_handler_fn)(struct trap_frame *f);

/* Runs fn for vector (an interrupt, or an exception outside a TRAP_TRY). */
void trap_set_handler(u8 vector, trap_handler_fn fn);
void trap_dispatch(struct trap_frame *f);

extern volatile u32 trap_recovery_eip;
extern volatile s32 trap_caught_vector;
extern volatile u32 trap_caught_error;

/* Assembly that runs insn with a recovery point armed: if insn raises an exception, the handler
 * records vector and error code in trap_caught_* and resumes right after insn. Use it inside an
 * asm volatile with a "memory" clobber; read trap_caught_vector afterwards. The label is a
 * numeric local one, so the macro may appear any number of times. The recovery point is
 * global: in a guest with several CPUs only one CPU at a time may be inside a TRAP_TRY. */
#define TRAP_TRY(insn)                                                                             \
	"movl $-1, trap_caught_vector\n\t"                                                         \
	"movl $1771f, trap_recovery_eip\n\t" insn "\n"                                             \
	"1771:\n\t"                                                                                \
	"movl $0, trap_recovery_eip\n\t"
