/* INVEPT (SDM vol. 3C 29.4.3.1): single-context when the CPU has it, else all contexts. */
#include "ept/ept_flush.h"
#include "kernel/log.h"
#include "vmx/vmcs.h"

bool ept_flush_single_supported;

/* The descriptor is {EPTP, reserved 0}; CF or ZF set means the instruction failed. */
static inline void invept(enum invept_type type, uint64_t eptp)
{
	struct {
		uint64_t eptp;
		uint64_t reserved;
	} desc = {eptp, 0};
	_Static_assert(sizeof desc == 16, "INVEPT descriptor is 128 bits");
	bool failed;
	__asm__ volatile("invept %[desc], %[type]; setna %[failed]"
			 : [failed] "=qm"(failed)
			 : [desc] "m"(desc), [type] "r"((uint64_t)type)
			 : "cc", "memory");
	if (failed)
		log_err("ept: invept type %d for eptp 0x%llx failed", (int)type,
			(unsigned long long)eptp);
}

void ept_flush(struct ept *ept)
{
	invept(ept_flush_single_supported ? INVEPT_SINGLE_CONTEXT : INVEPT_ALL_CONTEXT,
	       ept_eptp(ept));
}
