/* Applying the speculation policy (vmx/spec_policy.h) on this CPU. */
#pragma once
#include "vmx/spec_policy.h"
#include <stdbool.h>

extern struct spec_policy spec;
/* Read by the entry/exit stub (vmx/vmx_enter.S). */
extern bool spec_verw_on_entry;
extern bool spec_rsb_fill_on_exit;

/* Decides from the CPU (or turns every runtime mitigation off: option spec=off, for
 * measuring their cost), turns eIBRS on, and prints one line. Before guests run. */
void spec_init(void);
/* Right before a VM entry: the L1D flush, if the policy wants it. */
void spec_before_entry_slow(void);
static inline void spec_before_entry(void)
{
	if (__builtin_expect(spec.l1d_flush_on_entry, 0))
		spec_before_entry_slow();
}
/* The CPU is about to run a vCPU of `next` after one of `prev` (NULL: none yet). */
void spec_vm_switch(const void *prev, const void *next);
