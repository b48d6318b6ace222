/* Multiboot v1 entry: the loader leaves us in flat 32-bit protected mode with paging off,
 * EAX = magic and EBX = boot information, but no stack and no IDT. */
#include "guests/lib/multiboot.h"

#define MB1_FLAGS (MB1_HEADER_PAGE_ALIGN | MB1_HEADER_MEMINFO)
#define STACK_SIZE 16384

	.section .multiboot, "a"
	.balign 4
	.long MB1_HEADER_MAGIC
	.long MB1_FLAGS
	.long -(MB1_HEADER_MAGIC + MB1_FLAGS)

	.text
	.globl _start
_start:
	cli
	cld
	movl %eax, %esi /* REP STOSB below needs EAX, ECX and EDI */
	movl %ebx, %ebp
	movl $__bss_start, %edi
	movl $__bss_end, %ecx
	subl %edi, %ecx
	xorl %eax, %eax
	rep stosb
	movl $stack_top, %esp
	call desc_init
	pushl %ebp
	pushl %esi
	call main
	pushl %eax
	call guest_exit

	.bss
	.balign 16
stack:
	.skip STACK_SIZE
stack_top:

	.section .note.GNU-stack, "", @progbits
