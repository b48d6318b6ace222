/* vCPU lifecycle and the run loop: enter the guest, handle exits, prepare the next entry. */
#include "vmx/vcpu.h"
#include "drivers/lapic_host.h"
#include "kernel/format.h"
#include "kernel/kstring.h"
#include "kernel/log.h"
#include "kernel/mem.h"
#include "kernel/percpu.h"
#include "kernel/vm.h"
#include "kernel/x86.h"
#include "vmx/exit.h"
#include "vmx/spec_ctrl.h"
#include "vmx/vcpu_intr.h"
#include "vmx/vmcs.h"
#include "vmx/vmcs_setup.h"
#include "vmx/vmx_init.h"
#include "vmx/vmx_ops.h"
#include "vmx/xsave.h"

int vmx_enter(struct guest_regs *regs, int launched);

#define PAT_POWER_ON   0x0007040600070406ull

static uint16_t next_vpid = 1;

/* x87/SSE/AVX state and XCR0 are not switched by VMX and the hypervisor never uses them,
 * so a guest's registers stay live in the CPU until another vCPU is loaded. */
static void fpu_switch(struct vcpu *from, struct vcpu *to)
{
	xsave_switch(from, to);
}

#define DR6_POWER_ON 0xffff0ff0ull

#define MOV_FROM_DR(n, var) __asm__ volatile("mov %%dr" #n ", %0" : "=r"(var))
#define MOV_TO_DR(n, val)   __asm__ volatile("mov %0, %%dr" #n : : "r"(val))

/* Guest state the VMCS does not hold: the page-fault address and the debug registers
 * other than DR7 (which is in the VMCS). Without this one VM would read another's. */
static void debug_state_switch(struct vcpu *from, struct vcpu *to)
{
	if (from) {
		__asm__ volatile("mov %%cr2, %0" : "=r"(from->cr2));
		MOV_FROM_DR(0, from->dr[0]);
		MOV_FROM_DR(1, from->dr[1]);
		MOV_FROM_DR(2, from->dr[2]);
		MOV_FROM_DR(3, from->dr[3]);
		MOV_FROM_DR(6, from->dr6);
	}
	__asm__ volatile("mov %0, %%cr2" : : "r"(to->cr2));
	MOV_TO_DR(0, to->dr[0]);
	MOV_TO_DR(1, to->dr[1]);
	MOV_TO_DR(2, to->dr[2]);
	MOV_TO_DR(3, to->dr[3]);
	MOV_TO_DR(6, to->dr6);
}

static void vcpu_switch_to(struct vcpu *v)
{
	struct cpu *c = this_cpu();
	guest_msrs_switch(c->current_vcpu, v);
	fpu_switch(c->current_vcpu, v);
	debug_state_switch(c->current_vcpu, v);
	c->current_vcpu = v;
}

/* CR2 and the debug registers at power-on (and after INIT). */
static void debug_state_init(struct vcpu *v)
{
	v->cr2 = 0;
	memset(v->dr, 0, sizeof v->dr);
	v->dr6 = DR6_POWER_ON;
}

/* An AP sits in wait-for-SIPI until the BSP starts it; the BSP runs from the image entry. */
static enum vcpu_state power_on_state(const struct vcpu *v)
{
	return v->id == 0 ? VCPU_RUNNABLE : VCPU_WAIT_SIPI;
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
	memset(v, 0, sizeof *v);
	v->vm = vm;
	v->id = id;
	v->vmcs_pa = vmcs;
	v->lapic = &vm->plat.lapic[id];
	v->lapic_page_pa = vm->plat.lapic_page_pa[id];
	v->state = power_on_state(v);
	v->guest_pat = PAT_POWER_ON;
	v->deadline = ~0ull;
	v->work = VCPU_WORK_INTR | VCPU_WORK_APIC_MODE;
	cpuid_policy_init(&v->cpuid, id, vm->cfg.cpus);
	if (vmx_caps.vpid)
		v->vpid = next_vpid++;
	*(uint32_t *)phys_to_virt(vmcs) = vmx_caps.revision_id;
	if (!xsave_vcpu_alloc(v)) {
		frame_free(vmcs, 1);
		frame_free(pa, 1);
		return 0;
	}

	if (!vmcs_clear(vmcs) || !vmcs_load(vmcs) || !vmcs_setup(v, entry)) {
		struct vcpu *prev = this_cpu()->current_vcpu;
		log_err("vm %s: VMCS setup failed for vCPU %u", vm->cfg.name, id);
		vcpu_destroy(v);
		if (prev)
			vmcs_load(prev->vmcs_pa); /* it is still the CPU's vCPU */
		return 0;
	}
	xsave_vcpu_reset(v);
	debug_state_init(v);
	vcpu_switch_to(v);
	return v;
}

/* The architectural state at `entry`, as after INIT (the TSC keeps running). */
static bool vcpu_init_state(struct vcpu *v, const struct guest_entry *entry)
{
	struct cpu *c = this_cpu();
	memset(&v->regs, 0, sizeof v->regs);
	v->launched = false;
	v->state = power_on_state(v);
	v->hc_timer_deadline = 0;
	v->hc_pending_vector = 0;
	v->nmi_pending = false;
	v->start_pending = false;
	v->deadline = ~0ull;
	v->work = VCPU_WORK_INTR | VCPU_WORK_APIC_MODE;
	v->guest_pat = PAT_POWER_ON;
	memset(v->lazy_msrs, 0, sizeof v->lazy_msrs);
	if (!vmcs_clear(v->vmcs_pa) || !vmcs_load(v->vmcs_pa))
		return false;
	if (c->current_vcpu != v)
		vcpu_switch_to(v);
	xsave_vcpu_reset(v);
	fpu_switch(0, v);
	guest_msrs_switch(0, v);
	debug_state_init(v);
	debug_state_switch(0, v);
	return vmcs_setup(v, entry);
}

bool vcpu_reset(struct vcpu *v, const struct guest_entry *entry)
{
	v->tsc_offset = 0;
	v->tsc_adjust = 0;
	return vcpu_init_state(v, entry);
}

/* A STARTUP IPI reached the vCPU in wait-for-SIPI: real mode at vector << 12 (SDM vol. 3A
 * "MP Initialization"), with the processor signature in EDX as after INIT. */
static bool vcpu_start_at_sipi(struct vcpu *v)
{
	uint32_t sig, b, c, d;
	cpuid(1, 0, &sig, &b, &c, &d);
	struct guest_entry e = {
	    .mode = GUEST_REAL16,
	    .cs_selector = (uint16_t)(v->sipi_vector << 8),
	    .rip = 0,
	    .rdx = sig,
	};
	if (!vcpu_init_state(v, &e))
		return false;
	v->state = VCPU_RUNNABLE;
	return true;
}

void vcpu_destroy(struct vcpu *v)
{
	struct cpu *c = this_cpu();
	vmcs_clear(v->vmcs_pa);
	if (c->current_vcpu == v)
		c->current_vcpu = 0;
	frame_free(v->vmcs_pa, 1);
	xsave_vcpu_free(v);
	frame_free(virt_to_phys(v), 1);
}

static void vcpu_load(struct vcpu *v)
{
	struct vcpu *prev = this_cpu()->current_vcpu;
	if (prev == v)
		return;
	spec_vm_switch(prev ? prev->vm : 0, v->vm);
	vmcs_load(v->vmcs_pa);
	vcpu_switch_to(v);
}

/* Preemption timer: the slice end or the vCPU's timers, whichever is first. The CPU saves
 * the remaining count on every exit ("save VMX-preemption timer value"), so this is needed
 * only when a slice starts, a timer changes or the scheduler moves the slice end. */
static __attribute__((noinline)) void vcpu_arm_preemption_timer(struct vcpu *v)
{
	uint64_t now = rdtsc();
	v->timer_changed = false;
	uint64_t end = vcpu_next_deadline(v);
	if (v->slice_end < end)
		end = v->slice_end;
	/* A timer due again already (a period shorter than one trip through here, as under an
	 * emulator) still leaves the guest a quantum: an entry that exits at once would do so
	 * for ever, and the vCPU would never run another instruction. */
	if (end <= now)
		end = now + v->min_run;
	if (!vmx_caps.preempt_timer) {
		lapic_host_timer_arm(end); /* its interrupt makes the guest exit */
		return;
	}
	uint64_t ticks = end > now ? (end - now) >> vmx_caps.preempt_timer_shift : 0;
	vmcs_write(VMCS_PREEMPTION_TIMER_VALUE, ticks > 0xffffffffull ? 0xffffffffu : ticks);
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
 * when the vCPU must leave the CPU instead (slice over, halted by an INIT, VM ended). The
 * common case costs one TSC read and a few loads and compares, inlined into the exit path;
 * the rare work stays out of line. */
static inline __attribute__((always_inline)) bool vcpu_prepare_entry(struct vcpu *v)
{
	/* The preemption timer counts guest time only; time in exit handlers counts too. */
	uint64_t now = rdtsc();
	if (now >= v->slice_end)
		return false;
	if (__builtin_expect(vcpu_intr_work_due(v, now), 0)) {
		vcpu_intr_prepare(v, now);
		if (v->state != VCPU_RUNNABLE)
			return false;
	}
	if (v->timer_changed)
		vcpu_arm_preemption_timer(v);
	spec_before_entry();
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

void vcpu_run(struct vcpu *v, uint64_t min_run)
{
	v->min_run = min_run;
	vcpu_load(v);
	vmcs_failed = false;
	if (v->start_pending) {
		v->start_pending = false;
		if (!vcpu_start_at_sipi(v)) {
			vm_stop(v->vm, "cannot start an AP (VMCS setup failed)");
			return;
		}
	}
	v->halted_if0 = false;
	v->timer_changed = true;
	if (!vcpu_prepare_entry(v))
		return;
	int r = vmx_enter(&v->regs, v->launched);
	if (__builtin_expect(r, 0))
		vcpu_entry_failed(v, r);
}
