/* Processors whose VMX-preemption timer does not count at the rate IA32_VMX_MISC states
 * (errata in Intel's specification updates for some Nehalem, Westmere and Ivy Bridge
 * steppings; Linux's KVM avoids the timer on the same ones): a guest could then run far past
 * its slice. There the local APIC timer slices instead. Host-tested. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

/* `signature` is CPUID.1:EAX (stepping, model, family with their extended fields). */
bool preempt_timer_erratum(uint32_t signature);
