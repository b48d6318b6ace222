#pragma once
#include "kernel/loader.h"
#include "vmx/vcpu.h"
#include <stdbool.h>
#include <stdint.h>

/* Fills the current VMCS for `v`; false if any VMWRITE failed (already reported). */
bool vmcs_setup(struct vcpu *v, const struct guest_entry *e);
/* The hypervisor's IDT base (VMCS host state). */
uint64_t host_idt_base(void);
