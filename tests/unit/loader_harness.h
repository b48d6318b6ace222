/* Shared by the loader unit tests: poisoned guest RAM behind a struct gmem, default VM
 * settings, an image buffer and Multiboot header builders. */
#pragma once
#include "kernel/loader.h"
#include "kernel/multiboot1.h"
#include "tests/unit/check.h"
#include "tests/unit/shim.h"
#include "tests/unit/test_ram.h"
#include <elf.h>

#define MIB	       (1ull << 20)
#define GUEST_MEM      (4 * MIB)
#define POISON	       0xcc /* guest RAM before loading: bss must not keep it */
#define MB1_FLAGS_ADDR (1u << 16)

static struct test_ram ram;
static struct gmem mem;
static struct vm_config cfg;
static struct guest_entry entry;
static char err[160];
static uint8_t image[64 * 1024];

/* Fresh poisoned RAM of `size` bytes, default settings, an all-zero image. */
static inline void setup(uint64_t size)
{
	test_ram_reset(&ram, &mem, size, POISON);
	memset(&cfg, 0, sizeof cfg);
	strcpy(cfg.name, "t");
	cfg.mem_bytes = size;
	cfg.cpus = 1;
	memset(image, 0, sizeof image);
	memset(&entry, 0xa5, sizeof entry);
	err[0] = 0;
	shim_log_take();
}

static inline bool load(size_t size)
{
	return image_load(image, size, &cfg, &mem, &entry, err, sizeof err);
}

static inline bool fails_with(size_t size, const char *part)
{
	if (load(size))
		return false;
	if (!strstr(err, part))
		printf("    error '%s' lacks '%s'\n", err, part);
	return strstr(err, part) != NULL;
}

static inline uint32_t ram32(uint64_t gpa)
{
	uint32_t v;
	memcpy(&v, ram.bytes + gpa, sizeof v);
	return v;
}

static inline uint64_t ram64(uint64_t gpa)
{
	uint64_t v;
	memcpy(&v, ram.bytes + gpa, sizeof v);
	return v;
}

static inline bool ram_all(uint64_t gpa, uint64_t n, uint8_t value)
{
	for (uint64_t i = 0; i < n; i++)
		if (ram.bytes[gpa + i] != value)
			return false;
	return true;
}

static inline void fill_pattern(size_t off, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		image[off + i] = (uint8_t)(seed + i);
}

/* --- image builders --- */

struct seg {
	uint32_t type;
	uint64_t paddr, vaddr, offset, filesz, memsz;
};

static inline void put_mb1_header(size_t off, uint32_t flags)
{
	uint32_t w[3] = {MB1_HEADER_MAGIC, flags, -(MB1_HEADER_MAGIC + flags)};
	memcpy(image + off, w, sizeof w);
}

static inline void put_mb1_addresses(size_t off, uint32_t header_addr, uint32_t load_addr,
				     uint32_t load_end, uint32_t bss_end, uint32_t entry_addr)
{
	uint32_t w[5] = {header_addr, load_addr, load_end, bss_end, entry_addr};
	memcpy(image + off + 12, w, sizeof w);
}

/* A Multiboot kernel with address fields: header at file offset 0x40, the file loaded at
 * 1 MiB, 0x1000 bytes of bss after its 0x2000 file bytes, entry at 1 MiB + 0x100. */
#define MBK_LOAD  0x100000u
#define MBK_FILE  0x2000u
#define MBK_BSS	  0x1000u
#define MBK_ENTRY (MBK_LOAD + 0x100)
static inline void build_mb1_kernel(uint32_t extra_flags)
{
	fill_pattern(0, MBK_FILE, 0x41);
	put_mb1_header(0x40, MB1_FLAGS_ADDR | extra_flags);
	put_mb1_addresses(0x40, MBK_LOAD + 0x40, MBK_LOAD, MBK_LOAD + MBK_FILE,
			  MBK_LOAD + MBK_FILE + MBK_BSS, MBK_ENTRY);
}

/* ELF32 executable: header at 0, program headers at 52; segment data filled with a pattern. */
static inline void build_elf32(const struct seg *segs, int n, uint64_t e_entry, uint16_t machine)
{
	Elf32_Ehdr eh = {0};
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS32;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_EXEC;
	eh.e_machine = machine;
	eh.e_version = EV_CURRENT;
	eh.e_entry = (uint32_t)e_entry;
	eh.e_phoff = sizeof eh;
	eh.e_ehsize = sizeof eh;
	eh.e_phentsize = sizeof(Elf32_Phdr);
	eh.e_phnum = (uint16_t)n;
	memcpy(image, &eh, sizeof eh);
	for (int i = 0; i < n; i++) {
		Elf32_Phdr ph = {.p_type = segs[i].type,
				 .p_offset = (uint32_t)segs[i].offset,
				 .p_vaddr = (uint32_t)segs[i].vaddr,
				 .p_paddr = (uint32_t)segs[i].paddr,
				 .p_filesz = (uint32_t)segs[i].filesz,
				 .p_memsz = (uint32_t)segs[i].memsz,
				 .p_align = 0x1000};
		memcpy(image + sizeof eh + i * sizeof ph, &ph, sizeof ph);
		if (segs[i].offset <= sizeof image &&
		    segs[i].filesz <= sizeof image - segs[i].offset)
			fill_pattern(segs[i].offset, segs[i].filesz, (uint8_t)(0x10 * (i + 1)));
	}
}

static inline void build_elf64(const struct seg *segs, int n, uint64_t e_entry)
{
	Elf64_Ehdr eh = {0};
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_EXEC;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_entry = e_entry;
	eh.e_phoff = sizeof eh;
	eh.e_ehsize = sizeof eh;
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = (uint16_t)n;
	memcpy(image, &eh, sizeof eh);
	for (int i = 0; i < n; i++) {
		Elf64_Phdr ph = {.p_type = segs[i].type,
				 .p_offset = segs[i].offset,
				 .p_vaddr = segs[i].vaddr,
				 .p_paddr = segs[i].paddr,
				 .p_filesz = segs[i].filesz,
				 .p_memsz = segs[i].memsz,
				 .p_align = 0x1000};
		memcpy(image + sizeof eh + i * sizeof ph, &ph, sizeof ph);
		if (segs[i].offset <= sizeof image &&
		    segs[i].filesz <= sizeof image - segs[i].offset)
			fill_pattern(segs[i].offset, segs[i].filesz, (uint8_t)(0x10 * (i + 1)));
	}
}
