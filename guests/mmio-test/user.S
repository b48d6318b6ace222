/* Entering ring 3 with chosen registers, and leaving it from an exception handler. The
 * user snippets live on pages of their own, which paging.c opens to user mode. */
#include "guests/mmio-test/user.h"

	.text
	.globl user_run
user_run:
	pushl %ebp
	pushl %ebx
	pushl %esi
	pushl %edi
	movl %esp, user_kernel_esp
	movl 20(%esp), %eax
	pushl $USER_DS
	pushl USER_ESP(%eax)
	pushl USER_EFLAGS(%eax)
	pushl $USER_CS
	pushl USER_EIP(%eax)
	movl USER_ECX(%eax), %ecx
	movl USER_EDX(%eax), %edx
	movl USER_ESI(%eax), %esi
	movl USER_EDI(%eax), %edi
	movl $USER_DS, %ebx
	movw %bx, %ds
	movw %bx, %es
	xorl %ebx, %ebx
	xorl %eax, %eax
	iretl

	.globl user_return
user_return:
	movl $KERNEL_DS, %eax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs /* the return to CPL 3 nulled these */
	movw %ax, %gs
	movl user_kernel_esp, %esp
	popl %edi
	popl %esi
	popl %ebx
	popl %ebp
	ret

	.balign 4096
	.globl user_text_start
user_text_start:
	.globl user_rep_insb
user_rep_insb:
	rep insb
	ud2
	.globl user_rep_outsb
user_rep_outsb:
	rep outsb
	ud2
	.balign 4096
	.globl user_text_end
user_text_end:

	.bss
	.balign 4
user_kernel_esp:
	.skip 4

	.section .note.GNU-stack, "", @progbits
