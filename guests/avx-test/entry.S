/* 64-bit ELF entry: mhv's ELF64 loader starts the guest in long mode on identity page
 * tables with rsp = 0; this sets a stack and calls main(). */
	.text
	.globl _start
_start:
	leaq stack_top(%rip), %rsp
	call main
1:	hlt
	jmp 1b

	.bss
	.balign 16
	.space 16384
stack_top:

	.section .note.GNU-stack, "", @progbits
