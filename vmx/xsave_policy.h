/* Which XSAVE state components guests get, and which XCR0 values they may set (SDM vol. 1
 * 13.3 "Enabling the XSAVE feature set"). Pure logic, host-tested; vmx/xsave.c does the
 * switching. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#define XFEATURE_X87	   (1ull << 0)
#define XFEATURE_SSE	   (1ull << 1)
#define XFEATURE_AVX	   (1ull << 2) /* upper halves of YMM0-15 */
#define XFEATURE_OPMASK	   (1ull << 5) /* AVX-512 k0-k7 */
#define XFEATURE_ZMM_HI256 (1ull << 6) /* upper halves of ZMM0-15 */
#define XFEATURE_HI16_ZMM  (1ull << 7) /* ZMM16-31 */
#define XFEATURE_AVX512	   (XFEATURE_OPMASK | XFEATURE_ZMM_HI256 | XFEATURE_HI16_ZMM)

/* Of the user components the host supports (CPUID 0xd.0 EDX:EAX), the ones guests get: x87,
 * SSE, AVX and AVX-512 (all three parts or none). Not MPX (hidden), PKRU (protection keys
 * hidden), AMX (needs XFD, not offered) or anything newer. */
uint64_t xsave_guest_mask(uint64_t host_supported);
/* Whether XSETBV may load `value` into XCR0 given the guest's mask: x87 always set, AVX
 * only with SSE, AVX-512 whole and only with AVX, nothing outside the mask. */
bool xcr0_valid(uint64_t value, uint64_t guest_mask);
