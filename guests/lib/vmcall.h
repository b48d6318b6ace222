/* Hypercalls to mhv (ABI in kernel/guest_abi.h): function in EAX, arguments in EBX, ECX, EDX,
 * ESI, result in EAX. */
#pragma once
#include "guests/lib/types.h"
#include "kernel/guest_abi.h"

static inline s32 vmcall(u32 nr, u32 a0, u32 a1, u32 a2, u32 a3)
{
	u32 ret;
	__asm__ volatile("vmcall"
			 : "=a"(ret)
			 : "a"(nr), "b"(a0), "c"(a1), "d"(a2), "S"(a3)
			 : "memory");
	return (s32)ret;
}

/* As vmcall(), but survives a fault (#UD without a hypervisor): false if VMCALL faulted. */
bool vmcall_safe(u32 nr, u32 a0, u32 a1, u32 a2, u32 a3, s32 *ret);

s32 hc_nop(void);
s32 hc_console_write(const void *buf, u32 len);
s32 hc_timer_oneshot(u32 usecs, u8 vector);
void hc_exit(u32 code) __attribute__((noreturn));

#define HC_IDLE_VECTOR 0x31 /* the one-shot timer vector hc_idle() uses */

/* Halts until an interrupt comes, at the latest the one-shot timer after usecs: lets other
 * VMs run while a guest waits. Interrupts are disabled again on return. */
void hc_idle(u32 usecs);
