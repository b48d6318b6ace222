/* The Linux/x86 boot protocol (Documentation/arch/x86/boot.rst and zero-page.rst): the
 * bzImage setup header and the boot_params ("zero page") a loader hands the kernel. Offsets
 * are file offsets in the image and byte offsets in boot_params alike, because boot_params
 * embeds the setup header at the same place. */
#pragma once
#include <stdint.h>

/* Setup header fields (offset, width). */
#define LINUX_HDR_START		  0x1f1 /* first byte of the setup header */
#define LINUX_HDR_SETUP_SECTS	  0x1f1 /* u8: 512-byte setup sectors after the boot sector; 0 = 4 */
#define LINUX_HDR_SYSSIZE	  0x1f4 /* u32: protected-mode code size in 16-byte units (2.04+) */
#define LINUX_HDR_JUMP_OFFSET	  0x201 /* u8: the header ends at 0x202 + this byte */
#define LINUX_HDR_MAGIC_OFFSET	  0x202 /* "HdrS" */
#define LINUX_HDR_MAGIC		  "HdrS"
#define LINUX_HDR_VERSION	  0x206 /* u16: protocol version, major << 8 | minor */
#define LINUX_HDR_TYPE_OF_LOADER  0x210 /* u8: written by the loader */
#define LINUX_HDR_LOADFLAGS	  0x211 /* u8: LINUX_LF_* */
#define LINUX_HDR_RAMDISK_IMAGE	  0x218 /* u32: initrd address, written by the loader */
#define LINUX_HDR_RAMDISK_SIZE	  0x21c /* u32: initrd size, written by the loader */
#define LINUX_HDR_HEAP_END_PTR	  0x224 /* u16: 16-bit entry only */
#define LINUX_HDR_EXT_LOADER_VER  0x226 /* u8 */
#define LINUX_HDR_EXT_LOADER_TYPE 0x227 /* u8 */
#define LINUX_HDR_CMD_LINE_PTR	  0x228 /* u32: command line address, written by the loader */
#define LINUX_HDR_INITRD_ADDR_MAX 0x22c /* u32: highest address the initrd may occupy */
#define LINUX_HDR_KERNEL_ALIGN	  0x230 /* u32: alignment a relocated kernel needs */
#define LINUX_HDR_RELOCATABLE	  0x234 /* u8: nonzero if the kernel may load anywhere aligned */
#define LINUX_HDR_XLOADFLAGS	  0x236 /* u16: LINUX_XLF_* */
#define LINUX_HDR_CMDLINE_SIZE	  0x238 /* u32: longest command line, without its NUL */
#define LINUX_HDR_HW_SUBARCH	  0x23c /* u32: 0 = PC */
#define LINUX_HDR_HW_SUBARCH_DATA 0x240 /* u64 */
#define LINUX_HDR_SETUP_DATA	  0x250 /* u64: list of setup_data, 0 = none */
#define LINUX_HDR_PREF_ADDRESS	  0x258 /* u64: preferred load address */
#define LINUX_HDR_INIT_SIZE	  0x260 /* u32: bytes the kernel needs from its load address */
#define LINUX_HDR_INIT_SIZE_END	  0x264 /* a 2.12 header reaches at least this far */

#define LINUX_PROTOCOL_MIN	  0x020c /* 2.12: 64-bit entry, xloadflags, pref_address, init_size */
#define LINUX_SETUP_SECTS_DEFAULT 4	 /* setup_sects 0 means 4 (boot.rst) */
#define LINUX_SETUP_SECTS_MAX	  63 /* boot sector + setup fit in 32 KiB (setup.ld asserts it) */
#define LINUX_SECTOR_BYTES	  512
#define LINUX_SYSSIZE_UNIT	  16
#define LINUX_STARTUP_64_OFFSET	  0x200 /* 64-bit entry: protected-mode kernel + 0x200 */

#define LINUX_LF_LOADED_HIGH   0x01   /* loadflags: protected-mode code is at 0x100000 or above */
#define LINUX_LF_CAN_USE_HEAP  0x80   /* loadflags: heap_end_ptr is valid */
#define LINUX_XLF_KERNEL_64    0x0001 /* xloadflags: has the 64-bit entry at +0x200 */
#define LINUX_LOADER_UNDEFINED 0xff   /* type_of_loader: a boot loader without an assigned ID */

/* boot_params fields outside the setup header. */
#define LINUX_BP_SIZE		   4096
#define LINUX_BP_ACPI_RSDP_ADDR	   0x070 /* u64 */
#define LINUX_BP_EXT_RAMDISK_IMAGE 0x0c0 /* u32: ramdisk_image bits 63:32 */
#define LINUX_BP_EXT_RAMDISK_SIZE  0x0c4 /* u32 */
#define LINUX_BP_EXT_CMD_LINE_PTR  0x0c8 /* u32: cmd_line_ptr bits 63:32 */
#define LINUX_BP_E820_ENTRIES	   0x1e8 /* u8: entries used in the e820 table */
#define LINUX_BP_SENTINEL	   0x1ef /* u8: nonzero tells the kernel boot_params was not zeroed */
#define LINUX_BP_HDR_END_MAX	   0x290 /* edd_mbr_sig_buffer follows the header's room */
#define LINUX_BP_E820_TABLE	   0x2d0 /* struct linux_e820_entry[LINUX_E820_MAX] */
#define LINUX_E820_MAX		   128

#define LINUX_E820_RAM	    1 /* usable RAM */
#define LINUX_E820_RESERVED 2

/* The 64-bit entry's GDT selectors (boot.rst "64-bit Boot Protocol"): flat 4 GiB segments. */
#define LINUX_BOOT_CS 0x10 /* __BOOT_CS: execute/read */
#define LINUX_BOOT_DS 0x18 /* __BOOT_DS: read/write, also in ES and SS */

struct linux_e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
} __attribute__((packed));

_Static_assert(sizeof(struct linux_e820_entry) == 20, "boot_params e820 entries are 20 bytes");
