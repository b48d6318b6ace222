/* Bringing VMX up on a CPU: detection, control words, VMXON. */
#pragma once
#include "vmx/vmx_caps.h"
#include <stdbool.h>

extern struct vmx_caps vmx_caps;

/* The host APIC timer that ends slices where the VMX-preemption timer is not used. */
#define SLICE_TIMER_VECTOR 0xf0

/* Detects VT-x, computes the control words, enables VMX on the boot CPU. Prints one line
 * with what was found, or one line naming what is missing and returns false. */
bool vmx_init(void);
