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
#include "vmx/intr_decide.h"
#include "vmx/vmcs.h"
#include "vmx/vmcs_setup.h"
#include "vmx/vmx_init.h"
#include "vmx/vmx_ops.h"

int vmx_enter(struct guest_regs *regs, int launched);

#define FXSAVE_FCW     0      /* x87 control word */
#define FXSAVE_MXCSR   24     /* SSE control/status */
#define FCW_POWER_ON   0x037f /* all exceptions masked, 64-bit precision */
#define MXCSR_POWER_ON 0x1f80 /* all SSE exceptions masked */
#define PAT_POWER_ON   0x0007040600070406ull

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

/* x87/SSE state is not switched by VMX and the hypervisor never uses it, so a guest's
 * registers stay live in the CPU until another vCPU is loaded. */
static void fpu_switch(struct vcpu *from, struct vcpu *to)
{
	if (from)
		__asm__ volatile("fxsave64 %0" : "=m"(*(uint8_t(*)[512])from->fpu));
	__asm__ volatile("fxrstor64 %0" : : "m"(*(const uint8_t(*)[512])to->fpu));
}

/* The state after FNINIT and reset MXCSR: what a CPU has at power-on. */
static void fpu_init_state(struct vcpu *v)
{
	memset(v->fpu, 0, sizeof v->fpu);
	*(uint16_t *)&v->fpu[FXSAVE_FCW] = FCW_POWER_ON;
	*(uint32_t *)&v->fpu[FXSAVE_MXCSR] = MXCSR_POWER_ON;
}

static void vcpu_switch_to(struct vcpu *v)
{
	struct cpu *c = this_cpu();
	guest_msrs_switch(c->current_vcpu, v);
	fpu_switch(c->current_vcpu, v);
	c->current_vcpu = v;
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
	v->guest_pat = PAT_POWER_ON;
	v->cpuid = (struct cpuid_policy){.vcpu_id = id, .rdtscp = vmx_caps.rdtscp,
					 .invpcid = vmx_caps.invpcid,
					 .tsc_khz = (uint32_t)(tsc_hz / 1000)};
	if (vmx_caps.vpid)
		v->vpid = next_vpid++;
	*(uint32_t *)phys_to_virt(vmcs) = vmx_caps.revision_id;

	if (!vmcs_clear(vmcs) || !vmcs_load(vmcs) || !vmcs_setup(v, entry)) {
		struct vcpu *prev = this_cpu()->current_vcpu;
		log_err("vm %s: VMCS setup failed for vCPU %u", vm->cfg.name, id);
		vcpu_destroy(v);
		if (prev)
			vmcs_load(prev->vmcs_pa); /* it is still the CPU's vCPU */
		return 0;
	}
	fpu_init_state(v);
	vcpu_switch_to(v);
	return v;
}

bool vcpu_reset(struct vcpu *v, const struct guest_entry *entry)
{
	struct cpu *c = this_cpu();
	memset(&v->regs, 0, sizeof v->regs);
	v->launched = false;
	v->state = VCPU_RUNNABLE;
	v->timer_deadline = 0;
	v->pending_vector = 0;
	v->irq_window_armed = false;
	v->guest_pat = PAT_POWER_ON;
	memset(v->lazy_msrs, 0, sizeof v->lazy_msrs);
	if (!vmcs_clear(v->vmcs_pa) || !vmcs_load(v->vmcs_pa))
		return false;
	if (c->current_vcpu != v)
		vcpu_switch_to(v);
	fpu_init_state(v);
	fpu_switch(0, v);
	guest_msrs_switch(0, v);
	return vmcs_setup(v, entry);
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

/* The legacy platform's INT output goes to vCPU 0, as the 8259A's goes to the BSP's LINT0. */
static bool vcpu_gets_pic(const struct vcpu *v)
{
	return v->id == 0;
}

uint64_t vcpu_next_deadline(const struct vcpu *v)
{
	uint64_t d = v->timer_deadline ? v->timer_deadline : ~0ull;
	if (vcpu_gets_pic(v) && v->vm->plat.timer_deadline < d)
		d = v->vm->plat.timer_deadline;
	return d;
}

/* Brings interrupt sources up to `now`; true if an interrupt is waiting for this vCPU. */
static bool vcpu_poll_sources(struct vcpu *v, uint64_t now)
{
	struct vm_platform *p = &v->vm->plat;
	if (v->timer_deadline && now >= v->timer_deadline) {
		v->timer_deadline = 0;
		v->timer_changed = true;
		if (!v->pending_vector)
			v->pending_vector = v->timer_vector;
	}
	if (!vcpu_gets_pic(v))
		return v->pending_vector != 0;
	if (p->timers_dirty || now >= p->timer_deadline) {
		platform_update(v->vm, now);
		v->timer_changed = true;
	}
	return v->pending_vector || pic_intr_pending(&p->pic);
}

bool vcpu_wakeup_due(struct vcpu *v, uint64_t now)
{
	/* HLT is only entered with RFLAGS.IF=1 (handle_hlt ends the VM otherwise), so any
	 * pending interrupt can be taken. */
	return vcpu_poll_sources(v, now);
}

/* Whether the slow path (sources, injection) is needed before this entry. */
static bool vcpu_interrupt_work(const struct vcpu *v)
{
	const struct vm_platform *p = &v->vm->plat;
	return v->timer_deadline || v->pending_vector || v->irq_window_armed ||
	       (vcpu_gets_pic(v) && (pic_intr_pending(&p->pic) || p->timers_dirty ||
				     p->timer_deadline != ~0ull));
}

static void vcpu_set_irq_window(struct vcpu *v, bool on)
{
	if (v->irq_window_armed == on)
		return;
	vmcs_write(VMCS_CTRL_PROC_BASED, vmx_caps.proc | (on ? PROC_INTR_WINDOW_EXITING : 0));
	v->irq_window_armed = on;
}

/* Injects a waiting interrupt if the guest can take it now, else asks for an exit when it
 * can (interrupt-window exiting). The PIC is acknowledged (IRR->ISR) only at injection,
 * like the INTA cycle it models. */
static __attribute__((noinline)) void vcpu_deliver_interrupt(struct vcpu *v, bool waiting)
{
	enum intr_decision d = INTR_NONE;
	if (waiting)
		d = intr_decide(true, vmcs_read(VMCS_GUEST_RFLAGS),
				(uint32_t)vmcs_read(VMCS_GUEST_INTERRUPTIBILITY),
				vmcs_read(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID);
	vcpu_set_irq_window(v, d == INTR_WAIT_WINDOW);
	if (d != INTR_INJECT)
		return;
	unsigned vector;
	if (v->pending_vector) {
		vector = v->pending_vector;
		v->pending_vector = 0;
	} else {
		vector = (unsigned)pic_acknowledge(&v->vm->plat.pic);
	}
	vmcs_write(VMCS_ENTRY_INTR_INFO,
		   INTR_INFO_VALID | (INTR_TYPE_EXT_INTR << INTR_INFO_TYPE_SHIFT) | (vector & 0xff));
}

static void vcpu_load(struct vcpu *v)
{
	if (this_cpu()->current_vcpu == v)
		return;
	vmcs_load(v->vmcs_pa);
	vcpu_switch_to(v);
}

/* Preemption timer: the slice end or the vCPU's own timer, whichever is first. The CPU
 * saves the remaining count on every exit ("save VMX-preemption timer value"), so this is
 * needed only when a slice starts or the vCPU's timer changes. */
static __attribute__((noinline)) void vcpu_arm_preemption_timer(struct vcpu *v)
{
	uint64_t now = rdtsc();
	uint64_t end = vcpu_next_deadline(v);
	if (v->slice_end < end)
		end = v->slice_end;
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

/* Work before every entry: deliver interrupts, re-arm the preemption timer. Returns false
 * when the vCPU must leave the CPU instead (slice over on a CPU without the timer). The
 * common case costs one TSC read and a few loads and compares, inlined into the exit path;
 * the rare work stays out of line. */
static inline __attribute__((always_inline)) bool vcpu_prepare_entry(struct vcpu *v)
{
	/* The preemption timer counts guest time only; time in exit handlers counts too. */
	if (rdtsc() >= v->slice_end)
		return false;
	if (__builtin_expect(vcpu_interrupt_work(v), 0))
		vcpu_deliver_interrupt(v, vcpu_poll_sources(v, rdtsc()));
	if (v->timer_changed && vmx_caps.preempt_timer)
		vcpu_arm_preemption_timer(v);
	return true;
}

/* Called by the exit stub (vmx/vmx_enter.S) with the guest GPRs saved: handles the exit
 * and returns 0 to resume the guest directly, 1 to return from vmx_enter(). */
int vmx_exit_dispatch(struct guest_regs *regs);
/* An exit that interrupted the delivery of an event (e.g. an interrupt whose delivery hit
 * an EPT violation) must deliver that event again on the next entry. */
static void vcpu_reinject_vectoring_event(uint32_t info)
{
	uint32_t type = (info & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT;
	if (info & INTR_INFO_DELIVER_ERROR_CODE)
		vmcs_write(VMCS_ENTRY_EXCEPTION_ERROR_CODE,
			   vmcs_read(VMCS_IDT_VECTORING_ERROR_CODE));
	if (type == INTR_TYPE_SW_INTR || type == INTR_TYPE_SW_EXCEPTION ||
	    type == INTR_TYPE_PRIV_SW_EXCEPTION)
		vmcs_write(VMCS_ENTRY_INSTRUCTION_LEN, vmcs_read(VMCS_EXIT_INSTRUCTION_LEN));
	vmcs_write(VMCS_ENTRY_INTR_INFO, info & ~(uint32_t)INTR_INFO_NMI_UNBLOCKED);
}

int vmx_exit_dispatch(struct guest_regs *regs)
{
	struct vcpu *v = (struct vcpu *)regs; /* regs is the first member */
	v->launched = true;
	uint32_t vectoring = (uint32_t)vmcs_read(VMCS_IDT_VECTORING_INFO);
	if (__builtin_expect(vectoring & INTR_INFO_VALID, 0))
		vcpu_reinject_vectoring_event(vectoring);
	enum exit_action a = vmx_handle_exit(v, (uint32_t)vmcs_read(VMCS_EXIT_REASON));
	if (__builtin_expect(vmcs_failed, 0)) {
		vm_stop(v->vm, "VMCS access failed (see the error above)");
		return 1;
	}
	if (a != EXIT_RESUME || v->state != VCPU_RUNNABLE)
		return 1;
	return vcpu_prepare_entry(v) ? 0 : 1;
}

void vcpu_run(struct vcpu *v)
{
	vcpu_load(v);
	vmcs_failed = false;
	v->timer_changed = true;
	if (!vcpu_prepare_entry(v))
		return;
	int r = vmx_enter(&v->regs, v->launched);
	if (__builtin_expect(r, 0))
		vcpu_entry_failed(v, r);
}
