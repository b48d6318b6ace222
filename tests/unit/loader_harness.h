/* Shared by the loader unit tests: poisoned guest RAM behind a struct gmem, default VM
 * settings, an image buffer and Multiboot header builders. */
#pragma once
#include "kernel/loader.h"
#include "kernel/multiboot1.h"
#include "tests/unit/check.h"
#include "tests/unit/shim.h"
#include "tests/unit/test_ram.h"

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
