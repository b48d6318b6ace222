/* A virtual CPU: its VMCS, saved GPRs and the small amount of state the exit handlers
 * keep between exits. The scheduler (sched/) only sees the state and run function. */
#pragma once
#include "kernel/loader.h"
#include "vmx/cpuid_policy.h"
#include "vmx/guest_msrs.h"
#include "vmx/guest_regs.h"
#include <stdbool.h>
#include <stdint.h>

struct vm;

enum vcpu_state {
	VCPU_RUNNABLE,
	VCPU_HALTED, /* in HLT: runnable again when an interrupt can be delivered */
	VCPU_DEAD,   /* its VM ended */
};

#define VCPU_EXIT_COUNTERS 80 /* per basic exit reason, for statistics */

struct vcpu {
	struct guest_regs regs; /* first: vmx_enter() takes it as its argument */
	struct vm *vm;
	unsigned id;
	enum vcpu_state state;
	uint64_t vmcs_pa;
	bool launched;
	uint16_t vpid;

	/* Interrupt sources until the PIC model lands: the one-shot hypercall timer. */
	uint64_t timer_deadline; /* TSC; 0 = not armed */
	uint8_t timer_vector;
	uint8_t pending_vector;  /* accepted from a source, not yet injected; 0 = none */
	bool irq_window_armed;
	bool timer_changed;      /* re-arm the preemption timer before the next entry */

	uint64_t cr0_shadow_mask; /* CR0 bits owned by the hypervisor (guest/host mask) */
	uint64_t cr4_shadow_mask;

	struct cpuid_policy cpuid; /* fixed at creation: computed once, off the exit path */

	uint64_t guest_pat;      /* when the VMCS does not switch IA32_PAT */
	uint64_t lazy_msrs[GUEST_LAZY_MSRS]; /* see vmx/guest_msrs.h; valid while not loaded */

	uint8_t fpu[512] __attribute__((aligned(16))); /* FXSAVE image while not loaded */

	uint64_t slice_end;      /* TSC at which this vCPU's time slice ends */
	uint64_t exits[VCPU_EXIT_COUNTERS];
};

struct vcpu *vcpu_create(struct vm *vm, unsigned id, const struct guest_entry *entry);
void vcpu_destroy(struct vcpu *v);
/* Back to the power-on state at `entry` (VM restart). */
bool vcpu_reset(struct vcpu *v, const struct guest_entry *entry);

/* Runs the vCPU until its slice ends, it halts or its VM ends. */
void vcpu_run(struct vcpu *v);
/* Whether a halted vCPU has an interrupt it can take now (or a timer that expired). */
bool vcpu_wakeup_due(struct vcpu *v, uint64_t now);
/* Earliest TSC at which a halted vCPU's timer fires; ~0 if none. */
uint64_t vcpu_next_deadline(const struct vcpu *v);
