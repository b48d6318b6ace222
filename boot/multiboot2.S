/* Multiboot2 header (Multiboot2 spec 3.1): magic, architecture 0 (i386 protected mode),
 * length, checksum, then tags. GRUB loads the ELF by its program headers, anywhere the
 * relocatable tag allows, and enters _start in 32-bit protected mode with EAX = magic and
 * EBX = info, on BIOS and on UEFI alike (on UEFI after ExitBootServices). */
#define MB2_HEADER_MAGIC    0xe85250d6
#define MB2_ARCH_I386       0
#define MB2_TAG_OPTIONAL    1          /* flags bit 0: boot even if the loader cannot do it */
#define MB2_TAG_INFO_REQ    1          /* information request: tags we want in the MBI */
#define MB2_TAG_FRAMEBUFFER 5          /* a linear framebuffer, any mode the loader likes */
#define MB2_TAG_RELOCATABLE 10         /* load anywhere in [min, max] at this alignment */
#define MB2_INFO_MMAP       6
#define MB2_INFO_FB         8
#define MB2_INFO_ACPI_OLD   14
#define MB2_INFO_ACPI_NEW   15
#define MB2_INFO_EFI_MMAP   17
#define MB2_INFO_LOAD_BASE  21
#define RELOC_MIN           0x200000   /* the link address: never below it */
#define RELOC_MAX           0xffffffff /* the 32-bit entry and the boot map reach 4 GiB */
#define RELOC_ALIGN         0x200000   /* 2 MiB: boot/entry.S maps the image with 2 MiB pages */
#define RELOC_PREFER_HIGH   2          /* keep low memory for firmware and the AP trampoline */

	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long MB2_HEADER_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long -(MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))

	.balign 8
info_request:
	.word MB2_TAG_INFO_REQ, MB2_TAG_OPTIONAL
	.long info_request_end - info_request
	.long MB2_INFO_MMAP, MB2_INFO_FB, MB2_INFO_ACPI_OLD, MB2_INFO_ACPI_NEW
	.long MB2_INFO_EFI_MMAP, MB2_INFO_LOAD_BASE
info_request_end:

	.balign 8
	.word MB2_TAG_FRAMEBUFFER, MB2_TAG_OPTIONAL
	.long 20
	.long 0, 0, 0			/* width, height, depth: no preference */

	.balign 8
	.word MB2_TAG_RELOCATABLE, MB2_TAG_OPTIONAL
	.long 24
	.long RELOC_MIN, RELOC_MAX, RELOC_ALIGN, RELOC_PREFER_HIGH

	.balign 8
	.word 0, 0			/* end tag */
	.long 8
mb2_header_end:

	.section .note.GNU-stack, "", @progbits
