/* Interrupt delivery for one vCPU. Its sources: the local APIC (fed by the APIC bus with
 * IPIs, I/O APIC and MSI messages, and by its own timer), the 8259's INTR on the BSP's
 * LINT0 (ExtINT), NMIs, and the hypercall timer. Before an entry, pending work becomes an
 * injected event (the software path) or the guest interrupt status that the CPU's
 * virtual-interrupt delivery evaluates (the hardware path, vcpu.vid). */
#pragma once
#include "kernel/vm.h"
#include "vmx/vcpu.h"
#include <stdbool.h>
#include <stdint.h>

/* Whether vcpu_intr_prepare() has anything to do before this entry: a source changed, a
 * timer of the vCPU or of its VM's devices is due, or a device timer was reprogrammed.
 * Inline: it is on every exit's path. */
static inline bool vcpu_intr_work_due(const struct vcpu *v, uint64_t now)
{
	const struct vm_platform *p = &v->vm->plat;
	return v->work | (now >= v->deadline) | (now >= p->timer_deadline) | p->timers_dirty;
}

/* Needs the vCPU's VMCS current: applies APIC mode changes, brings timers to `now`, then
 * injects (or arranges an exit for) the highest-priority pending event. */
void vcpu_intr_prepare(struct vcpu *v, uint64_t now);
