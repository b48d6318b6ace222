/* A virtual CPU: its VMCS, saved GPRs, its local APIC and the small amount of state the exit
 * handlers keep between exits. The scheduler (sched/) only sees the state, the wake-up
 * checks, the deadlines and the run function. */
#pragma once
#include "devices/lapic.h"
#include "kernel/loader.h"
#include "kernel/x86.h"
#include "sched/policy.h"
#include "vmx/cpuid_policy.h"
#include "vmx/guest_msrs.h"
#include "vmx/guest_regs.h"
#include <stdbool.h>
#include <stdint.h>

struct vm;

enum vcpu_state {
	VCPU_RUNNABLE,
	VCPU_HALTED,    /* in HLT: runnable again when an interrupt can be delivered */
	VCPU_WAIT_SIPI, /* an AP before its STARTUP IPI (power-on or after INIT) */
	VCPU_DEAD,      /* its VM ended */
};

/* vcpu.work: what must be looked at before the next entry. Interrupt sources set bits (any
 * CPU, any context); the entry path takes them. Zero on the common path. */
#define VCPU_WORK_INTR      (1u << 0) /* an interrupt source changed: re-evaluate delivery */
#define VCPU_WORK_APIC_MODE (1u << 1) /* APIC mode or base changed: re-select controls */

#define VCPU_EXIT_COUNTERS 80 /* per basic exit reason, for statistics */

struct vcpu {
	struct guest_regs regs; /* first: vmx_enter() takes it as its argument */
	struct vm *vm;
	unsigned id;            /* index in the VM; also the initial APIC ID */
	enum vcpu_state state;
	uint64_t vmcs_pa;
	bool launched;
	uint16_t vpid;
	struct lapic *lapic;    /* the VM's lapic[id]; its page is the virtual-APIC page */
	uint64_t lapic_page_pa;

	uint32_t work;            /* VCPU_WORK_* */
	uint64_t deadline;        /* earliest (host) TSC at which this vCPU's own timers fire */
	uint64_t tsc_offset;      /* guest TSC = host TSC + this (VMCS TSC offset, mod 2^64) */
	uint64_t tsc_adjust;      /* IA32_TSC_ADJUST: what the guest's writes added to its TSC */
	uint32_t proc_ctl;        /* primary/secondary controls as last written to the VMCS */
	uint32_t proc2_ctl;
	uint16_t intr_status;     /* guest interrupt status (SVI:RVI) as last written */
	uint64_t eoi_exit[4];     /* EOI-exit bitmap as last written (the APIC's TMR) */
	uint8_t tpr_threshold;    /* as last written (TPR shadow without APIC virtualization) */
	bool vid;                 /* virtual-interrupt delivery on (vmx/apic_virt.h) */
	bool nmi_pending;
	bool halted_if0;          /* in HLT with RFLAGS.IF = 0: only NMI, INIT or SIPI wake it */
	bool start_pending;       /* a STARTUP IPI arrived in wait-for-SIPI: start at sipi_vector */
	uint8_t sipi_vector;
	bool timer_changed;       /* re-arm the preemption timer before the next entry */

	/* The one-shot hypercall timer (kernel/guest_abi.h), an interrupt outside the APIC. */
	uint64_t hc_timer_deadline; /* TSC; 0 = not armed */
	uint8_t hc_timer_vector;
	uint8_t hc_pending_vector;  /* fired, not yet injected; 0 = none */

	uint64_t cr0_shadow_mask; /* CR0 bits owned by the hypervisor (guest/host mask) */
	uint64_t cr4_shadow_mask;

	struct cpuid_policy cpuid; /* fixed at creation: computed once, off the exit path */

	uint64_t guest_pat;      /* when the VMCS does not switch IA32_PAT */
	uint64_t lazy_msrs[GUEST_LAZY_MSRS]; /* see vmx/guest_msrs.h; valid while not loaded */

	uint64_t cr2;            /* CR2, DR0-DR3 and DR6 while not loaded: VMX does not switch */
	uint64_t dr[4];          /* them and the hypervisor never uses them, so a guest's values */
	uint64_t dr6;            /* stay in the CPU until another vCPU is loaded */
	uint8_t *xstate;         /* XSAVE area (FXSAVE image without XSAVE) while not loaded */
	unsigned xstate_pages;
	uint64_t xcr0;           /* the guest's XCR0 (live while loaded; vmx/xsave.h) */
	uint64_t xss;            /* the guest's IA32_XSS: no supervisor component is offered */

	uint64_t slice_end;      /* TSC at which this vCPU leaves the CPU (the scheduler's) */
	uint64_t min_run;        /* TSC ticks an entry with a timer already due still gets */
	struct sched_entity se;  /* the vCPU as the scheduling policy sees it */
	bool interrupt_waits;    /* runnable with an interrupt to take (sched/sched.c) */
	bool yielded;            /* left the CPU to let the others run first (PAUSE loop) */
	uint64_t exits[VCPU_EXIT_COUNTERS];
};

/* The vCPU's TSC now: what its RDTSC returns; the local APIC's clock. */
static inline uint64_t vcpu_guest_tsc(const struct vcpu *v)
{
	return rdtsc() + v->tsc_offset;
}

/* `lapic_page_pa` is the frame of the vCPU's APIC register page (the VM owns it). APs
 * (id > 0) start in wait-for-SIPI, the BSP at `entry`. */
struct vcpu *vcpu_create(struct vm *vm, unsigned id, const struct guest_entry *entry);
void vcpu_destroy(struct vcpu *v);
/* Back to the power-on state at `entry` (VM restart). */
bool vcpu_reset(struct vcpu *v, const struct guest_entry *entry);

/* Runs the vCPU until its slice ends, it halts or its VM ends. An entry whose own timer is
 * already due again still gets `min_run` TSC ticks in the guest: under an emulator a short
 * periodic timer can be due at every entry, and the guest would never execute anything. */
void vcpu_run(struct vcpu *v, uint64_t min_run);
/* Brings a halted vCPU's interrupt sources up to `now`; true if it can take an interrupt. */
bool vcpu_wakeup_due(struct vcpu *v, uint64_t now);
/* Whether a halted vCPU can take what is pending now, timers not brought up to date: what
 * an interrupt source that just raised something for it asks. */
bool vcpu_interrupt_deliverable(const struct vcpu *v);
/* Earliest TSC at which a timer of a halted vCPU (its own or its VM's devices) fires. */
uint64_t vcpu_next_deadline(const struct vcpu *v);

/* An interrupt source made something pending for `v` (set VCPU_WORK_* first, or call this
 * after lapic_accept): it is re-evaluated before its next entry, and if it is not the
 * running vCPU it runs soon (a halted one only if it can now take the interrupt). */
void vcpu_kick(struct vcpu *v);
/* NMI, INIT, STARTUP, SMI or ExtINT messages from the APIC bus (devices/apic_bus.h). */
void vcpu_deliver_special(struct vcpu *v, uint8_t delivery, uint8_t vector);
