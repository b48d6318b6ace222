#include "vmx/vcpu_intr.h"
#include "devices/pic.h"
#include "kernel/log.h"
#include "kernel/percpu.h"
#include "kernel/x86.h"
#include "sched/sched.h"
#include "kernel/vm_virtio.h"
#include "vmx/apic_virt.h"
#include "vmx/intr_decide.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_init.h"
#include "vmx/vmx_ops.h"

#define VEC_NMI 2

/* The 8259's INTR reaches the BSP only, through LINT0 (ExtINT, "virtual wire"). */
static bool vcpu_extint_pending(const struct vcpu *v)
{
	return v->id == 0 && pic_intr_pending(&v->vm->plat.pic) && lapic_accepts_extint(v->lapic);
}

/* Timers of the vCPU and its VM's devices, up to `now`. */
static void vcpu_poll_timers(struct vcpu *v, uint64_t now)
{
	struct vm_platform *p = &v->vm->plat;
	if (p->timers_dirty || now >= p->timer_deadline) {
		platform_update(v->vm);
		v->timer_changed = true;
	}
	/* The local APIC counts guest TSC; v->deadline is in host TSC like every other. */
	uint64_t guest_now = now + v->tsc_offset;
	if (guest_now >= lapic_timer_deadline(v->lapic) &&
	    lapic_timer_update(v->lapic, guest_now))
		v->work |= VCPU_WORK_INTR;
	if (v->hc_timer_deadline && now >= v->hc_timer_deadline) {
		v->hc_timer_deadline = 0;
		if (!v->hc_pending_vector)
			v->hc_pending_vector = v->hc_timer_vector;
	}
	uint64_t d = lapic_timer_wakeup(v->lapic);
	if (d != ~0ull)
		d = d - v->tsc_offset;
	if (v->hc_timer_deadline && v->hc_timer_deadline < d)
		d = v->hc_timer_deadline;
	if (d != v->deadline) {
		v->deadline = d;
		v->timer_changed = true;
	}
}

uint64_t vcpu_next_deadline(const struct vcpu *v)
{
	uint64_t d = v->vm->plat.timer_deadline;
	return v->deadline < d ? v->deadline : d;
}

bool vcpu_interrupt_deliverable(const struct vcpu *v)
{
	if (v->state == VCPU_WAIT_SIPI || v->state == VCPU_DEAD)
		return false;
	if (v->nmi_pending)
		return true;
	/* HLT with interrupts disabled waits for an NMI, INIT or SIPI only. */
	if (v->halted_if0)
		return false;
	return vcpu_extint_pending(v) || v->hc_pending_vector || lapic_pending_vector(v->lapic) >= 0;
}

bool vcpu_wakeup_due(struct vcpu *v, uint64_t now)
{
	if (v->state == VCPU_WAIT_SIPI || v->state == VCPU_DEAD)
		return false;
	vcpu_poll_timers(v, now);
	return vcpu_interrupt_deliverable(v);
}

/* A runnable vCPU is kicked too: an interrupt for it (an IPI, a device interrupt routed to
 * it) should not wait for its whole turn behind the vCPUs that compute. */
void vcpu_kick(struct vcpu *v)
{
	v->work |= VCPU_WORK_INTR;
	if (v->state == VCPU_HALTED || v->state == VCPU_RUNNABLE)
		sched_wake(v);
}

void vcpu_deliver_special(struct vcpu *v, uint8_t delivery, uint8_t vector)
{
	if (v->state == VCPU_DEAD)
		return;
	switch (delivery) {
	case APIC_DM_NMI:
		v->nmi_pending = true;
		vcpu_kick(v);
		return;
	case APIC_DM_INIT:
		/* On a PC an INIT of the BSP restarts the firmware; mhv has none, so it is the
		 * guest resetting itself (on_reset= decides). */
		if (v->id == 0) {
			vm_reset_requested(v->vm);
			return;
		}
		lapic_init_signal(v->lapic);
		v->state = VCPU_WAIT_SIPI;
		v->start_pending = false;
		v->nmi_pending = false;
		v->halted_if0 = false;
		v->hc_timer_deadline = 0;
		v->hc_pending_vector = 0;
		v->work |= VCPU_WORK_APIC_MODE | VCPU_WORK_INTR;
		return;
	case APIC_DM_STARTUP:
		/* Only a vCPU waiting for its SIPI starts; later SIPIs are ignored, as on hardware. */
		if (v->state != VCPU_WAIT_SIPI || v->start_pending)
			return;
		v->sipi_vector = vector;
		v->start_pending = true;
		v->state = VCPU_RUNNABLE;
		sched_wake(v);
		return;
	default:
		/* SMI (no SMM is emulated) and ExtINT messages (the 8259 reaches only the BSP's
		 * LINT0): dropped, once reported. */
		if (!v->vm->odd_msg_logged) {
			v->vm->odd_msg_logged = true;
			log_warn("vm %s: vCPU %u: %s message ignored", v->vm->cfg.name, v->id,
				 delivery == APIC_DM_SMI ? "SMI" : "ExtINT or reserved");
		}
		return;
	}
}

static void vcpu_set_proc(struct vcpu *v, uint32_t bit, bool on)
{
	uint32_t want = on ? v->proc_ctl | bit : v->proc_ctl & ~bit;
	if (want != v->proc_ctl) {
		v->proc_ctl = want;
		vmcs_write(VMCS_CTRL_PROC_BASED, want);
	}
}

static void inject_event(unsigned type, uint8_t vector)
{
	vmcs_write(VMCS_ENTRY_INTR_INFO, INTR_INFO_VALID | (type << INTR_INFO_TYPE_SHIFT) | vector);
}

/* NMIs outrank maskable interrupts. Returns whether this entry's event slot is now taken
 * (or was already: `queued`). Without virtual NMIs a blocked NMI waits for a later exit. */
static bool vcpu_deliver_nmi(struct vcpu *v, bool queued)
{
	if (!v->nmi_pending) {
		vcpu_set_proc(v, PROC_NMI_WINDOW_EXITING, false);
		return queued;
	}
	uint32_t blocked = GUEST_INTR_BLOCK_NMI | GUEST_INTR_BLOCK_MOV_SS | GUEST_INTR_BLOCK_STI;
	if (queued || (vmcs_read(VMCS_GUEST_INTERRUPTIBILITY) & blocked)) {
		vcpu_set_proc(v, PROC_NMI_WINDOW_EXITING, vmx_caps.virtual_nmis);
		return true;
	}
	v->nmi_pending = false;
	vcpu_set_proc(v, PROC_NMI_WINDOW_EXITING, false);
	inject_event(INTR_TYPE_NMI, VEC_NMI);
	return true;
}

/* Maskable interrupts that take event injection: the 8259's (ExtINT), the hypercall
 * timer's and, without virtual-interrupt delivery, the local APIC's. The source is
 * acknowledged only at injection, like the INTA cycle it models. */
static void vcpu_deliver_maskable(struct vcpu *v, bool queued)
{
	int apic_vector = v->vid ? -1 : lapic_pending_vector(v->lapic);
	unsigned pending = (vcpu_extint_pending(v) ? INTR_SRC_BIT(INTR_SRC_PIC) : 0) |
			   (v->hc_pending_vector ? INTR_SRC_BIT(INTR_SRC_HYPERCALL) : 0) |
			   (apic_vector >= 0 ? INTR_SRC_BIT(INTR_SRC_APIC) : 0);
	struct intr_plan p = {INTR_SRC_NONE, false};
	if (pending)
		p = intr_plan(pending, vmcs_read(VMCS_GUEST_RFLAGS),
			      (uint32_t)vmcs_read(VMCS_GUEST_INTERRUPTIBILITY), queued);
	vcpu_set_proc(v, PROC_INTR_WINDOW_EXITING, p.window);
	if (p.inject == INTR_SRC_NONE)
		return;
	uint8_t vector;
	if (p.inject == INTR_SRC_PIC) {
		vector = (uint8_t)pic_acknowledge(&v->vm->plat.pic);
	} else if (p.inject == INTR_SRC_HYPERCALL) {
		vector = v->hc_pending_vector;
		v->hc_pending_vector = 0;
	} else {
		vector = (uint8_t)apic_vector;
		lapic_ack(v->lapic, vector);
	}
	inject_event(INTR_TYPE_EXT_INTR, vector);
}

void vcpu_intr_prepare(struct vcpu *v, uint64_t now)
{
	if (v->work & VCPU_WORK_APIC_MODE)
		apic_virt_apply_mode(v);
	v->work = 0;
	vcpu_poll_timers(v, now);
	v->work = 0;
	if (v->vm->virtio && v->vm->virtio->again) {
		vm_virtio_poll(v->vm); /* the rest of a notification's work, a budget at a time */
		if (v->vm->virtio->again)
			v->work |= VCPU_WORK_INTR;
	}
	if (v->state != VCPU_RUNNABLE)
		return;
	bool queued = vmcs_read(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID;
	queued = vcpu_deliver_nmi(v, queued);
	vcpu_deliver_maskable(v, queued);
	apic_virt_sync(v);
}
