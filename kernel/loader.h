/* Guest image loaders: detect an image's format and place it in guest memory, producing
 * the vCPU's initial state. Pure logic over a guest-memory writer, so host-testable. */
#pragma once
#include "kernel/vm_config.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Guest-physical memory as the loaders see it: RAM [0, size). */
struct gmem {
	void *ctx;
	uint64_t size;
	bool (*write)(void *ctx, uint64_t gpa, const void *src, uint64_t n);
};

enum guest_cpu_mode {
	GUEST_REAL16,   /* real mode, CS = cs_selector, base = selector << 4 */
	GUEST_PROT32,   /* flat 32-bit protected mode, paging off */
	GUEST_LONG64,   /* long mode, paging on with cr3 */
};

struct guest_entry {
	enum guest_cpu_mode mode;
	uint64_t rip;
	uint16_t cs_selector;        /* GUEST_REAL16 only */
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
	uint64_t cr3;                /* GUEST_LONG64 only */
	uint64_t gdt_base;           /* GUEST_LONG64: a GDT the loader placed in guest RAM */
	uint16_t gdt_limit;
};

enum image_format {
	IMAGE_UNKNOWN,
	IMAGE_MULTIBOOT1,
	IMAGE_ELF32,
	IMAGE_ELF64,
	IMAGE_FLAT,
	IMAGE_LINUX,
};

const char *image_format_name(enum image_format f);
enum image_format image_detect(const void *image, size_t size, const struct vm_config *cfg);

/* Loads the image; on error returns false with a one-line reason in err (the caller
 * prefixes the module name). */
bool image_load(const void *image, size_t size, const struct vm_config *cfg, struct gmem *mem,
		struct guest_entry *entry, char *err, size_t errlen);
