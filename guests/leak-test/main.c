/* Two-VM leak test for guest state the VMCS does not hold: CR2, DR0-DR3, DR6 and CR8 (the
 * TPR, 64-bit mode only, hence a 64-bit guest). Several copies run at once; each checks
 * that it starts with the power-on values (another VM's never show), then keeps its own
 * distinct values in the registers and re-reads them for a while, across many VM switches.
 * Exit code 0 when nothing leaked. */
#include <stdint.h>

#define COM1        0x3f8
#define COM1_LSR    (COM1 + 5)
#define LSR_THRE    0x20
#define DEBUG_EXIT  0xf4
#define DR6_POWER_ON 0xffff0ff0ull
#define DR6_B0_B3   0xfull
#define RUN_TSC_TICKS 2000000ull /* ~0.5 s at Bochs' 4M instructions/s: dozens of slices */

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static void putc_serial(char c)
{
	while (!(inb(COM1_LSR) & LSR_THRE))
		;
	outb(COM1, (uint8_t)c);
}

static void puts_serial(const char *s)
{
	while (*s)
		putc_serial(*s++);
}

static void put_hex(uint64_t v)
{
	puts_serial("0x");
	for (int shift = 60; shift >= 0; shift -= 4)
		putc_serial("0123456789abcdef"[(v >> shift) & 0xf]);
}

static void put_dec(uint64_t v)
{
	char buf[21];
	int n = 0;
	do {
		buf[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		putc_serial(buf[--n]);
}

struct state {
	uint64_t cr2, dr[4], dr6, cr8;
};

static void read_state(struct state *s)
{
	__asm__ volatile("mov %%cr2, %0" : "=r"(s->cr2));
	__asm__ volatile("mov %%dr0, %0" : "=r"(s->dr[0]));
	__asm__ volatile("mov %%dr1, %0" : "=r"(s->dr[1]));
	__asm__ volatile("mov %%dr2, %0" : "=r"(s->dr[2]));
	__asm__ volatile("mov %%dr3, %0" : "=r"(s->dr[3]));
	__asm__ volatile("mov %%dr6, %0" : "=r"(s->dr6));
	__asm__ volatile("mov %%cr8, %0" : "=r"(s->cr8));
}

static void write_state(const struct state *s)
{
	__asm__ volatile("mov %0, %%cr2" : : "r"(s->cr2));
	__asm__ volatile("mov %0, %%dr0" : : "r"(s->dr[0]));
	__asm__ volatile("mov %0, %%dr1" : : "r"(s->dr[1]));
	__asm__ volatile("mov %0, %%dr2" : : "r"(s->dr[2]));
	__asm__ volatile("mov %0, %%dr3" : : "r"(s->dr[3]));
	__asm__ volatile("mov %0, %%dr6" : : "r"(s->dr6));
	__asm__ volatile("mov %0, %%cr8" : : "r"(s->cr8));
}

static const char *const names[] = {"CR2", "DR0", "DR1", "DR2", "DR3", "DR6", "CR8"};

/* Counts (and reports the first few) registers that differ from `want`. */
static unsigned compare(const struct state *got, const struct state *want, const char *when)
{
	const uint64_t *g = &got->cr2, *w = &want->cr2;
	static unsigned reported;
	unsigned bad = 0;
	for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (g[i] == w[i])
			continue;
		bad++;
		if (reported++ < 8) {
			puts_serial("leak-test: FAIL: ");
			puts_serial(names[i]);
			puts_serial(" ");
			puts_serial(when);
			puts_serial(": ");
			put_hex(g[i]);
			puts_serial(", expected ");
			put_hex(w[i]);
			puts_serial("\n");
		}
	}
	return bad;
}

int main(void);
int main(void)
{
	struct state power_on = {.dr6 = DR6_POWER_ON}, got, mine;
	read_state(&got);
	unsigned leaked = compare(&got, &power_on, "at start");

	/* Values no other copy uses: from the TSC at start, which differs between VMs. DR6's
	 * writable B0-B3 bits and CR8's 4 bits take what fits. */
	uint64_t seed = rdtsc() * 0x9e3779b97f4a7c15ull | 1;
	mine.cr2 = seed & 0x00007ffffffffff0ull;
	for (unsigned i = 0; i < 4; i++)
		mine.dr[i] = (seed >> (8 * i)) & 0x00007ffffffffff8ull;
	mine.dr6 = DR6_POWER_ON | ((seed >> 5) & DR6_B0_B3);
	mine.cr8 = 1 + (seed >> 9) % 15;
	write_state(&mine);

	uint64_t reads = 0, end = rdtsc() + RUN_TSC_TICKS;
	while (rdtsc() < end) {
		read_state(&got);
		leaked += compare(&got, &mine, "while running");
		reads++;
	}
	puts_serial("leak-test: ");
	put_dec(reads);
	puts_serial(" reads of 7 registers, ");
	put_dec(leaked);
	puts_serial(" leaked values\n");
	outb(DEBUG_EXIT, leaked ? 1 : 0);
	return 0;
}
