/* Flat real-mode guest for bios=on, loaded and entered at 0x8000: checks the BIOS data area
 * and the PIC masks mhv leaves, that INT 10h comes back through the IVT's IRET stub, and
 * that the PIT interrupt arrives through vector 8 at 18.2 Hz: a handler of its own counts
 * each tick and chains to the BIOS stub, which must send the EOI (without it only one tick
 * would ever come). Ticks are counted over one second of the RTC. Exit code: the number of
 * failed checks. */
#include "kernel/guest_abi.h"

#define UART_LSR       (MHV_CONSOLE_PORT + 5)
#define UART_LSR_THRE  0x20 /* transmit holding register empty */
#define BDA_COM1       0x400
#define BDA_EBDA_SEG   0x40e
#define BDA_BASE_KIB   0x413
#define IVT_IRQ0       (0x08 * 4) /* IRQ 0 with the BIOS's master PIC base */
#define ROM_SEGMENT    0xf000
#define PIC_MASTER_IMR 0x21
#define PIC_SLAVE_IMR  0xa1
#define CMOS_INDEX     0x70
#define CMOS_DATA      0x71
#define RTC_SECONDS    0x00
#define TICKS_MIN      17 /* 18.2 per second: 18 or 19 between two RTC updates */
#define TICKS_MAX      20

	.code16
	.text
	.globl _start
_start:
	cli
	xorw %ax, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw $_start, %sp /* the stack grows down from just below the image */
	cld

	cmpw $0x3f8, BDA_COM1
	movw $msg_com1, %si
	call check
	cmpw $639, BDA_BASE_KIB
	movw $msg_base, %si
	call check
	cmpw $0x9fc0, BDA_EBDA_SEG
	movw $msg_ebda, %si
	call check
	cmpw $ROM_SEGMENT, IVT_IRQ0 + 2
	movw $msg_vector, %si
	call check
	inb $PIC_MASTER_IMR, %al
	cmpb $0xf8, %al
	movw $msg_master, %si
	call check
	inb $PIC_SLAVE_IMR, %al
	cmpb $0xff, %al
	movw $msg_slave, %si
	call check

	movw $0x1234, %ax
	int $0x10
	cmpw $0x1234, %ax
	movw $msg_int10, %si
	call check

	movl IVT_IRQ0, %eax
	movl %eax, old_irq0
	movw $irq0, IVT_IRQ0
	movw $0, IVT_IRQ0 + 2
	sti
	call wait_second
	movw ticks, %bx
	call wait_second
	movw ticks, %ax
	cli
	subw %bx, %ax
	pushw %ax
	movw $msg_ticks, %si
	call puts
	popw %ax
	pushw %ax
	call putdec
	movb $'\n', %al
	call putc
	popw %ax
	cmpw $TICKS_MIN, %ax
	jb 1f
	cmpw $TICKS_MAX, %ax
	ja 1f
	cmpw %ax, %ax /* ZF = 1: in range */
1:	movw $msg_rate, %si
	call check

	movw $msg_done, %si
	call puts
	xorb %ah, %ah
	movb failures, %al
	call putdec
	movw $msg_failures, %si
	call puts
	movw $MHV_DEBUG_EXIT_PORT, %dx
	movb failures, %al
	outb %al, %dx
halt:
	cli
	hlt
	jmp halt

/* IRQ 0: count, then let the BIOS stub acknowledge the PIC and return. */
irq0:
	incw %cs:ticks
	ljmp *%cs:old_irq0

/* Sleeps until the RTC's seconds register changes. */
wait_second:
	call rtc_seconds
	movb %al, %cl
1:	hlt
	call rtc_seconds
	cmpb %al, %cl
	je 1b
	ret

rtc_seconds:
	movb $RTC_SECONDS, %al
	outb %al, $CMOS_INDEX
	inb $CMOS_DATA, %al
	ret

/* Prints "PASS: " if ZF is set, else "FAIL: " (and counts it), then the string at SI. */
check:
	pushw %si
	movw $msg_pass, %si
	jz 1f
	incb failures
	movw $msg_fail, %si
1:	call puts
	popw %si
	jmp puts

/* Prints AX in decimal. */
putdec:
	movw $10, %bx
	xorw %cx, %cx
1:	xorw %dx, %dx
	divw %bx
	pushw %dx
	incw %cx
	testw %ax, %ax
	jnz 1b
2:	popw %ax
	addb $'0', %al
	call putc
	loop 2b
	ret

/* Writes the NUL-terminated string at DS:SI to COM1. */
puts:
	lodsb
	testb %al, %al
	jz 1f
	call putc
	jmp puts
1:	ret

/* Writes AL to COM1, polling THRE first; keeps every register but AX. */
putc:
	pushw %dx
	movb %al, %ah
	movw $UART_LSR, %dx
1:	inb %dx, %al
	testb $UART_LSR_THRE, %al
	jz 1b
	movw $MHV_CONSOLE_PORT, %dx
	movb %ah, %al
	outb %al, %dx
	popw %dx
	ret

/* Data lives in .text: the flat image is the .text section only. */
	.balign 4
old_irq0:	.long 0
ticks:		.word 0
failures:	.byte 0

msg_pass:	.asciz "PASS: "
msg_fail:	.asciz "FAIL: "
msg_com1:	.asciz "bios: COM1 at 0x3f8 in the BIOS data area\n"
msg_base:	.asciz "bios: 639 KiB of base memory in the BIOS data area\n"
msg_ebda:	.asciz "bios: EBDA segment 0x9fc0 in the BIOS data area\n"
msg_vector:	.asciz "bios: vector 8 (IRQ 0) points into the BIOS stub page\n"
msg_master:	.asciz "bios: master PIC mask 0xf8 (IRQ 0-2 open)\n"
msg_slave:	.asciz "bios: slave PIC mask 0xff\n"
msg_int10:	.asciz "bios: INT 10h comes back through the IRET stub\n"
msg_ticks:	.asciz "bios: PIT ticks in one RTC second: "
msg_rate:	.asciz "bios: IRQ 0 through the IVT stub at 18.2 Hz\n"
msg_done:	.asciz "bios-test: "
msg_failures:	.asciz " failures\n"

	.section .note.GNU-stack, "", @progbits
