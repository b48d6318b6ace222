/* Interrupt and exception entry stubs: make every vector look the same (push a zero error
 * code where the CPU pushes none, then the vector), save the GPRs as struct trap_frame
 * (kernel/trap.h) and call trap_dispatch(). */

/* Vectors for which the CPU pushes an error code: #DF #TS #NP #SS #GP #PF #AC #CP */
#define HAS_ERROR_CODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21)

	.text
	.balign 16
isr_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, %rdi
	cld
	call trap_dispatch
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp			/* vector and error code */
	iretq

	.altmacro
	.macro isr_stub v
	.balign 16
isr_stub_\v:
	.if !HAS_ERROR_CODE(\v)
	pushq $0
	.endif
	pushq $\v
	jmp isr_common
	.endm

	.macro isr_entry v
	.quad isr_stub_\v
	.endm

	.set vec, 0
	.rept 256
	isr_stub %vec
	.set vec, vec + 1
	.endr

	.section .rodata
	.balign 8
	.global isr_stub_table
isr_stub_table:
	.set vec, 0
	.rept 256
	isr_entry %vec
	.set vec, vec + 1
	.endr

	.section .note.GNU-stack, "", @progbits
