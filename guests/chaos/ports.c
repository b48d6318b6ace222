/* Port I/O: every width, immediate and DX forms, string forms with REP, both directions and
 * both address sizes, PCI configuration mechanism #1. Writes that would end the VM (debug exit,
 * resets, ACPI sleep) or silence our console are left out here; the final operation uses some. */
#include "guests/chaos/chaos.h"
#include "guests/lib/x86.h"

#define KBC_CMD		  0x64
#define KBC_WRITE_OUTPORT 0xd1
#define KBC_PULSE_FIRST	  0xf0 /* 0xf0-0xff pulse output lines; an even value pulses reset */
#define SYSCTL_A	  0x92 /* bit 0: fast reset */
#define PCI_ADDRESS	  0xcf8
#define PCI_DATA	  0xcfc
#define CHIPSET_RESET	  0xcf9
#define ACPI_PM_SLEEP	  0x600 /* 0x600-0x607: sleep control and status, reset register */
#define ACPI_PM_TIMER	  0x608
#define DEBUG_EXIT	  0xf4
#define COM1		  0x3f8
#define STRING_MAX	  2048 /* elements: more than one batch of mhv's string I/O */

/* The emulated devices' ports and a few that must stay unclaimed (POST, Bochs' shutdown and
 * debug ports: a guest must never reach the emulator's). */
static const u32 device_ports[] = {
    0x20,  0x21, 0xa0,	0xa1,  0x4d0, 0x4d1, 0x40,   0x41,  0x42,  0x43,  0x61,	 0x70,	 0x71,
    0x60,  0x64, 0x510, 0x511, 0xcf8, 0xcfc, 0xcfd,  0xcfe, 0xcff, 0x600, 0x601, 0x604,	 0x608,
    0x609, 0x80, 0x92,	0x3fd, 0x3f9, 0xf4,  0x8900, 0xe9,  0x402, 0x403, 0x0,	 0xffff,
};

static u8 io_buf[STRING_MAX * 4 + 64] __attribute__((aligned(16)));

static u16 random_port(void)
{
	if (rnd_chance(40))
		return (u16)rnd();
	return (u16)(rnd_pick(device_ports, COUNT(device_ports)) +
		     (rnd_chance(20) ? rnd_below(4) : 0));
}

static u32 random_size(void)
{
	return 1u << rnd_below(3);
}

/* May byte `b` be written to port `port`? */
static bool byte_write_ok(u32 port, u8 b, bool dword_at_cf8)
{
	if (port >= DEBUG_EXIT && port <= DEBUG_EXIT + 3)
		return false;
	if (port >= COM1 && port <= COM1 + 7)
		return false;
	if (port >= ACPI_PM_SLEEP && port < ACPI_PM_TIMER)
		return false;
	if (port == KBC_CMD)
		return b != KBC_WRITE_OUTPORT && !(b >= KBC_PULSE_FIRST && !(b & 1));
	if (port == SYSCTL_A)
		return !(b & 1);
	if (port == CHIPSET_RESET)
		return dword_at_cf8;
	return true;
}

static bool write_ok(u32 port, u32 size, u32 value)
{
	for (u32 i = 0; i < size; i++)
		if (!byte_write_ok((port + i) & 0xffff, (u8)(value >> (8 * i)),
				   port == PCI_ADDRESS && size == 4))
			return false;
	return true;
}

/* Every value may be written: checked with the values that the filters above look at. */
static bool write_ok_any(u32 port, u32 size)
{
	static const u32 probes[] = {0, ~0u, 0xd1d1d1d1u, 0xfefefefeu, 0x01010101u};
	for (u32 i = 0; i < COUNT(probes); i++)
		if (!write_ok(port, size, probes[i]))
			return false;
	return true;
}

static void port_write(u16 port, u32 size, u32 v)
{
	if (size == 1)
		outb(port, (u8)v);
	else if (size == 2)
		outw(port, (u16)v);
	else
		outl(port, v);
}

static u32 port_read(u16 port, u32 size)
{
	if (size == 1)
		return inb(port);
	if (size == 2)
		return inw(port);
	return inl(port);
}

/* The immediate-port encodings (exit qualification bit 6) for a few harmless ports. */
static void port_immediate(void)
{
	u32 v = rnd();
	switch (rnd_below(4)) {
	case 0:
		__asm__ volatile("outb %%al, $0x80" : : "a"(v));
		break;
	case 1:
		__asm__ volatile("inb $0x61, %%al" : "+a"(v));
		break;
	case 2:
		__asm__ volatile("inw $0x40, %%ax" : "+a"(v));
		break;
	default:
		__asm__ volatile("inl $0x70, %%eax" : "+a"(v));
		break;
	}
}

void op_port(void)
{
	u32 n = 1 + rnd_below(32);
	for (u32 i = 0; i < n; i++) {
		u16 port = random_port();
		u32 size = random_size(), v = rnd_value();
		if (rnd_chance(5)) {
			port_immediate();
		} else if (rnd_chance(60)) {
			if (write_ok(port, size, v))
				port_write(port, size, v);
		} else {
			port_read(port, size);
		}
	}
}

/* REP INS/OUTS of `count` elements at `buf` with 32-bit addressing. */
static void string_io32(u16 port, u32 size, bool in, u32 buf, u32 count)
{
	if (in) {
		if (size == 1)
			__asm__ volatile("rep insb"
					 : "+D"(buf), "+c"(count)
					 : "d"(port)
					 : "memory");
		else if (size == 2)
			__asm__ volatile("rep insw"
					 : "+D"(buf), "+c"(count)
					 : "d"(port)
					 : "memory");
		else
			__asm__ volatile("rep insl"
					 : "+D"(buf), "+c"(count)
					 : "d"(port)
					 : "memory");
	} else {
		if (size == 1)
			__asm__ volatile("rep outsb"
					 : "+S"(buf), "+c"(count)
					 : "d"(port)
					 : "memory");
		else if (size == 2)
			__asm__ volatile("rep outsw"
					 : "+S"(buf), "+c"(count)
					 : "d"(port)
					 : "memory");
		else
			__asm__ volatile("rep outsl"
					 : "+S"(buf), "+c"(count)
					 : "d"(port)
					 : "memory");
	}
}

/* The same with an address-size prefix: DI/SI and CX only; the garbage in the high halves of
 * ECX, EDI and ESI must be ignored. */
static void string_io16(u16 port, u32 size, bool in, u32 start, u32 count)
{
	u32 ptr = (rnd() & 0xffff0000u) | start, cx = (rnd() & 0xffff0000u) | count;
	if (in) {
		if (size == 1)
			__asm__ volatile("addr16 rep insb"
					 : "+D"(ptr), "+c"(cx)
					 : "d"(port)
					 : "memory");
		else if (size == 2)
			__asm__ volatile("addr16 rep insw"
					 : "+D"(ptr), "+c"(cx)
					 : "d"(port)
					 : "memory");
		else
			__asm__ volatile("addr16 rep insl"
					 : "+D"(ptr), "+c"(cx)
					 : "d"(port)
					 : "memory");
	} else {
		if (size == 1)
			__asm__ volatile("addr16 rep outsb"
					 : "+S"(ptr), "+c"(cx)
					 : "d"(port)
					 : "memory");
		else if (size == 2)
			__asm__ volatile("addr16 rep outsw"
					 : "+S"(ptr), "+c"(cx)
					 : "d"(port)
					 : "memory");
		else
			__asm__ volatile("addr16 rep outsl"
					 : "+S"(ptr), "+c"(cx)
					 : "d"(port)
					 : "memory");
	}
}

void op_port_string(void)
{
	u16 port = random_port();
	u32 size = random_size();
	bool in = rnd_chance(50), down = rnd_chance(25), addr16 = rnd_chance(20);
	u32 count = rnd_chance(70) ? rnd_below(16) : rnd_below(STRING_MAX + 1);

	for (u32 i = 0; i < 16; i++)
		((u32 *)io_buf)[i] = rnd();
	if (!in && !write_ok_any(port, size))
		return;
	trace("%s%u port 0x%x count %u%s%s", in ? "ins" : "outs", size, port, count,
	      down ? " down" : "", addr16 ? " addr16" : "");
	if (down)
		__asm__ volatile("std");
	if (addr16) {
		count %= LOW_BUF_BYTES / size;
		string_io16(port, size, in, down ? LOW_BUF + LOW_BUF_BYTES - size : LOW_BUF, count);
	} else {
		/* Downwards the first element is the last one of the buffer. */
		u32 buf = (u32)io_buf + (down ? count * size : 0);
		string_io32(port, size, in, buf, count);
	}
	__asm__ volatile("cld");
}

void op_pci(void)
{
	u32 n = 1 + rnd_below(8);
	for (u32 i = 0; i < n; i++) {
		/* Mostly enabled accesses to bus 0, slot 0 (the host bridge) or an empty slot. */
		u32 addr =
		    rnd_chance(80) ? (1u << 31) | rnd_below(2) << 11 | (rnd() & 0xfc) : rnd();
		if (rnd_chance(10))
			addr = (addr & ~0xff0000u) | (rnd() & 0xff0000u); /* another bus */
		outl(PCI_ADDRESS, addr);
		u32 size = random_size(), lane = rnd_below(4);
		u16 port = (u16)(PCI_DATA + lane);
		if (rnd_chance(50))
			port_write(port, size, rnd_chance(30) ? ~0u : rnd_value());
		else
			port_read(port, size);
	}
	pci_restore();
}
