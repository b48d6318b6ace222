/* The current vCPU's view of guest memory, for exit handlers: its paging registers, and
 * guest memory as the instruction at RIP sees it (vmx/guest_vmem.h) with the VM's RAM and
 * devices behind it. */
#pragma once
#include "vmx/guest_vmem.h"
#include "vmx/guest_walk.h"
#include "vmx/insn_decode.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vcpu;

/* The guest's current paging registers (from the VMCS) and its MAXPHYADDR. */
void guest_paging_current(struct vcpu *v, struct guest_paging *p);
/* Reads through guest-physical addresses (for gpa_read_fn users). */
bool guest_phys_read(void *vm_ram, uint64_t gpa, void *dst, size_t n);
/* Guest memory for the instruction at RIP, whose RFLAGS are `rflags`: privilege from the
 * CPL (SS.DPL) and RFLAGS.AC, canonical and wrap-around rules from the CPU mode (returned);
 * devices are the VM's MMIO bus and the vCPU's relocated local APIC. */
enum cpu_mode guest_vmem_current(struct vcpu *v, uint64_t rflags, struct guest_vmem *m);
/* A device answers at `gpa` (the MMIO bus, or this vCPU's relocated local APIC). */
bool vcpu_mmio_claims(struct vcpu *v, uint64_t gpa);
