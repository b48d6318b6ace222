/* Where an AP starts: real mode at CS = SMP_SIPI_VECTOR << 8, IP = 0, in a copy of
 * smp_trampoline_start..smp_trampoline_end at SMP_TRAMPOLINE. It loads a GDT of its own
 * (flat code and data at the guests' usual selectors), enters protected mode and jumps to
 * ap_entry32 in the image, which picks the stack for its APIC ID and calls smp_ap_main. */
#include "guests/lib/desc.h"
#include "guests/lib/smp.h"

#define CR0_PE 1
#define OFF(label) ((label) - smp_trampoline_start)

	.section .rodata.smp_trampoline, "a"
	.code16
	.globl smp_trampoline_start, smp_trampoline_end
smp_trampoline_start:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	lgdtl OFF(gdt_ptr)
	movl %cr0, %eax
	orl $CR0_PE, %eax
	movl %eax, %cr0
	ljmpl $SEL_CODE32, $ap_entry32

	.balign 8
gdt:
	.quad 0
	.quad 0x00cf9a000000ffff /* SEL_CODE32: flat 32-bit code */
	.quad 0x00cf92000000ffff /* SEL_DATA32: flat data */
gdt_ptr:
	.word gdt_ptr - gdt - 1
	.long SMP_TRAMPOLINE + OFF(gdt)
smp_trampoline_end:

	.text
	.code32
ap_entry32:
	movw $SEL_DATA32, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	movw %ax, %ss
	movl $1, %eax
	cpuid
	shrl $24, %ebx /* initial APIC ID */
	cmpl $SMP_MAX_CPUS, %ebx
	jae 2f
	leal 1(%ebx), %eax
	imull $SMP_AP_STACK_SIZE, %eax
	leal smp_ap_stacks(%eax), %esp
	pushl %ebx
	call smp_ap_main
2:	cli
	hlt
	jmp 2b

	.section .note.GNU-stack, "", @progbits
