/* Moving the vector registers to and from memory: 16 YMM (AVX), 32 ZMM and 8 opmask
 * registers (AVX-512). The C side never touches vector registers (-mgeneral-regs-only). */
	.text
	.globl load_ymm, store_ymm, load_zmm, store_zmm, load_k, store_k
load_ymm:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	vmovdqu \n*32(%rdi), %ymm\n
	.endr
	ret
store_ymm:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	vmovdqu %ymm\n, \n*32(%rdi)
	.endr
	ret
load_zmm:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	vmovdqu64 \n*64(%rdi), %zmm\n
	.endr
	ret
store_zmm:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	vmovdqu64 %zmm\n, \n*64(%rdi)
	.endr
	ret
load_k:
	.irp n, 0,1,2,3,4,5,6,7
	kmovw \n*2(%rdi), %k\n
	.endr
	ret
store_k:
	.irp n, 0,1,2,3,4,5,6,7
	kmovw %k\n, \n*2(%rdi)
	.endr
	ret

	.section .note.GNU-stack, "", @progbits
