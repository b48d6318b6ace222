/* Shared by the Linux loader tests: synthetic bzImages (a setup area carrying the header at
 * 0x1f1, then a patterned "kernel"), poisoned guest RAM and helpers to read it back. */
#pragma once
#include "kernel/loader.h"
#include "tests/unit/check.h"
#include "tests/unit/shim.h"
#include "tests/unit/test_ram.h"
#include <stdlib.h>

#define MIB	  (1ull << 20)
#define GUEST_MEM (32 * MIB)
#define POISON	  0xcc /* guest RAM before loading */
#define BP	  LOADER_LINUX_BOOT_PARAMS_GPA

/* Header values of the default test kernel. */
#define K_PREF	       0x1000000ull /* 16 MiB, as Debian's kernels */
#define K_INIT_SIZE    0x400000u
#define K_ALIGN	       0x200000u
#define K_BYTES	       0x3000u
#define K_SETUP_SECTS  3
#define K_HDR_JUMP     0x6a /* header ends at 0x26c, as protocol 2.15 */
#define K_CMDLINE_SIZE 2047u

static struct test_ram ram;
static struct gmem mem;
static struct vm_config cfg;
static struct guest_entry entry;
static char err[200];
static uint8_t image[64 * 1024];
static uint8_t initrd[0x3000];
static size_t image_size;

static inline void setup(uint64_t size)
{
	test_ram_reset(&ram, &mem, size, POISON);
	memset(&cfg, 0, sizeof cfg);
	strcpy(cfg.name, "lx");
	cfg.mem_bytes = size;
	cfg.cpus = 1;
	memset(&entry, 0xa5, sizeof entry);
	for (size_t i = 0; i < sizeof initrd; i++)
		initrd[i] = (uint8_t)(i * 7 + 3);
	err[0] = 0;
	shim_log_take();
}

static inline void put(size_t off, uint64_t value, unsigned width)
{
	for (unsigned i = 0; i < width; i++)
		image[off + i] = (uint8_t)(value >> (8 * i));
}

static inline bool in_ram(uint64_t gpa, uint64_t n)
{
	return gpa <= ram.size && n <= ram.size - gpa;
}

static inline uint64_t ram_le(uint64_t gpa, unsigned width)
{
	if (!in_ram(gpa, width))
		return ~0ull;
	uint64_t v = 0;
	for (unsigned i = 0; i < width; i++)
		v |= (uint64_t)ram.bytes[gpa + i] << (8 * i);
	return v;
}

static inline bool ram_all(uint64_t gpa, uint64_t n, uint8_t value)
{
	if (!in_ram(gpa, n))
		return false;
	for (uint64_t i = 0; i < n; i++)
		if (ram.bytes[gpa + i] != value)
			return false;
	return true;
}

static inline bool ram_equals(uint64_t gpa, const void *src, uint64_t n)
{
	return in_ram(gpa, n) && memcmp(ram.bytes + gpa, src, n) == 0;
}

static inline size_t kernel_offset(void)
{
	unsigned sects = image[0x1f1] ? image[0x1f1] : 4;
	return (sects + 1) * 512u;
}

/* A protocol 2.15 bzImage: relocatable, 64-bit entry, setup filled with junk that must not
 * reach boot_params outside the header. */
static inline void build(unsigned setup_sects)
{
	memset(image, 0, sizeof image);
	for (size_t i = 0; i < sizeof image; i++)
		image[i] = (uint8_t)(0x5a ^ i);
	image[0x1f1] = (uint8_t)setup_sects;
	put(0x1fe, 0xaa55, 2);
	put(0x200, 0xeb, 1);
	put(0x201, K_HDR_JUMP, 1);
	memcpy(image + 0x202, "HdrS", 4);
	put(0x206, 0x020f, 2);
	put(0x210, 0, 1);
	put(0x211, 0x81, 1); /* LOADED_HIGH | CAN_USE_HEAP */
	put(0x218, 0, 8);
	put(0x224, 0xde00, 2);
	put(0x228, 0, 4);
	put(0x22c, 0x7fffffff, 4);
	put(0x230, K_ALIGN, 4);
	put(0x234, 1, 1);
	put(0x235, 21, 1);
	put(0x236, 0x7f, 2);
	put(0x238, K_CMDLINE_SIZE, 4);
	put(0x23c, 0, 4);
	put(0x240, 0, 8);
	put(0x250, 0, 8);
	put(0x258, K_PREF, 8);
	put(0x260, K_INIT_SIZE, 4);
	size_t koff = kernel_offset();
	image_size = koff + K_BYTES;
	put(0x1f4, K_BYTES / 16, 4);
	for (size_t i = 0; i < K_BYTES; i++)
		image[koff + i] = (uint8_t)(i * 13 + 1);
}

static inline bool load(void)
{
	return image_load(image, image_size, &cfg, &mem, &entry, err, sizeof err);
}

/* Stops the case when the load fails: what follows would read unwritten guest memory. */
#define REQUIRE_LOAD()                                                                             \
	do {                                                                                       \
		bool loaded_ = load();                                                             \
		if (!loaded_)                                                                      \
			printf("    load failed: %s\n", err);                                      \
		CHECK(loaded_);                                                                    \
		if (!loaded_)                                                                      \
			return;                                                                    \
	} while (0)

static inline bool fails_with(const char *part)
{
	if (load())
		return false;
	if (!strstr(err, part))
		printf("    error '%s' lacks '%s'\n", err, part);
	return strstr(err, part) != NULL;
}

static inline void give_initrd(uint64_t size)
{
	cfg.initrd_image = initrd;
	cfg.initrd_size = size;
}

/* The 4-level walk the CPU does for a 2 MiB page; ~0 when unmapped. */
static inline uint64_t walk(uint64_t va)
{
	uint64_t pml4e = ram_le(entry.cr3 + ((va >> 39) & 511) * 8, 8);
	if (!(pml4e & 1))
		return ~0ull;
	uint64_t pdpte = ram_le((pml4e & ~0xfffull) + ((va >> 30) & 511) * 8, 8);
	if (!(pdpte & 1) || (pdpte & 0x80))
		return ~0ull;
	uint64_t pde = ram_le((pdpte & ~0xfffull) + ((va >> 21) & 511) * 8, 8);
	if ((pde & 0x83) != 0x83)
		return ~0ull;
	return (pde & ~0x1fffffull) + (va & 0x1fffff);
}
