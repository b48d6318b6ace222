/* Multiboot2 header (Multiboot2 spec 3.1): magic, architecture 0 (i386 protected mode),
 * length, checksum, then tags. Only the end tag: GRUB loads the ELF by its program
 * headers and enters _start in 32-bit protected mode with EAX = magic, EBX = info. */
#define MB2_HEADER_MAGIC 0xe85250d6
#define MB2_ARCH_I386    0

	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long MB2_HEADER_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long -(MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	/* end tag: type 0, flags 0, size 8 */
	.word 0
	.word 0
	.long 8
mb2_header_end:

	.section .note.GNU-stack, "", @progbits
