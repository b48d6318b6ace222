#include "kernel/entropy.h"
#include "drivers/cmos_clock.h"
#include "kernel/kstring.h"
#include "kernel/x86.h"
#include <stdbool.h>

#define CPUID1_ECX_RDRAND (1u << 30)
#define CPUID7_EBX_RDSEED (1u << 18)
#define HW_RETRIES	  16 /* RDRAND/RDSEED may fail transiently (CF = 0) */

enum source { SRC_DRBG, SRC_RDRAND, SRC_RDSEED };
static enum source source;
static uint32_t key[8];
static uint64_t counter;

void entropy_init(void)
{
	uint32_t a, b, c, d;
	cpuid(1, 0, &a, &b, &c, &d);
	bool rdrand = c & CPUID1_ECX_RDRAND;
	cpuid(0, 0, &a, &b, &c, &d);
	uint32_t max = a;
	bool rdseed = false;
	if (max >= 7) {
		cpuid(7, 0, &a, &b, &c, &d);
		rdseed = b & CPUID7_EBX_RDSEED;
	}
	source = rdseed ? SRC_RDSEED : rdrand ? SRC_RDRAND : SRC_DRBG;
	uint64_t t = rdtsc(), rtc = host_rtc_epoch();
	key[0] = (uint32_t)t;
	key[1] = (uint32_t)(t >> 32);
	key[2] = (uint32_t)rtc;
	key[3] = (uint32_t)(rtc >> 32);
	for (unsigned i = 4; i < 8; i++) /* timing jitter between TSC reads */
		key[i] = (uint32_t)(rdtsc() * 0x9e3779b97f4a7c15ull >> 32);
}

const char *entropy_source(void)
{
	return source == SRC_RDSEED ? "RDSEED"
	       : source == SRC_RDRAND ? "RDRAND"
				      : "ChaCha20 DRBG seeded from the TSC and RTC";
}

static bool hw_random(uint64_t *v)
{
	for (int i = 0; i < HW_RETRIES; i++) {
		bool ok;
		if (source == SRC_RDSEED)
			__asm__ volatile("rdseed %0; setc %1" : "=r"(*v), "=qm"(ok));
		else
			__asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
		if (ok)
			return true;
	}
	return false;
}

#define ROTL(x, n) (((x) << (n)) | ((x) >> (32 - (n))))
#define QR(a, b, c, d)                                                                             \
	do {                                                                                       \
		a += b, d ^= a, d = ROTL(d, 16);                                                   \
		c += d, b ^= c, b = ROTL(b, 12);                                                   \
		a += b, d ^= a, d = ROTL(d, 8);                                                    \
		c += d, b ^= c, b = ROTL(b, 7);                                                    \
	} while (0)

/* One 64-byte ChaCha20 block (RFC 8439) for the next counter value. */
static void chacha_block(uint8_t out[64])
{
	uint32_t s[16] = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574};
	memcpy(&s[4], key, sizeof key);
	s[12] = (uint32_t)counter;
	s[13] = (uint32_t)(counter >> 32);
	counter++;
	uint32_t x[16];
	memcpy(x, s, sizeof x);
	for (int r = 0; r < 10; r++) {
		QR(x[0], x[4], x[8], x[12]);
		QR(x[1], x[5], x[9], x[13]);
		QR(x[2], x[6], x[10], x[14]);
		QR(x[3], x[7], x[11], x[15]);
		QR(x[0], x[5], x[10], x[15]);
		QR(x[1], x[6], x[11], x[12]);
		QR(x[2], x[7], x[8], x[13]);
		QR(x[3], x[4], x[9], x[14]);
	}
	for (int i = 0; i < 16; i++)
		x[i] += s[i];
	memcpy(out, x, 64);
}

uint64_t entropy_fill(void *buf, uint64_t n)
{
	uint8_t *p = buf;
	uint64_t done = 0;
	while (done < n) {
		uint8_t block[64];
		uint64_t v, take;
		if (source != SRC_DRBG && hw_random(&v)) {
			take = n - done < sizeof v ? n - done : sizeof v;
			memcpy(p + done, &v, take);
		} else {
			chacha_block(block);
			take = n - done < sizeof block ? n - done : sizeof block;
			memcpy(p + done, block, take);
		}
		done += take;
	}
	return n;
}
