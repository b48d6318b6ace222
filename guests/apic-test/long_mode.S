/* u32 long_mode_cr8(u32 value): goes from 32-bit protected mode (paging off, interrupts
 * off) to 64-bit mode through the page tables at lm_pml4, writes `value` to CR8 unless it
 * is 0xffffffff, reads CR8 back, and returns to 32-bit protected mode with paging off.
 * CR8 exists only in 64-bit mode; no exception may happen there (the IDT is 32-bit). */
#include "guests/lib/desc.h"

#define CR0_PG	 0x80000000
#define CR4_PAE	 0x20
#define MSR_EFER 0xc0000080
#define EFER_LME 0x100

	.text
	.code32
	.globl long_mode_cr8
long_mode_cr8:
	pushl %ebx
	pushl %esi
	pushl %edi
	movl 16(%esp), %esi
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $lm_pml4, %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	movl %cr0, %eax
	orl $CR0_PG, %eax
	movl %eax, %cr0 /* IA-32e mode, still in a 32-bit (compatibility) code segment */
	ljmp $SEL_CODE64, $1f

	.code64
1:	cmpl $0xffffffff, %esi
	je 2f
	movl %esi, %eax
	movq %rax, %cr8
2:	movq %cr8, %rax
	movl %eax, %edi
	pushq $SEL_CODE32
	leaq 3f(%rip), %rax
	pushq %rax
	lretq

	.code32
3:	movl %cr0, %eax
	andl $~CR0_PG, %eax
	movl %eax, %cr0 /* leaves IA-32e mode */
	movl $MSR_EFER, %ecx
	rdmsr
	andl $~EFER_LME, %eax
	wrmsr
	movl %cr4, %eax
	andl $~CR4_PAE, %eax
	movl %eax, %cr4
	movl %edi, %eax
	popl %edi
	popl %esi
	popl %ebx
	ret

	.section .note.GNU-stack, "", @progbits
