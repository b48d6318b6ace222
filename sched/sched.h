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
/* `v` may have something to run now (it got an interrupt, halted or not, or a SIPI made it
 * runnable): it runs before the round-robin order resumes, and the running vCPU, if
 * another, gives up the CPU after at most sched_min_quantum() more (vcpu.preempt_pending). */
void sched_wake(struct vcpu *v);
/* TSC ticks a vCPU runs at least once picked, even when another vCPU's timer or wake-up
 * cuts its slice short. */
uint64_t sched_min_quantum(void);
/* Runs until every vCPU is dead. */
void sched_run(void);
/* TSC ticks in one time slice. */
uint64_t sched_slice_ticks(void);
