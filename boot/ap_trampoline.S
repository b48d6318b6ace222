/* Application-processor start (SDM vol. 3A "MP Initialization"): a STARTUP IPI starts an AP
 * in real mode at CS = page << 8, IP = 0. kernel/smp.c copies this code to a free page below
 * 1 MiB and fills in the parameter block at its end; the AP switches to long mode on the
 * kernel's page tables and jumps to ap_main(cpu) on its own stack. Everything below is
 * addressed relative to the copy (EBX holds its physical base from real mode on). */
#include "kernel/layout.h"

#define CR0_PE         (1 << 0)
#define CR0_MP         (1 << 1)
#define CR0_NE         (1 << 5)
#define CR0_WP         (1 << 16)
#define CR0_PG         (1 << 31)
#define CR4_PAE        (1 << 5)
#define CR4_OSFXSR     (1 << 9)
#define CR4_OSXMMEXCPT (1 << 10)
#define MSR_EFER       0xc0000080
#define SEL_CODE32     0x08
#define SEL_DATA       0x10
#define SEL_CODE64     0x18
#define OFF(label)     ((label) - ap_trampoline)

	.section .rodata
	.balign 16
	.code16
	.global ap_trampoline
ap_trampoline:
	cli
	cld
	xorl %ebx, %ebx
	movw %cs, %bx
	movw %bx, %ds
	shll $4, %ebx			/* EBX = physical base of this copy */
	lgdtl OFF(tramp_gdt_ptr)
	movl %cr0, %eax
	orl $CR0_PE, %eax
	movl %eax, %cr0
	ljmpl *OFF(tramp_pm32_ptr)

	.code32
	.global ap_trampoline_pm32
ap_trampoline_pm32:
tramp_pm32:
	movw $SEL_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl %cr4, %eax
	orl $(CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT), %eax
	movl %eax, %cr4
	movl OFF(tramp_cr3)(%ebx), %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl OFF(tramp_efer)(%ebx), %eax	/* LME, and NXE where the BSP has it */
	wrmsr
	movl $(CR0_PE | CR0_MP | CR0_NE | CR0_WP | CR0_PG), %eax
	movl %eax, %cr0
	ljmpl *OFF(tramp_lm64_ptr)(%ebx)

	.code64
	.global ap_trampoline_lm64
ap_trampoline_lm64:
tramp_lm64:
	movq OFF(tramp_stack)(%rbx), %rsp
	movl OFF(tramp_cpu)(%rbx), %edi
	xorl %ebp, %ebp
	movq OFF(tramp_entry)(%rbx), %rax
	jmp *%rax

	.balign 8
	.global ap_trampoline_gdt
ap_trampoline_gdt:
tramp_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff		/* 0x08: 32-bit code */
	.quad 0x00cf92000000ffff		/* 0x10: data */
	.quad 0x00af9a000000ffff		/* 0x18: 64-bit code */
tramp_gdt_end:
	.balign 8
	/* The parameter block, filled in by kernel/smp.c (struct ap_trampoline_params). */
	.global ap_trampoline_params
ap_trampoline_params:
tramp_gdt_ptr:
	.word tramp_gdt_end - tramp_gdt - 1
	.long 0				/* base + OFF(tramp_gdt) */
	.word 0
tramp_pm32_ptr:
	.long 0				/* base + OFF(tramp_pm32) */
	.word SEL_CODE32
	.word 0
tramp_lm64_ptr:
	.long 0				/* base + OFF(tramp_lm64) */
	.word SEL_CODE64
	.word 0
tramp_cr3:
	.long 0
tramp_efer:
	.long 0
tramp_stack:
	.quad 0
tramp_entry:
	.quad 0
tramp_cpu:
	.long 0
	.long 0
	.global ap_trampoline_end
ap_trampoline_end:

	.section .note.GNU-stack, "", @progbits
