/* Ring 3 for the user-mode checks: a GDT with user segments and a TSS, and a way to run a
 * snippet at CPL 3 until it raises an exception. */
#pragma once

#define USER_CS	  (0x18 | 3)
#define USER_DS	  (0x20 | 3)
#define TSS_SEL	  0x28
#define KERNEL_DS 0x10

/* struct user_regs offsets, for user.S */
#define USER_EIP    0
#define USER_ESP    4
#define USER_EFLAGS 8
#define USER_ECX    12
#define USER_EDX    16
#define USER_ESI    20
#define USER_EDI    24

#ifndef __ASSEMBLY__
#include "guests/lib/types.h"

struct user_regs {
	u32 eip, esp, eflags, ecx, edx, esi, edi;
};

/* Enters ring 3 with `r`; returns once user_return() is called from an exception handler. */
void user_run(const struct user_regs *r);
/* From a handler of an exception raised at CPL 3: back to user_run()'s caller. */
void user_return(void) __attribute__((noreturn));

extern const char user_text_start[], user_text_end[];
extern const char user_rep_insb[], user_rep_outsb[]; /* then UD2 */
#endif
