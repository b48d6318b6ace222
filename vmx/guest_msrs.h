/* MSRs that VMX does not switch on entry/exit and the hypervisor itself never uses
 * (SYSCALL targets, SWAPGS base, TSC_AUX). Guests own the hardware copies while they run;
 * they are swapped only when the CPU switches to another vCPU. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#define GUEST_LAZY_MSRS 6

struct vcpu;

/* RDMSR/WRMSR of one of these MSRs for the vCPU currently loaded; false if `msr` is not
 * one of them (or the value is not canonical on a write). */
bool guest_msr_slot(struct vcpu *v, uint32_t msr, uint64_t *val, bool write);
/* Saves the hardware values into `from` (may be NULL) and loads those of `to`. */
void guest_msrs_switch(struct vcpu *from, struct vcpu *to);
