/* QEMU's fw_cfg ports: the signature, the interface bits and the machine's size, which must
 * agree with what the Multiboot information says. */
#include "devices/fw_cfg.h"
#include "guests/lib/report.h"
#include "guests/lib/x86.h"
#include "guests/mb1-test/tests.h"

#define KIB	      1024ull
#define LOW_RAM_KIB   1024 /* mem_upper counts from 1 MiB */
#define UNKNOWN_ITEM  0x7777
#define ITEM_MAX_READ 8

static u64 item(u16 key, u32 bytes)
{
	u64 v = 0;
	outw(FW_CFG_PORT_SELECTOR, key);
	for (u32 i = 0; i < bytes; i++)
		v |= (u64)inb(FW_CFG_PORT_DATA) << (8 * i);
	return v;
}

void test_fw_cfg(const struct mb1_info *mbi)
{
	u32 sig = (u32)item(FW_CFG_SIGNATURE, 4);
	report(sig == 0x554d4551, "fw_cfg: signature \"QEMU\" (0x%08x)", sig);
	report(item(FW_CFG_ID, 4) == 1, "fw_cfg: ID 1, traditional interface without DMA");
	u64 ram = item(FW_CFG_RAM_SIZE, 8);
	u64 want = (mbi->mem_upper + LOW_RAM_KIB) * KIB;
	report((mbi->flags & MB1_INFO_MEM) && ram == want,
	       "fw_cfg: RAM size matches mem_upper (%u KiB, want %u KiB)", (u32)(ram / KIB),
	       (u32)(want / KIB));
	u32 cpus = (u32)item(FW_CFG_NB_CPUS, 2), max = (u32)item(FW_CFG_MAX_CPUS, 2);
	report(cpus == 1 && max == 1, "fw_cfg: 1 CPU present, 1 possible (%u, %u)", cpus, max);
	report(item(UNKNOWN_ITEM, ITEM_MAX_READ) == 0, "fw_cfg: an unknown item reads as zeros");
}
