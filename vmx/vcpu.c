/* vCPU lifecycle and the run loop: enter the guest, handle exits, deliver interrupts. */
#include "vmx/vcpu.h"
#include "drivers/tsc.h"
#include "kernel/format.h"
#include "kernel/kstring.h"
#include "kernel/log.h"
#include "kernel/mem.h"
#include "kernel/percpu.h"
#include "kernel/vm.h"
#include "kernel/x86.h"
#include "sched/sched.h"
#include "vmx/exit.h"
#include "vmx/vmcs.h"
#include "vmx/vmcs_setup.h"
#include "vmx/vmx_init.h"
#include "vmx/vmx_ops.h"

int vmx_enter(struct guest_regs *regs, int launched);

static uint16_t next_vpid = 1;
static uint64_t msr_bitmap_pa;

uint64_t msr_bitmap_all_exit(void)
{
	if (!msr_bitmap_pa) {
		msr_bitmap_pa = frame_alloc();
		if (msr_bitmap_pa != FRAME_NONE)
			memset(phys_to_virt(msr_bitmap_pa), 0xff, PAGE_SIZE);
	}
	return msr_bitmap_pa;
}

struct vcpu *vcpu_create(struct vm *vm, unsigned id, const struct guest_entry *entry)
{
	_Static_assert(sizeof(struct vcpu) <= PAGE_SIZE, "a vCPU fits in one frame");
	uint64_t pa = frame_alloc();
	uint64_t vmcs = frame_alloc();
	if (pa == FRAME_NONE || vmcs == FRAME_NONE) {
		if (pa != FRAME_NONE)
			frame_free(pa, 1);
		if (vmcs != FRAME_NONE)
			frame_free(vmcs, 1);
		return 0;
	}
	struct vcpu *v = phys_to_virt(pa);
	v->vm = vm;
	v->id = id;
	v->vmcs_pa = vmcs;
	v->state = VCPU_RUNNABLE;
	if (vmx_caps.vpid)
		v->vpid = next_vpid++;
	*(uint32_t *)phys_to_virt(vmcs) = vmx_caps.revision_id;

	if (!vmcs_clear(vmcs) || !vmcs_load(vmcs) || !vmcs_setup(v, entry)) {
		log_err("vm %s: VMCS setup failed for vCPU %u", vm->cfg.name, id);
		vcpu_destroy(v);
		return 0;
	}
	guest_msrs_switch(this_cpu()->current_vcpu, v);
	this_cpu()->current_vcpu = v;
	return v;
}

void vcpu_destroy(struct vcpu *v)
{
	struct cpu *c = this_cpu();
	vmcs_clear(v->vmcs_pa);
	if (c->current_vcpu == v)
		c->current_vcpu = 0;
	frame_free(v->vmcs_pa, 1);
	frame_free(virt_to_phys(v), 1);
}

uint64_t vcpu_next_deadline(const struct vcpu *v)
{
	return v->timer_deadline ? v->timer_deadline : ~0ull;
}

/* Moves an expired timer to the pending vector; true if an interrupt is now pending. */
static bool vcpu_poll_sources(struct vcpu *v, uint64_t now)
{
	if (v->timer_deadline && now >= v->timer_deadline) {
		v->timer_deadline = 0;
		if (!v->pending_vector)
			v->pending_vector = v->timer_vector;
	}
	return v->pending_vector != 0;
}

bool vcpu_wakeup_due(struct vcpu *v, uint64_t now)
{
	/* HLT is only entered with RFLAGS.IF=1 (handle_hlt ends the VM otherwise), so any
	 * pending interrupt can be taken. */
	return vcpu_poll_sources(v, now);
}

/* Inject the pending interrupt if the guest can take it now, else ask for an exit when
 * it can (interrupt-window exiting). */
static void vcpu_deliver_interrupt(struct vcpu *v)
{
	uint64_t rflags = vmcs_read(VMCS_GUEST_RFLAGS);
	uint32_t intr = (uint32_t)vmcs_read(VMCS_GUEST_INTERRUPTIBILITY);
	uint32_t proc = vmx_caps.proc;
	if ((rflags & RFLAGS_IF) && !(intr & (GUEST_INTR_BLOCK_STI | GUEST_INTR_BLOCK_MOV_SS)) &&
	    !(vmcs_read(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID)) {
		vmcs_write(VMCS_ENTRY_INTR_INFO, INTR_INFO_VALID |
							 (INTR_TYPE_EXT_INTR << INTR_INFO_TYPE_SHIFT) |
							 v->pending_vector);
		v->pending_vector = 0;
	} else {
		proc |= PROC_INTR_WINDOW_EXITING;
	}
	if (v->irq_window_armed != !!(proc & PROC_INTR_WINDOW_EXITING)) {
		vmcs_write(VMCS_CTRL_PROC_BASED, proc);
		v->irq_window_armed = !v->irq_window_armed;
	}
}

static void vcpu_load(struct vcpu *v)
{
	struct cpu *c = this_cpu();
	if (c->current_vcpu == v)
		return;
	vmcs_load(v->vmcs_pa);
	guest_msrs_switch(c->current_vcpu, v);
	c->current_vcpu = v;
}

/* Preemption timer: the slice end or the vCPU's own timer, whichever is first. The CPU
 * saves the remaining count on every exit ("save VMX-preemption timer value"), so this is
 * needed only when a slice starts or the vCPU's timer changes. */
static void vcpu_arm_preemption_timer(struct vcpu *v)
{
	uint64_t now = rdtsc();
	uint64_t end = v->slice_end;
	if (v->timer_deadline && v->timer_deadline < end)
		end = v->timer_deadline;
	uint64_t ticks = end > now ? (end - now) >> vmx_caps.preempt_timer_shift : 0;
	vmcs_write(VMCS_PREEMPTION_TIMER_VALUE, ticks > 0xffffffffull ? 0xffffffffu : ticks);
	v->timer_changed = false;
}

static void vcpu_entry_failed(struct vcpu *v, int how)
{
	char why[96];
	uint64_t err = how == 2 ? vmcs_read(VMCS_VM_INSTRUCTION_ERROR) : 0;
	fmt_snprintf(why, sizeof why, "%s failed (%s, VM-instruction error %llu)",
		     v->launched ? "VMRESUME" : "VMLAUNCH",
		     how == 1 ? "no valid current VMCS" : "VMfailValid", (unsigned long long)err);
	vm_stop(v->vm, why);
}

/* The exit path is kept short: no TSC read or timer write per exit when the CPU has the
 * preemption timer (the slice and the vCPU timer end with a preemption-timer exit). */
void vcpu_run(struct vcpu *v)
{
	vcpu_load(v);
	vmcs_failed = false;
	v->timer_changed = true;
	for (;;) {
		if (!vmx_caps.preempt_timer && rdtsc() >= v->slice_end)
			return;
		if (__builtin_expect(v->timer_deadline || v->pending_vector || v->irq_window_armed, 0)) {
			if (vcpu_poll_sources(v, rdtsc()) || v->irq_window_armed)
				vcpu_deliver_interrupt(v);
		}
		if (v->timer_changed && vmx_caps.preempt_timer)
			vcpu_arm_preemption_timer(v);

		int r = vmx_enter(&v->regs, v->launched);
		if (__builtin_expect(r, 0)) {
			vcpu_entry_failed(v, r);
			return;
		}
		v->launched = true;
		uint32_t reason = (uint32_t)vmcs_read(VMCS_EXIT_REASON);
		enum exit_action a = vmx_handle_exit(v, reason);
		if (__builtin_expect(vmcs_failed, 0))
			vm_stop(v->vm, "VMCS access failed (see the error above)");
		if (a != EXIT_RESUME || v->state != VCPU_RUNNABLE)
			return;
	}
}
