/* One entry stub per vector, ISR_STUB_SIZE bytes apart, so the IDT needs no table of addresses.
 * Each stub makes the frame uniform (a 0 error code where the CPU pushes none) and records its
 * vector; isr_common builds struct trap_frame and calls trap_dispatch.
 *
 * An external interrupt (an APIC, the 8259 with a low vector base) may arrive on a vector whose
 * exception pushes an error code; the CPU then pushes none. The stubs of those vectors tell the
 * two apart by the dword two slots up: with an error code it is the interrupted CS, a selector
 * of these guests' small GDTs (below 0x200, whatever its RPL); without one it is EFLAGS, whose
 * IF is set, as it must be for an external interrupt to be taken. */
#include "guests/lib/desc.h"

#define EFLAGS_IF 0x200 /* interrupts enabled */

/* Exceptions for which the CPU pushes an error code (SDM Vol. 3 Table 6-1). */
#define HAS_ERROR_CODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || \
			   (v) == 29 || (v) == 30)

	.text
	.globl isr_stubs
	.balign ISR_STUB_SIZE
isr_stubs:
	.set vec, 0
	.rept IDT_VECTORS
	.balign ISR_STUB_SIZE
	.if HAS_ERROR_CODE(vec)
	testl $EFLAGS_IF, 8(%esp)
	jz 1f
	.endif
	pushl $0
1:
	pushl $vec
	jmp isr_common
	.set vec, vec + 1
	.endr

isr_common:
	pushal
	cld
	pushl %esp /* struct trap_frame * */
	call trap_dispatch
	addl $4, %esp
	popal
	addl $8, %esp /* vector and error code */
	iretl

	.section .note.GNU-stack, "", @progbits
