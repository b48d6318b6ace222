/* vCPU scheduling on the boot CPU: round-robin time slices bounded by the VMX-preemption
 * timer; halted vCPUs sleep until an interrupt can wake them. The interface (add, dead,
 * run) is what a weighted SMP scheduler will keep. */
#pragma once
#include <stdint.h>

struct vcpu;

#define SCHED_MAX_VCPUS 64

void sched_add(struct vcpu *v);
void sched_vcpu_dead(struct vcpu *v);
/* Runs until every vCPU is dead. */
void sched_run(void);
/* TSC ticks in one time slice. */
uint64_t sched_slice_ticks(void);
