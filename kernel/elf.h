/* The parts of the ELF format (System V gABI, little-endian x86) the guest loaders read:
 * the file header and program headers of 32- and 64-bit executables. */
#pragma once
#include <stdint.h>

#define ELF_MAG0_3                                                                                 \
	"\x7f"                                                                                     \
	"ELF"	       /* e_ident[0..3] */
#define ELF_EI_CLASS 4 /* e_ident index: word size */
#define ELF_EI_DATA  5 /* e_ident index: byte order */
#define ELFCLASS32   1
#define ELFCLASS64   2
#define ELFDATA2LSB  1 /* little-endian */

#define ELF_ET_EXEC   2	 /* e_type: executable */
#define ELF_EM_386    3	 /* e_machine: Intel 80386 */
#define ELF_EM_X86_64 62 /* e_machine: AMD x86-64 */

#define ELF_PT_LOAD 1 /* p_type: loadable segment */

struct elf32_ehdr {
	uint8_t e_ident[16];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint32_t e_entry;
	uint32_t e_phoff;
	uint32_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};
_Static_assert(sizeof(struct elf32_ehdr) == 52, "ELF32 file header is 52 bytes");

struct elf64_ehdr {
	uint8_t e_ident[16];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};
_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF64 file header is 64 bytes");

struct elf32_phdr {
	uint32_t p_type;
	uint32_t p_offset;
	uint32_t p_vaddr;
	uint32_t p_paddr;
	uint32_t p_filesz;
	uint32_t p_memsz;
	uint32_t p_flags;
	uint32_t p_align;
};
_Static_assert(sizeof(struct elf32_phdr) == 32, "ELF32 program header is 32 bytes");

struct elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
};
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF64 program header is 56 bytes");
