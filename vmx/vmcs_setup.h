#pragma once
#include "kernel/loader.h"
#include "kernel/x86.h"
#include "vmx/vcpu.h"
#include "vmx/xsave.h"
#include <stdbool.h>
#include <stdint.h>

/* CR4 bits of features guests are not offered (VMX, SMX, protection keys, CET, 5-level
 * paging, and XSAVE where the CPU lacks it: hidden in CPUID): the hypervisor owns them, and
 * setting one #GPs as on a CPU without the feature. Left to the guest, they would reach
 * state mhv does not switch between VMs (PKRU, CET) or checks it does not make (57-bit
 * canonical addresses). XCR0 is switched (vmx/xsave.h), so OSXSAVE is the guest's. */
#define CR4_HIDDEN_FEATURES                                                                        \
	(CR4_VMXE | CR4_SMXE | CR4_PKE | CR4_CET | CR4_PKS | CR4_LA57 |                             \
	 (xsave_enabled ? 0 : CR4_OSXSAVE))

/* Fills the current VMCS for `v`; false if any VMWRITE failed (already reported). */
bool vmcs_setup(struct vcpu *v, const struct guest_entry *e);
/* The hypervisor's IDT base (VMCS host state). */
uint64_t host_idt_base(void);
