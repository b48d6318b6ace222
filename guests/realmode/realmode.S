/* Flat real-mode guest, loaded and entered at 0x8000 (CS:IP = 0000:8000): proves mhv runs
 * 16-bit code. Prints a greeting, checks CPUID's hypervisor bit, exits through the debug port. */
#include "kernel/guest_abi.h"

#define UART_LSR      (MHV_CONSOLE_PORT + 5)
#define UART_LSR_THRE 0x20       /* transmit holding register empty */
#define CPUID1_ECX_HYPERVISOR 31 /* bit: running under a hypervisor */

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

	movw $msg_hello, %si
	call puts

	movl $1, %eax
	cpuid
	btl $CPUID1_ECX_HYPERVISOR, %ecx
	jnc fail

	movw $msg_pass, %si
	call puts
	movb $0, %bl
	jmp exit
fail:
	movw $msg_fail, %si
	call puts
	movb $1, %bl
exit:
	movw $MHV_DEBUG_EXIT_PORT, %dx
	movb %bl, %al
	outb %al, %dx
halt:
	cli
	hlt
	jmp halt

/* Writes the NUL-terminated string at DS:SI to COM1, polling THRE before each byte. */
puts:
	lodsb
	testb %al, %al
	jz 2f
	movb %al, %ah
	movw $UART_LSR, %dx
1:	inb %dx, %al
	testb $UART_LSR_THRE, %al
	jz 1b
	movw $MHV_CONSOLE_PORT, %dx
	movb %ah, %al
	outb %al, %dx
	jmp puts
2:	ret

msg_hello: .asciz "realmode: hello from real mode\n"
msg_pass:  .asciz "realmode: PASS\n"
msg_fail:  .asciz "realmode: FAIL\n"

	.section .note.GNU-stack, "", @progbits
