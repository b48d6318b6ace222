/* Multiboot v1 (Multiboot Specification 0.6.96): the header a guest carries and the boot
 * information the loader hands over in EBX. */
#pragma once

#define MB1_HEADER_MAGIC      0x1badb002 /* in the image, 4-byte aligned in its first 8 KiB */
#define MB1_HEADER_PAGE_ALIGN (1u << 0)	 /* load modules on 4 KiB boundaries */
#define MB1_HEADER_MEMINFO    (1u << 1)	 /* loader must fill mem_* (and mmap_* when it can) */
#define MB1_BOOT_MAGIC	      0x2badb002 /* EAX at entry */

#define MB1_INFO_MEM	 (1u << 0) /* mem_lower / mem_upper valid */
#define MB1_INFO_CMDLINE (1u << 2) /* cmdline valid */
#define MB1_INFO_MODS	 (1u << 3) /* mods_count / mods_addr valid */
#define MB1_INFO_MMAP	 (1u << 6) /* mmap_length / mmap_addr valid */

#define MB1_MMAP_AVAILABLE 1 /* memory-map type: usable RAM; every other type is not */

#ifndef __ASSEMBLY__
#include "guests/lib/types.h"

struct mb1_info {
	u32 flags;
	u32 mem_lower; /* KiB from 0 */
	u32 mem_upper; /* KiB from 1 MiB */
	u32 boot_device;
	u32 cmdline;
	u32 mods_count;
	u32 mods_addr;
	u32 syms[4];
	u32 mmap_length; /* bytes */
	u32 mmap_addr;
};
_Static_assert(sizeof(struct mb1_info) == 52, "mb1_info up to mmap_addr is 52 bytes");

/* One entry of the module list at mods_addr. */
struct mb1_module {
	u32 start, end; /* [start, end) */
	u32 string;	/* the module's command line */
	u32 reserved;
};
_Static_assert(sizeof(struct mb1_module) == 16, "mb1 module entry is 16 bytes");

/* size counts the bytes after itself: the next entry starts size + 4 bytes on. */
struct __attribute__((packed)) mb1_mmap_entry {
	u32 size;
	u64 base;
	u64 length;
	u32 type;
};
_Static_assert(sizeof(struct mb1_mmap_entry) == 24, "mb1 mmap entry is 24 bytes");

/* The guest program: entry.S calls it with the loader's EAX and EBX; its return value is the
 * exit code. */
int main(u32 magic, const struct mb1_info *mbi);
#endif
