/* Accesses whose bytes lie partly in RAM and partly in the test device, or in two device
 * pages: every byte must come from (and go to) where it lives, as on hardware. The device's
 * scratch registers sit at both ends of its page, so both kinds of straddle have device
 * bytes to check. */
#include "guests/lib/report.h"
#include "guests/lib/string.h"
#include "guests/mmio-test/tests.h"

static u32 read32(u32 lin)
{
	u32 v;
	__asm__ volatile("movl (%1), %0" : "=r"(v) : "r"(lin) : "memory");
	return v;
}

static u16 read16(u32 lin)
{
	u16 v;
	__asm__ volatile("movw (%1), %0" : "=r"(v) : "r"(lin) : "memory");
	return v;
}

static void write32(u32 lin, u32 v)
{
	__asm__ volatile("movl %0, (%1)" : : "r"(v), "r"(lin) : "memory");
}

static void ram_then_device(void)
{
	u8 *ram = window_ram(WIN_RAM_A);
	ram[0xffd] = 0x99;
	ram[0xffe] = 0xaa;
	ram[0xfff] = 0xbb;
	scratch_set(SCRATCH, 0x8877665544332211ull);
	u32 v = read32(WIN_DEV - 2);
	report(v == 0x2211bbaa, "straddle: 4-byte read, 2 RAM + 2 device bytes (0x%08x)", v);
	u16 w = read16(WIN_DEV - 1);
	report(w == 0x11bb, "straddle: 2-byte read, 1 RAM + 1 device byte (0x%04x)", w);

	write32(WIN_DEV - 3, 0xddccbbaa);
	u64 s = scratch_get(SCRATCH);
	report(ram[0xffc] == 0 && ram[0xffd] == 0xaa && ram[0xffe] == 0xbb && ram[0xfff] == 0xcc &&
		   s == 0x88776655443322ddull,
	       "straddle: 4-byte write, 3 RAM + 1 device byte (RAM %02x %02x %02x, device "
	       "0x%08x%08x)",
	       ram[0xffd], ram[0xffe], ram[0xfff], (u32)(s >> 32), (u32)s);
}

static void device_then_ram(void)
{
	u8 *ram = window_ram(WIN_RAM_B);
	ram[0] = 0x31;
	ram[1] = 0x32;
	ram[2] = 0x33;
	scratch_set(SCRATCH_END, 0xf0e0d0c0b0a09080ull);
	u32 v = read32(WIN_RAM_B - 2);
	report(v == 0x3231f0e0, "straddle: 4-byte read, 2 device + 2 RAM bytes (0x%08x)", v);
	v = read32(WIN_RAM_B - 1);
	report(v == 0x333231f0, "straddle: 4-byte read, 1 device + 3 RAM bytes (0x%08x)", v);

	write32(WIN_RAM_B - 3, 0x44332211);
	u64 s = scratch_get(SCRATCH_END);
	report(s == 0x332211c0b0a09080ull && ram[0] == 0x44 && ram[1] == 0x32,
	       "straddle: 4-byte write, 3 device + 1 RAM byte (device 0x%08x%08x, RAM %02x)",
	       (u32)(s >> 32), (u32)s, ram[0]);
}

/* The end of one device page and the start of the next: two device accesses. */
static void device_then_device(void)
{
	scratch_set(SCRATCH_END, 0x0706050403020100ull);
	scratch_set(SCRATCH, 0x0f0e0d0c0b0a0908ull);
	u32 v = read32(WIN_DEV3 - 2);
	report(v == 0x09080706, "straddle: 4-byte read across two device pages (0x%08x)", v);
	write32(WIN_DEV3 - 1, 0xa3a2a1a0);
	u64 end = scratch_get(SCRATCH_END), start = scratch_get(SCRATCH);
	report(end == 0xa006050403020100ull && start == 0x0f0e0d0c0ba3a2a1ull,
	       "straddle: 4-byte write across two device pages (0x%08x%08x, 0x%08x%08x)",
	       (u32)(end >> 32), (u32)end, (u32)(start >> 32), (u32)start);
}

/* A locked read-modify-write straddling RAM and the device changes both halves. */
static void locked_straddle(void)
{
	u8 *ram = window_ram(WIN_RAM_A);
	ram[0xffe] = 0x01;
	ram[0xfff] = 0x02;
	scratch_set(SCRATCH, 0x0403ull);
	u32 flags;
	__asm__ volatile("lock orl %1, (%2)\n\tpushfl\n\tpopl %0"
			 : "=r"(flags)
			 : "r"(0x80102010u), "r"(WIN_DEV - 2)
			 : "memory", "cc");
	u64 s = scratch_get(SCRATCH);
	report(ram[0xffe] == 0x11 && ram[0xfff] == 0x22 && s == 0x8413ull &&
		   (flags & (EFLAGS_SF | EFLAGS_ZF)) == EFLAGS_SF,
	       "straddle: lock or across RAM and device (RAM %02x %02x, device 0x%x)", ram[0xffe],
	       ram[0xfff], (u32)s);
}

void test_straddle(void)
{
	ram_then_device();
	device_then_ram();
	device_then_device();
	locked_straddle();
}
