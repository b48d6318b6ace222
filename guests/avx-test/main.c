/* AVX (and AVX-512 where offered) state kept across VM switches. Several copies run at once:
 * each enables the XSAVE feature set, loads its own values into every YMM (or ZMM and
 * opmask) register, and re-reads them for a while, across many VM switches; XCR0 must stay
 * what it set. Exit code 0 when every register kept its value. */
#include <stdbool.h>
#include <stdint.h>

#define COM1	      0x3f8
#define COM1_LSR      (COM1 + 5)
#define LSR_THRE      0x20
#define DEBUG_EXIT    0xf4
#define CR4_OSFXSR    (1ull << 9)
#define CR4_OSXSAVE   (1ull << 18)
#define C1_ECX_XSAVE  (1u << 26)
#define C1_ECX_AVX    (1u << 28)
#define C7_EBX_AVX512F (1u << 16)
#define XCR0_AVX      0x7ull  /* x87, SSE, AVX */
#define XCR0_AVX512   0xe7ull /* and opmask, ZMM_Hi256, Hi16_ZMM */
#define RUN_TSC_TICKS 2000000ull /* ~0.5 s at Bochs' 4M instructions/s: dozens of slices */

void load_ymm(const void *src);
void store_ymm(void *dst);
void load_zmm(const void *src);
void store_zmm(void *dst);
void load_k(const void *src);
void store_k(void *dst);

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

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

static uint64_t xgetbv(void)
{
	uint32_t lo, hi;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (uint64_t)hi << 32 | lo;
}

static void puts_serial(const char *s)
{
	for (; *s; s++) {
		while (!(inb(COM1_LSR) & LSR_THRE))
			;
		outb(COM1, (uint8_t)*s);
	}
}

static void put_dec(uint64_t v)
{
	char buf[21];
	int n = 0;
	do {
		buf[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	char s[2] = {0};
	while (n) {
		s[0] = buf[--n];
		puts_serial(s);
	}
}

static uint64_t want_regs[32 * 8] __attribute__((aligned(64)));
static uint64_t got_regs[32 * 8] __attribute__((aligned(64)));
static uint16_t want_k[8], got_k[8];

static unsigned differences(unsigned words)
{
	unsigned bad = 0;
	for (unsigned i = 0; i < words; i++)
		bad += got_regs[i] != want_regs[i];
	for (unsigned i = 0; i < 8; i++)
		bad += got_k[i] != want_k[i];
	return bad;
}

int main(void);
int main(void)
{
	uint32_t r[4];
	cpuid(1, 0, r);
	if (!(r[2] & C1_ECX_XSAVE) || !(r[2] & C1_ECX_AVX)) {
		puts_serial("avx-test: FAIL: no XSAVE or AVX offered\n");
		outb(DEBUG_EXIT, 1);
		return 1;
	}
	cpuid(7, 0, r);
	bool avx512 = r[1] & C7_EBX_AVX512F;
	uint64_t cr4;
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4 | CR4_OSFXSR | CR4_OSXSAVE));
	uint64_t xcr0 = avx512 ? XCR0_AVX512 : XCR0_AVX;
	__asm__ volatile("xsetbv" : : "c"(0), "a"((uint32_t)xcr0), "d"(0));

	/* Values no other copy uses: from the TSC at start, which differs between VMs. */
	uint64_t seed = rdtsc() * 0x9e3779b97f4a7c15ull | 1;
	unsigned words = avx512 ? 32 * 8 : 16 * 4;
	for (unsigned i = 0; i < words; i++) {
		seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
		want_regs[i] = seed;
	}
	for (unsigned i = 0; i < 8; i++)
		want_k[i] = avx512 ? (uint16_t)(seed >> (8 * i)) : 0;
	if (avx512) {
		load_zmm(want_regs);
		load_k(want_k);
	} else {
		load_ymm(want_regs);
	}
	puts_serial(avx512 ? "avx-test: AVX-512 offered: 32 ZMM and 8 opmask registers loaded\n"
			   : "avx-test: AVX offered: 16 YMM registers loaded\n");

	uint64_t reads = 0, bad = 0, xcr0_changed = 0, end = rdtsc() + RUN_TSC_TICKS;
	while (rdtsc() < end) {
		if (avx512) {
			store_zmm(got_regs);
			store_k(got_k);
		} else {
			store_ymm(got_regs);
		}
		bad += differences(words);
		xcr0_changed += xgetbv() != xcr0;
		reads++;
	}
	puts_serial("avx-test: ");
	put_dec(reads);
	puts_serial(" reads, ");
	put_dec(bad);
	puts_serial(" corrupted values, XCR0 changed ");
	put_dec(xcr0_changed);
	puts_serial(" times\n");
	outb(DEBUG_EXIT, bad || xcr0_changed ? 1 : 0);
	return 0;
}
