/* QEMU's firmware configuration device, traditional (port I/O, no DMA) interface only:
 * firmware and test programs (SeaBIOS, kvm-unit-tests) read the machine's size from it.
 *
 * Port 0x510, 16-bit write: selects an item and rewinds to its first byte. A 32-bit write
 * there selects with its low 16 bits (the high half belongs to ports 0x512-0x513, which
 * are not the device's). A byte write there is half a selector and is ignored.
 * Port 0x511, 8-bit read: the selected item's next byte; past its end, 0. The device is
 * read-only: writes to 0x511 are ignored, as by QEMU since 2.4.
 * A wider access is byte cycles at consecutive ports: reading 0x510 (the write-only
 * selector) or anything above 0x511 gives 0xff, so a 16-bit read at 0x511 returns one data
 * byte in its low half.
 *
 * Items are little-endian integers unless said otherwise; keys absent from this list are
 * empty (read as zeros). Bit 14 of a key (QEMU's write flag) is ignored. At power-on the
 * signature is selected, as after QEMU's reset. */
#pragma once
#include "devices/access.h"
#include <stdint.h>

#define FW_CFG_PORT_SELECTOR 0x510
#define FW_CFG_PORT_DATA     0x511
#define FW_CFG_PORTS	     2

#define FW_CFG_SIGNATURE  0x0000 /* the 4 bytes "QEMU" */
#define FW_CFG_ID	  0x0001 /* 32-bit interface bits: 1 = traditional interface only */
#define FW_CFG_RAM_SIZE	  0x0003 /* 64-bit: bytes of guest RAM */
#define FW_CFG_NB_CPUS	  0x0005 /* 16-bit: vCPUs present */
#define FW_CFG_MAX_CPUS	  0x000f /* 16-bit: vCPUs possible (no hotplug: the same) */
#define FW_CFG_MAX_RAM	  0x0010 /* 64-bit: kvm-unit-tests' limit for its allocator */
#define FW_CFG_MAX_RAM_V1 0x0011 /* the same, where kvm-unit-tests first put it */
#define FW_CFG_WRITE_FLAG 0x4000 /* key bit 14, QEMU's write channel: ignored */

struct fw_cfg {
	uint64_t ram_bytes;
	uint16_t cpus;
	uint16_t key;	 /* selected item, write flag cleared */
	uint32_t offset; /* next byte of it to read */
};

void fw_cfg_init(struct fw_cfg *f, uint64_t ram_bytes, unsigned cpus);
/* io_handler_fn for ports 0x510-0x511. */
void fw_cfg_io(void *fw_cfg, struct io_access *a);
