/* A hostile guest for the port-I/O paths: random writes and reads of random width to random
 * ports, then bursts on every emulated device's ports, with interrupts off throughout (the
 * devices may still be left programmed to interrupt). Passing means mhv is still running it:
 * the guest prints "port-fuzz: survived" and exits 0. The seed is fixed, so a failing run
 * repeats exactly. */
#include "guests/lib/exit.h"
#include "guests/lib/multiboot.h"
#include "guests/lib/printf.h"
#include "guests/lib/x86.h"
#include "kernel/guest_abi.h"

#define SEED	       0x6d687666u /* "fvhm": any nonzero value */
#define RANDOM_WRITES  20000
#define BURST_ACCESSES 512 /* per device port range */

struct port_range {
	u16 first, last;
};

/* Ports an access must not touch: ending the run early is not what is being tested. */
static const struct port_range keep_out[] = {
    {0x60, 0x60},		 /* i8042 data: command 0xd1 writes the output port (reset line) */
    {0x64, 0x64},		 /* i8042 command: 0xfe pulses reset */
    {0x92, 0x92},		 /* system control port A: bit 0 is a fast reset */
    {MHV_DEBUG_EXIT_PORT, 0xf7}, /* debug exit: any write ends the VM */
    {0x3f8, 0x3ff},		 /* COM1: the console that reports the result */
    {0xcf9, 0xcf9},		 /* chipset reset control */
};

/* Every emulated legacy device; each gets a burst of its own. */
static const struct port_range devices[] = {
    {0x20, 0x21},   /* master PIC */
    {0xa0, 0xa1},   /* slave PIC */
    {0x40, 0x43},   /* PIT */
    {0x61, 0x61},   /* system control port B */
    {0x70, 0x71},   /* RTC and CMOS */
    {0x4d0, 0x4d1}, /* ELCR */
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static u32 rng = SEED;
static u32 writes, reads, skipped;

/* xorshift32 (Marsaglia 2003): period 2^32 - 1 over nonzero states. */
static u32 next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static bool allowed(u32 port, u32 size)
{
	if (port + size > 0x10000)
		return false;
	for (u32 i = 0; i < COUNT(keep_out); i++)
		if (port <= keep_out[i].last && port + size > keep_out[i].first)
			return false;
	return true;
}

static u32 random_size(void)
{
	return 1u << (next_random() % 3);
}

/* One access of size bytes at port: a write of a random value, or a read. */
static void port_access(u16 port, u32 size, bool write)
{
	u32 v = next_random();

	if (!allowed(port, size)) {
		skipped++;
		return;
	}
	if (write) {
		writes++;
		if (size == 1)
			outb(port, (u8)v);
		else if (size == 2)
			outw(port, (u16)v);
		else
			outl(port, v);
		return;
	}
	reads++;
	if (size == 1)
		inb(port);
	else if (size == 2)
		inw(port);
	else
		inl(port);
}

static void random_ports(void)
{
	while (writes < RANDOM_WRITES) {
		u32 r = next_random();
		u16 port = (u16)r;
		/* Two writes for every read, interleaved at random. */
		port_access(port, random_size(), (r >> 16) % 3 != 0);
	}
}

static void device_bursts(void)
{
	for (u32 d = 0; d < COUNT(devices); d++) {
		u32 span = devices[d].last - devices[d].first + 1u;
		for (u32 i = 0; i < BURST_ACCESSES; i++) {
			u32 r = next_random();
			u16 port = (u16)(devices[d].first + r % span);
			/* Mostly bytes, the devices' natural width; mostly writes. */
			u32 size = (r >> 8) % 4 ? 1 : random_size();
			port_access(port, size, (r >> 16) % 4 != 0);
		}
		printf("port-fuzz: burst on 0x%x-0x%x done\n", devices[d].first, devices[d].last);
	}
}

int main(u32 magic, const struct mb1_info *mbi)
{
	(void)magic;
	(void)mbi;
	cli();
	printf("port-fuzz: seed 0x%08x, %u random writes, %u accesses per device\n", SEED,
	       RANDOM_WRITES, BURST_ACCESSES);
	random_ports();
	printf("port-fuzz: random phase done (%u writes, %u reads, %u skipped)\n", writes, reads,
	       skipped);
	device_bursts();
	printf("port-fuzz: device bursts done (%u writes, %u reads in all)\n", writes, reads);
	printf("port-fuzz: survived\n");
	guest_exit(EXIT_PASS);
}
