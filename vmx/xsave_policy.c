#include "vmx/xsave_policy.h"

uint64_t xsave_guest_mask(uint64_t host)
{
	uint64_t m = host & (XFEATURE_X87 | XFEATURE_SSE);
	if (m != (XFEATURE_X87 | XFEATURE_SSE))
		return host & XFEATURE_X87;
	if (host & XFEATURE_AVX) {
		m |= XFEATURE_AVX;
		if ((host & XFEATURE_AVX512) == XFEATURE_AVX512)
			m |= XFEATURE_AVX512;
	}
	return m;
}

bool xcr0_valid(uint64_t v, uint64_t mask)
{
	if (!(v & XFEATURE_X87) || (v & ~mask))
		return false;
	if ((v & XFEATURE_AVX) && !(v & XFEATURE_SSE))
		return false;
	uint64_t avx512 = v & XFEATURE_AVX512;
	return avx512 == 0 || (avx512 == XFEATURE_AVX512 && (v & XFEATURE_AVX));
}
