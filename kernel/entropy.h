/* Random bytes for guests (virtio-rng): the CPU's RDSEED or RDRAND when it has them, else a
 * ChaCha20-based generator seeded at boot from the TSC and the RTC. The fallback is only as
 * unpredictable as those are (a few tens of bits): good enough to seed a guest's own pool on
 * a test machine, not a source of secrets; the boot log says which is in use. */
#pragma once
#include <stdint.h>

void entropy_init(void);
/* Fills n bytes; returns n. */
uint64_t entropy_fill(void *buf, uint64_t n);
/* "RDSEED", "RDRAND" or "ChaCha20 DRBG seeded from the TSC and RTC". */
const char *entropy_source(void);
