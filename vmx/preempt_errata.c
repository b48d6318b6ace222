#include "vmx/preempt_errata.h"

#define SIGNATURE_MASK 0x0fff3fffu /* CPUID.1:EAX without the reserved bits 31:28, 15:14 */

/* Whole signatures, stepping included: later steppings of the same models are fixed. */
static const uint32_t broken[] = {
	0x000106a0, /* Nehalem-EP / Bloomfield C0 (Xeon 3500/5500, Core i7-900) */
	0x000106a1, /* Nehalem-EP / Bloomfield C1 */
	0x000106a4, /* Nehalem-EP / Bloomfield C0 (Core i7-900 Extreme) */
	0x000106a5, /* Nehalem-EP / Bloomfield D0 */
	0x000106e5, /* Lynnfield B1 (Xeon 3400, Core i7-800, i5-700) */
	0x00020652, /* Clarkdale/Arrandale C2 (Core i5-600, i3-500, Xeon L3406) */
	0x00020655, /* Clarkdale K0 */
	0x000206e6, /* Nehalem-EX D0 (Xeon 7500) */
	0x000306a8, /* Ivy Bridge (Xeon E3-1200 v2) */
};

bool preempt_timer_erratum(uint32_t signature)
{
	signature &= SIGNATURE_MASK;
	for (unsigned i = 0; i < sizeof broken / sizeof broken[0]; i++)
		if (signature == broken[i])
			return true;
	return false;
}
