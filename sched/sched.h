/* vCPU scheduling on the boot CPU: round-robin time slices bounded by the VMX-preemption
 * timer; halted vCPUs sleep until an interrupt can wake them. A vCPU that wakes (its timer,
 * a device interrupt, an IPI, a SIPI) runs before the round-robin order resumes, and the
 * running vCPU's slice ends when another vCPU's timer is due, so wake-ups are prompt. The
 * interface (add, dead, wake, run) is what a weighted SMP scheduler will keep. */
#pragma once
#include <stdint.h>

struct vcpu;

#define SCHED_MAX_VCPUS 64

void sched_add(struct vcpu *v);
void sched_vcpu_dead(struct vcpu *v);
/* `v` may have something to run now (it was halted and got an interrupt, or a SIPI made
 * it runnable): the running vCPU, if another, gives up the CPU at its next exit. */
void sched_wake(struct vcpu *v);
/* Runs until every vCPU is dead. */
void sched_run(void);
/* TSC ticks in one time slice. */
uint64_t sched_slice_ticks(void);
