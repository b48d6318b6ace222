/* What an AP runs after a SIPI, copied to the start of every page below 1 MiB (a SIPI with
 * vector V starts real mode at V:0000). It counts in a shared word forever, with interrupts
 * off. Page 0 doubles as the real-mode IVT: its entries 1-3 (NMI is 2) point at the IRET at
 * 0000:0020, so an NMI IPI returns to the loop. */
#define AP_COUNTER 0x500 /* chaos.h's AP_COUNTER */

	.section .rodata
	.code16
	.globl ap_loop_start, ap_loop_end
ap_loop_start:
	jmp 2f
	.balign 4
	.word 0x20, 0 /* IVT entry 1: 0000:0020 */
	.word 0x20, 0 /* IVT entry 2 (NMI) */
	.word 0x20, 0 /* IVT entry 3 */
	.org ap_loop_start + 0x20
	iret
	.org ap_loop_start + 0x30
2:
	cli
	xorw %ax, %ax
	movw %ax, %ds
3:
	lock incl AP_COUNTER
	pause
	jmp 3b
ap_loop_end:
	.code32

	.section .note.GNU-stack, "", @progbits
