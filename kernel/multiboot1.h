/* Multiboot specification 0.6.96 (version 1): the OS image header a guest kernel carries and
 * the boot information structure the boot loader (here: mhv's guest loader) hands it. */
#pragma once
#include <stdint.h>

#define MB1_HEADER_MAGIC     0x1BADB002u /* in the image, 32-bit aligned */
#define MB1_SEARCH_BYTES     8192	 /* the header lies entirely within the first 8 KiB */
#define MB1_BOOTLOADER_MAGIC 0x2BADB002u /* in EAX at the OS entry point */

/* Header flags: bits 0..15 are requirements the loader must meet or refuse the image. */
#define MB1_HF_PAGE_ALIGN    (1u << 0) /* modules 4 KiB aligned */
#define MB1_HF_MEMORY_INFO   (1u << 1) /* mem_* (and mmap) fields wanted */
#define MB1_HF_VIDEO_MODE    (1u << 2) /* mode_type..depth fields valid */
#define MB1_HF_REQUIRED_MASK 0xffffu
#define MB1_HF_ADDRESSES     (1u << 16) /* header_addr..entry_addr fields valid */

struct mb1_header {
	uint32_t magic;
	uint32_t flags;
	uint32_t checksum;	/* magic + flags + checksum == 0 (mod 2^32) */
	uint32_t header_addr;	/* guest-physical address of this header */
	uint32_t load_addr;	/* where the file's text begins */
	uint32_t load_end_addr; /* end of text+data; 0: the rest of the file */
	uint32_t bss_end_addr;	/* end of bss; 0: no bss */
	uint32_t entry_addr;
	uint32_t mode_type, width, height, depth;
};
_Static_assert(sizeof(struct mb1_header) == 48, "Multiboot header is 48 bytes");

/* Boot information flags: which fields of struct mb1_info are valid. */
#define MB1_INFO_MEMORY	     (1u << 0) /* mem_lower, mem_upper */
#define MB1_INFO_CMDLINE     (1u << 2)
#define MB1_INFO_MODS	     (1u << 3)
#define MB1_INFO_MEM_MAP     (1u << 6) /* mmap_length, mmap_addr */
#define MB1_INFO_LOADER_NAME (1u << 9)

struct mb1_info {
	uint32_t flags;
	uint32_t mem_lower; /* KiB of RAM from 0 */
	uint32_t mem_upper; /* KiB of RAM from 1 MiB */
	uint32_t boot_device;
	uint32_t cmdline; /* guest-physical address of a C string */
	uint32_t mods_count;
	uint32_t mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length; /* bytes of memory map */
	uint32_t mmap_addr;
	uint32_t drives_length;
	uint32_t drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name; /* guest-physical address of a C string */
	uint32_t apm_table;
	uint8_t vbe_and_framebuffer[44];
};
_Static_assert(sizeof(struct mb1_info) == 116, "Multiboot info structure is 116 bytes");

/* One memory map entry; `size` counts the bytes after itself (20), so the next entry starts
 * size + 4 bytes on. Packed: the 64-bit fields sit at offsets 4 and 12. */
struct mb1_mmap_entry {
	uint32_t size;
	uint64_t base_addr;
	uint64_t length;
	uint32_t type;
} __attribute__((packed));
_Static_assert(sizeof(struct mb1_mmap_entry) == 24, "Multiboot mmap entry is 24 bytes");

/* One entry of the module list at mods_addr. */
struct mb1_module {
	uint32_t mod_start; /* guest-physical [mod_start, mod_end) */
	uint32_t mod_end;
	uint32_t string; /* guest-physical address of the module's command line */
	uint32_t reserved;
};
_Static_assert(sizeof(struct mb1_module) == 16, "Multiboot module entry is 16 bytes");

#define MB1_MMAP_AVAILABLE 1 /* usable RAM */
#define MB1_MMAP_RESERVED  2
