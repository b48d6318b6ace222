/* 32-bit entry from a Multiboot2 loader, early page tables, switch to long mode, and the
 * jump to kmain() in the higher half. Runs at physical addresses until paging is on.
 *
 * The image may be loaded anywhere the relocatable tag allows (boot/multiboot2.S), so
 * until paging is on every address is the link address plus the load offset in EBP
 * (a multiple of 2 MiB). The higher half maps the image at its link address whatever that
 * offset; kernel_load_offset tells C code where it really is. */
#include "kernel/layout.h"

#define MB2_BOOTLOADER_MAGIC 0x36d76289
#define COM1                 0x3f8
#define CR0_PE               (1 << 0)
#define CR0_MP               (1 << 1)
#define CR0_EM               (1 << 2)
#define CR0_TS               (1 << 3)
#define CR0_NE               (1 << 5)
#define CR0_WP               (1 << 16)
#define CR0_NW               (1 << 29)
#define CR0_CD               (1 << 30)
#define CR0_PG               (1 << 31)
#define CR4_PAE              (1 << 5)
#define CR4_OSFXSR           (1 << 9)  /* FXSAVE/FXRSTOR cover SSE state (guest FPU switch) */
#define CR4_OSXMMEXCPT       (1 << 10)
#define MSR_EFER             0xc0000080
#define EFER_LME             (1 << 8)  /* long mode enable */
#define EFER_NXE             (1 << 11) /* no-execute enable */
#define PTE_P                0x1       /* present */
#define PTE_W                0x2       /* writable */
#define PTE_PS               0x80      /* 2 MiB page in a PDE */
#define LARGE_PAGE_SHIFT     21
#define CPUID_EXT_LM         (1 << 29) /* CPUID 0x80000001 EDX: long mode */
#define CPUID_EXT_NX         (1 << 20) /* CPUID 0x80000001 EDX: execute disable */
#define MBI_RESERVED         4         /* MBI u32 after total_size: free for our use */

	.section .boot.text, "ax"
	.code32
	.global _start
_start:
	cli
	cld
	/* No stack yet, and 32-bit code has no EIP-relative addressing: CALL/POP through a
	 * one-slot stack in the MBI's reserved word finds where we run. */
	leal (MBI_RESERVED + 4)(%ebx), %esp
	call 1f
1:	popl %ebp
	subl $1b, %ebp			/* EBP = load offset */
	movl $0, MBI_RESERVED(%ebx)
	leal boot_stack32_top(%ebp), %esp
	movl %eax, boot_magic(%ebp)	/* kept for kmain */
	movl %ebx, boot_info(%ebp)

	cmpl $MB2_BOOTLOADER_MAGIC, %eax
	jne no_multiboot2

	/* Long mode needs CPUID leaf 0x80000001 EDX.LM. */
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb no_long_mode
	movl $0x80000001, %eax
	cpuid
	testl $CPUID_EXT_LM, %edx
	jz no_long_mode
	movl %edx, boot_ext_features(%ebp) /* NX may be disabled by the firmware */

	call build_page_tables

	movl %cr4, %eax
	orl $(CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT), %eax
	movl %eax, %cr4
	leal boot_pml4(%ebp), %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	testl $CPUID_EXT_NX, boot_ext_features(%ebp)
	jz 1f
	orl $EFER_NXE, %eax
1:	wrmsr
	/* Caches on (firmware may leave CD/NW set), native FPU errors, FPU usable. */
	movl %cr0, %eax
	andl $~(CR0_CD | CR0_NW | CR0_EM | CR0_TS), %eax
	orl $(CR0_PE | CR0_PG | CR0_WP | CR0_MP | CR0_NE), %eax
	movl %eax, %cr0

	leal boot_gdt(%ebp), %eax
	movl %eax, (boot_gdt_ptr + 2)(%ebp)
	lgdt boot_gdt_ptr(%ebp)
	pushl $0x08
	leal long_mode_low(%ebp), %eax
	pushl %eax
	lret

/* The identity map and the direct map of the first 4 GiB share one PDPT with 2 MiB pages
 * (kernel/mem.c replaces both once it knows where the RAM is). The kernel window at -2 GiB
 * maps the image's link addresses to where it was loaded, through its own page directory. */
build_page_tables:
	leal boot_pd(%ebp), %edi
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $LARGE_PAGE_SHIFT, %eax
	orl $(PTE_P | PTE_W | PTE_PS), %eax
	movl %eax, (%edi, %ecx, 8)
	movl %ecx, %eax
	shrl $11, %eax			/* bits 32+ of the 2 MiB frame address */
	movl %eax, 4(%edi, %ecx, 8)
	incl %ecx
	cmpl $2048, %ecx
	jne 1b

	leal boot_pdpt_low(%ebp), %edi
	xorl %ecx, %ecx
2:	movl %ecx, %eax
	shll $12, %eax
	leal boot_pd(%ebp), %edx
	addl %edx, %eax
	orl $(PTE_P | PTE_W), %eax
	movl %eax, (%edi, %ecx, 8)
	incl %ecx
	cmpl $4, %ecx
	jne 2b

	/* Kernel window: link address A (in [2 MiB, _kernel_phys_end)) -> A + EBP. */
	leal boot_pd_kernel(%ebp), %edi
	movl $_kernel_phys_start, %ecx
	shrl $LARGE_PAGE_SHIFT, %ecx
	movl $(_kernel_phys_end + (1 << LARGE_PAGE_SHIFT) - 1), %edx
	shrl $LARGE_PAGE_SHIFT, %edx
3:	movl %ecx, %eax
	shll $LARGE_PAGE_SHIFT, %eax
	addl %ebp, %eax			/* below 4 GiB: the image lies below RELOC_MAX */
	orl $(PTE_P | PTE_W | PTE_PS), %eax
	movl %eax, (%edi, %ecx, 8)
	incl %ecx
	cmpl %edx, %ecx
	jb 3b

	leal (boot_pd_kernel + (PTE_P | PTE_W))(%ebp), %eax
	movl %eax, (boot_pdpt_high + 510 * 8)(%ebp)
	leal (boot_pdpt_low + (PTE_P | PTE_W))(%ebp), %eax
	movl %eax, boot_pml4(%ebp)
	movl %eax, (boot_pml4 + 256 * 8)(%ebp)
	leal (boot_pdpt_high + (PTE_P | PTE_W))(%ebp), %eax
	movl %eax, (boot_pml4 + 511 * 8)(%ebp)
	ret

no_multiboot2:
	leal msg_no_mb2(%ebp), %ebx
	jmp early_fail
no_long_mode:
	leal msg_no_lm(%ebp), %ebx
early_fail:
	call early_puts
	/* The emulators' exit ports, as hv_end() uses them in C; on a PC they decode to
	 * nothing. This is the only output path so early. */
	movw $0xf4, %dx
	movl $2, %eax
	outl %eax, %dx
	leal msg_shutdown(%ebp), %ebx
	movw $0x8900, %dx
3:	movb (%ebx), %al
	testb %al, %al
	jz 4f
	outb %al, %dx
	incl %ebx
	jmp 3b
4:	hlt
	jmp 4b

/* Polled COM1 output of the NUL-terminated string at EBX (the loader may not have set up
 * the UART, so program 115200 8N1 first). A missing UART reads 0xff: THRE looks set. */
early_puts:
	movw $(COM1 + 3), %dx
	movb $0x80, %al			/* LCR.DLAB */
	outb %al, %dx
	movw $COM1, %dx
	movb $1, %al			/* divisor 1 = 115200 baud */
	outb %al, %dx
	movw $(COM1 + 1), %dx
	xorb %al, %al
	outb %al, %dx
	movw $(COM1 + 3), %dx
	movb $0x03, %al			/* 8N1, DLAB off */
	outb %al, %dx
5:	movb (%ebx), %cl
	testb %cl, %cl
	jz 7f
	movw $(COM1 + 5), %dx
6:	inb %dx, %al
	testb $0x20, %al		/* LSR.THRE */
	jz 6b
	movw $COM1, %dx
	movb %cl, %al
	outb %al, %dx
	incl %ebx
	jmp 5b
7:	ret

	.code64
long_mode_low:
	movl %ebp, %ebp			/* zero-extend: upper halves are undefined after the switch */
	movl boot_magic(%rbp), %edi	/* kmain(magic, info_phys) */
	movl boot_info(%rbp), %esi
	movabsq $kernel_load_offset, %rax
	movq %rbp, (%rax)
	movabsq $long_mode_high, %rax
	jmp *%rax

	.section .boot.data, "aw"
	.balign 8
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff		/* 0x08: 64-bit code, DPL 0 */
	.quad 0x00cf92000000ffff		/* 0x10: data */
boot_gdt_end:
	.balign 8
	.word 0
boot_gdt_ptr:
	.word boot_gdt_end - boot_gdt - 1
	.long 0				/* base: filled in at run time */

boot_magic:
	.long 0
boot_info:
	.long 0
boot_ext_features:
	.long 0

msg_no_mb2:
	.asciz "mhv: not booted by a Multiboot2 loader (bad magic in EAX); cannot start\r\nHV-END status=2 not booted by Multiboot2\r\n"
msg_no_lm:
	.asciz "mhv: this CPU has no long mode (x86-64); cannot start\r\nHV-END status=2 no long mode\r\n"
msg_shutdown:
	.asciz "Shutdown"

	.balign 4096
	.global boot_pml4
boot_pml4:
	.skip 4096
boot_pdpt_low:
	.skip 4096
boot_pdpt_high:
	.skip 4096
boot_pd_kernel:
	.skip 4096
boot_pd:
	.skip 4096 * 4
	.skip 1024
boot_stack32_top:

	.text
long_mode_high:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorw %ax, %ax
	movw %ax, %fs
	movw %ax, %gs
	movq $boot_stack_top, %rsp
	xorl %ebp, %ebp
	call kmain
8:	cli
	hlt
	jmp 8b

	.data
	.balign 8
	.global kernel_load_offset
kernel_load_offset:
	.quad 0

	.bss
	.balign 16
	.global boot_stack_bottom
boot_stack_bottom:
	.skip 16384
	.global boot_stack_top
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
