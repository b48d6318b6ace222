/* Flat real-mode guest for on_reset=: checks it starts on zeroed RAM, marks RAM, then asks
 * the i8042 for a CPU reset (command 0xFE), as OSes reboot. With on_reset=restart mhv boots
 * it again from its image: the mark must be gone, so every boot prints "fresh boot". */
#include "kernel/guest_abi.h"

#define UART_LSR      (MHV_CONSOLE_PORT + 5)
#define UART_LSR_THRE 0x20 /* transmit holding register empty */
#define KBC_CMD       0x64 /* i8042 command port */
#define KBC_RESET     0xfe /* pulse the CPU reset line */
#define MARK_ADDR     0x7000
#define MARK          0x6d68

	.code16
	.text
	.globl _start
_start:
	cli
	xorw %ax, %ax
	movw %ax, %ds
	movw %ax, %ss
	movw $_start, %sp
	cld

	movw $msg_fresh, %si
	cmpw $0, MARK_ADDR
	je 1f
	movw $msg_stale, %si
1:	call puts
	movw $MARK, MARK_ADDR

	movb $KBC_RESET, %al
	outb %al, $KBC_CMD
halt:
	hlt
	jmp halt

/* Writes the NUL-terminated string at DS:SI to COM1, polling THRE before each byte. */
puts:
	lodsb
	testb %al, %al
	jz 3f
	movb %al, %ah
	movw $UART_LSR, %dx
2:	inb %dx, %al
	testb $UART_LSR_THRE, %al
	jz 2b
	movw $MHV_CONSOLE_PORT, %dx
	movb %ah, %al
	outb %al, %dx
	jmp puts
3:	ret

msg_fresh: .asciz "reset-test: fresh boot\n"
msg_stale: .asciz "reset-test: stale RAM after reset\n"

	.section .note.GNU-stack, "", @progbits
