/* vCPU scheduling: the policy of sched/policy.h (weighted fair shares, caps, affinity,
 * prompt wake-ups) carried out on the boot CPU. vCPUs are the policy's entities and VMs its
 * groups; a halted vCPU is blocked until an interrupt can wake it or its next timer is due,
 * and a CPU with nothing to run halts until the earliest of those timers. */
#pragma once
#include <stdint.h>

struct vcpu;
struct vm;

/* Hands the VM's vCPUs (and weight=, cap=, pin=) to the scheduler. */
void sched_add_vm(struct vm *vm);
/* Its VM ended: it never runs again. */
void sched_vcpu_dead(struct vcpu *v);
/* The one kick of the interrupt sources (devices, IPIs, SIPIs, typed input): `v` may have
 * something to take now. A halted vCPU that can take it wakes; a runnable one that waits
 * runs once the running vCPU has had its due (policy_notify). The running vCPU's slice is
 * cut where the policy says. */
void sched_wake(struct vcpu *v);
/* Runs until every vCPU is dead. */
void sched_run(void);
