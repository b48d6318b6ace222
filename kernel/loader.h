/* Guest image loaders: detect an image's format and place it in guest memory, producing
 * the vCPU's initial state. Pure logic over a guest-memory writer, so host-testable. */
#pragma once
#include "kernel/vm_config.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Structures the loaders build in guest RAM (the image must not overlap the fixed ones its
 * format uses):
 *   ELF64:       identity page tables [0x1000, 0x7000): PML4, PDPT, 4 PDs of 2 MiB pages
 *                mapping all of [0, 4 GiB) (so MMIO is reachable as with paging off);
 *                GDT at 0x7000: null, 64-bit code at 0x8, data at 0x10.
 *   Multiboot 1: no fixed address. The modules= modules go page-aligned after the image,
 *                each at the first free place. The boot information (info, memory map,
 *                module list, loader name and every string) is one page-aligned block in
 *                the lowest free pages of [LOADER_MB1_INFO_MIN, end of base memory), else
 *                at the first free place after the image. "Free" means clear of the image,
 *                the modules, the 640 KiB-1 MiB hole and, with bios=on, the BIOS areas.
 *   bios=on:     (Multiboot and flat images) real-mode IVT [0, 0x400), BIOS data area
 *                [0x400, 0x500), a 1 KiB EBDA [0x9fc00, 0xa0000) that ends base memory, and
 *                the interrupt stubs the IVT points to in [0xff000, 0x100000) (kernel/bios.h);
 *                [0xe0000, 0xff000) stays free for firmware tables.
 *   Linux:       the ELF64 page tables, GDT at 0x7000 with null descriptors at 0x0 and 0x8,
 *                64-bit code at 0x10 and data at 0x18 (the boot protocol's selectors);
 *                boot_params ("zero page") at 0x10000, the command line at 0x11000. The
 *                kernel and initrd go at or above 1 MiB (kernel/loader_linux.c). */
#define LOADER_PML4_GPA      0x1000
#define LOADER_PDPT_GPA      0x2000
#define LOADER_PD_GPA        0x3000 /* 4 consecutive page directories, one per GiB */
#define LOADER_GDT_GPA       0x7000
#define LOADER_LONGMODE_END  0x8000
#define LOADER_GDT_CODE64    0x08   /* selectors in the ELF64 GDT */
#define LOADER_GDT_DATA      0x10
#define LOADER_MB1_INFO_MIN  0x1000 /* page 0 holds a real-mode IVT, and 0 looks like NULL */
#define LOADER_BIOS_LOW_GPA  0x0     /* IVT and BIOS data area */
#define LOADER_BIOS_LOW_END  0x500
#define LOADER_BIOS_EBDA_GPA 0x9fc00
#define LOADER_BIOS_EBDA_END 0xa0000
#define LOADER_BIOS_ROM_GPA  0xff000 /* real-mode F000:F000 */
#define LOADER_BIOS_ROM_END  0x100000
#define LOADER_LINUX_BOOT_PARAMS_GPA 0x10000
#define LOADER_LINUX_CMDLINE_GPA     0x11000
#define LOADER_LINUX_END             0x12000
/* Every VM's ACPI tables (kernel/vm_acpi.c): the RSDP at 0xe0000, where a BIOS-area scan
 * finds it, the other tables after it, up to LOADER_ACPI_END; inside the 640 KiB-1 MiB range
 * every memory map reports reserved. */
#define LOADER_ACPI_RSDP_GPA         0xe0000
#define LOADER_ACPI_END              0xf0000

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
	uint16_t code_sel, data_sel; /* GUEST_LONG64: CS and DS/ES/SS/FS/GS selectors in that
				      * GDT; 0 means LOADER_GDT_CODE64 and LOADER_GDT_DATA */
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
