#include "guests/lib/safe.h"
#include "guests/lib/trap.h"

bool rdmsr_safe(u32 msr, u64 *val)
{
	u32 lo = 0, hi = 0;

	__asm__ volatile(TRAP_TRY("rdmsr") : "+a"(lo), "+d"(hi) : "c"(msr) : "memory");
	*val = ((u64)hi << 32) | lo;
	return trap_caught_vector == TRAP_NONE;
}

bool wrmsr_safe(u32 msr, u64 val)
{
	__asm__ volatile(TRAP_TRY("wrmsr")
			 :
			 : "c"(msr), "a"((u32)val), "d"((u32)(val >> 32))
			 : "memory");
	return trap_caught_vector == TRAP_NONE;
}

bool write_cr4_safe(u32 val)
{
	__asm__ volatile(TRAP_TRY("mov %0, %%cr4") : : "r"(val) : "memory");
	return trap_caught_vector == TRAP_NONE;
}
