#include "guests/lib/div64.h"

/* Two DIVLs, high half first: the first remainder is below d, so the second cannot overflow. */
u64 udiv64(u64 n, u32 d, u32 *rem)
{
	u32 hi = (u32)(n >> 32), lo = (u32)n;
	u32 q_hi = hi / d, r = hi % d, q_lo;

	__asm__("divl %4" : "=a"(q_lo), "=d"(r) : "a"(lo), "d"(r), "rm"(d));
	if (rem)
		*rem = r;
	return ((u64)q_hi << 32) | q_lo;
}
