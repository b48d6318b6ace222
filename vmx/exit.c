/* Exit dispatch and the single path for exits the hypervisor does not handle. */
#include "vmx/exit.h"
#include "kernel/console.h"
#include "kernel/format.h"
#include "kernel/percpu.h"
#include "kernel/trap.h"
#include "kernel/vm.h"
#include "kernel/x86.h"
#include "vmx/exit_reason.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_ops.h"

static enum exit_action stop_vm(struct vcpu *v, const struct exit_info *x, const char *why)
{
	exit_dump(v, x, why);
	vm_stop(v->vm, why);
	return EXIT_YIELD;
}

static enum exit_action handle_triple_fault(struct vcpu *v, const struct exit_info *x)
{
	return stop_vm(v, x, "triple fault");
}

static enum exit_action handle_init(struct vcpu *v, const struct exit_info *x)
{
	return stop_vm(v, x, "INIT signal (the guest reset itself)");
}

/* The timer ends the slice, or marks a device or hypercall timer deadline: then the entry
 * path delivers the interrupt and the vCPU keeps its slice. */
static enum exit_action handle_preemption_timer(struct vcpu *v, const struct exit_info *x)
{
	return rdtsc() >= v->slice_end ? EXIT_YIELD : EXIT_RESUME;
}

/* With "acknowledge interrupt on exit" the vector is in the exit information; the host
 * handles it as if the interrupt had arrived outside the guest. */
static enum exit_action handle_external_interrupt(struct vcpu *v, const struct exit_info *x)
{
	uint32_t info = (uint32_t)vmcs_read(VMCS_EXIT_INTR_INFO);
	host_irq_dispatch(info & INTR_INFO_VECTOR_MASK);
	return EXIT_YIELD;
}

/* Instructions of features hidden from guests (VMX, SMX, XSAVE, MONITOR/MWAIT) fault as
 * on a CPU without them. */
static enum exit_action handle_vmx_instruction(struct vcpu *v, const struct exit_info *x)
{
	inject_ud(v);
	return EXIT_RESUME;
}

#define VEC_DB 1
#define VEC_MC 18
#define DR6_EXIT_BITS 0x600f   /* B0-B3, BD, BS: what the exit qualification reports */
#define DR6_BD        (1u << 13) /* the #DB came from a debug-register access with DR7.GD */
#define DR7_GD        (1u << 13) /* general detect: cleared by the CPU when it delivers #DB */
#define MSR_IA32_MCG_STATUS 0x17a
#define MCG_STATUS_MCIP     (1ull << 2) /* machine check in progress */
#define CPUID1_EDX_MCE      (1u << 7)

/* What delivery of the #DB that exited would have done before reaching the handler: DR6
 * gets the new status bits, and DR7.GD is cleared (else the handler's own access to a debug
 * register would raise #DB again, for ever). */
static void debug_exception_delivery(uint64_t qualification)
{
	uint64_t dr6;
	__asm__ volatile("mov %%dr6, %0" : "=r"(dr6));
	dr6 = (dr6 & ~(uint64_t)DR6_EXIT_BITS) | (qualification & DR6_EXIT_BITS);
	__asm__ volatile("mov %0, %%dr6" : : "r"(dr6));
	if (qualification & DR6_BD)
		vmcs_write(VMCS_GUEST_DR7, vmcs_read(VMCS_GUEST_DR7) & ~(uint64_t)DR7_GD);
}

/* A machine check while the guest ran is the host's: it is logged, MCIP is cleared so a
 * later one does not shut the CPU down, and the VM, whose data it may have hit, is stopped.
 * (Guests are not offered MCE/MCA.) */
static enum exit_action machine_check(struct vcpu *v, const struct exit_info *x)
{
	uint32_t a, b, c, d;
	uint64_t status = 0;
	this_cpu()->machine_checks++;
	cpuid(1, 0, &a, &b, &c, &d);
	if (d & CPUID1_EDX_MCE) {
		status = rdmsr(MSR_IA32_MCG_STATUS);
		wrmsr(MSR_IA32_MCG_STATUS, status & ~MCG_STATUS_MCIP);
	}
	char why[96];
	fmt_snprintf(why, sizeof why, "machine check while it ran (IA32_MCG_STATUS 0x%llx)",
		     (unsigned long long)status);
	return stop_vm(v, x, why);
}

/* Exceptions in the bitmap (#DB, #AC) go back to the guest as the CPU would have delivered
 * them; an NMI or machine check that arrived while the guest ran belongs to the host. */
static enum exit_action handle_exception_nmi(struct vcpu *v, const struct exit_info *x)
{
	uint32_t info = (uint32_t)vmcs_read(VMCS_EXIT_INTR_INFO);
	unsigned vector = info & INTR_INFO_VECTOR_MASK;
	unsigned type = (info & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT;
	if (type == INTR_TYPE_NMI) {
		host_nmi();
		return EXIT_RESUME;
	}
	if (vector == VEC_MC)
		return machine_check(v, x);
	if (vector == VEC_DB)
		debug_exception_delivery(x->qualification);
	/* ICEBP (F1) raises a "privileged software exception": re-raise it as one, with its
	 * instruction length, so the guest's handler returns past the F1 rather than onto it. */
	if (type == INTR_TYPE_PRIV_SW_EXCEPTION) {
		vmcs_write(VMCS_ENTRY_INSTRUCTION_LEN, vmcs_read(VMCS_EXIT_INSTRUCTION_LEN));
		vmcs_write(VMCS_ENTRY_INTR_INFO,
			   INTR_INFO_VALID | (INTR_TYPE_PRIV_SW_EXCEPTION << INTR_INFO_TYPE_SHIFT) |
			       vector);
		return EXIT_RESUME;
	}
	bool has_error = info & INTR_INFO_DELIVER_ERROR_CODE;
	inject_exception(v, vector, has_error,
			 has_error ? (uint32_t)vmcs_read(VMCS_EXIT_INTR_ERROR_CODE) : 0);
	return EXIT_RESUME;
}

/* INVD and WBINVD: guest RAM is write-back memory the guest cannot make incoherent (no
 * device DMA bypasses the caches), so neither has anything to do; flushing the host's caches
 * for one guest would stall every VM. */
static enum exit_action handle_invd(struct vcpu *v, const struct exit_info *x)
{
	guest_skip_instruction();
	return EXIT_RESUME;
}

/* No PMU is offered (CPUID 0xa is zero): RDPMC faults as on such a CPU. */
static enum exit_action handle_rdpmc(struct vcpu *v, const struct exit_info *x)
{
	inject_gp(v);
	return EXIT_RESUME;
}

static enum exit_action handle_entry_failure(struct vcpu *v, const struct exit_info *x)
{
	char why[96];
	fmt_snprintf(why, sizeof why, "VM entry failed: %s (qualification %llu)",
		     exit_reason_name(x->reason & EXIT_REASON_BASIC_MASK),
		     (unsigned long long)x->qualification);
	return stop_vm(v, x, why);
}

const exit_handler_fn exit_handlers[EXIT_REASON_COUNT] = {
	[EXIT_REASON_EXCEPTION_NMI] = handle_exception_nmi,
	[EXIT_REASON_EXTERNAL_INTR] = handle_external_interrupt,
	[EXIT_REASON_TRIPLE_FAULT] = handle_triple_fault,
	[EXIT_REASON_INIT] = handle_init,
	[EXIT_REASON_INTR_WINDOW] = handle_intr_window,
	[EXIT_REASON_NMI_WINDOW] = handle_intr_window,
	[EXIT_REASON_CPUID] = handle_cpuid,
	[EXIT_REASON_GETSEC] = handle_vmx_instruction,
	[EXIT_REASON_HLT] = handle_hlt,
	[EXIT_REASON_INVD] = handle_invd,
	[EXIT_REASON_RDPMC] = handle_rdpmc,
	[EXIT_REASON_WBINVD] = handle_invd,
	[EXIT_REASON_VMCALL] = handle_vmcall,
	[EXIT_REASON_VMCLEAR] = handle_vmx_instruction,
	[EXIT_REASON_VMLAUNCH] = handle_vmx_instruction,
	[EXIT_REASON_VMPTRLD] = handle_vmx_instruction,
	[EXIT_REASON_VMPTRST] = handle_vmx_instruction,
	[EXIT_REASON_VMREAD] = handle_vmx_instruction,
	[EXIT_REASON_VMRESUME] = handle_vmx_instruction,
	[EXIT_REASON_VMWRITE] = handle_vmx_instruction,
	[EXIT_REASON_VMXOFF] = handle_vmx_instruction,
	[EXIT_REASON_VMXON] = handle_vmx_instruction,
	[EXIT_REASON_CR_ACCESS] = handle_cr_access,
	[EXIT_REASON_IO_INSTRUCTION] = handle_io,
	[EXIT_REASON_RDMSR] = handle_rdmsr,
	[EXIT_REASON_WRMSR] = handle_wrmsr,
	[EXIT_REASON_ENTRY_FAIL_GUEST_STATE] = handle_entry_failure,
	[EXIT_REASON_ENTRY_FAIL_MSR_LOAD] = handle_entry_failure,
	[EXIT_REASON_ENTRY_FAIL_MACHINE_CHECK] = handle_entry_failure,
	[EXIT_REASON_PAUSE] = handle_pause,
	[EXIT_REASON_TPR_BELOW_THRESHOLD] = handle_tpr_below_threshold,
	[EXIT_REASON_APIC_ACCESS] = handle_apic_access,
	[EXIT_REASON_VIRTUALIZED_EOI] = handle_virtualized_eoi,
	[EXIT_REASON_EPT_VIOLATION] = handle_ept_violation,
	[EXIT_REASON_INVEPT] = handle_vmx_instruction,
	[EXIT_REASON_PREEMPTION_TIMER] = handle_preemption_timer,
	[EXIT_REASON_INVVPID] = handle_vmx_instruction,
	[EXIT_REASON_XSETBV] = handle_vmx_instruction,
	[EXIT_REASON_MWAIT] = handle_vmx_instruction,
	[EXIT_REASON_MONITOR] = handle_vmx_instruction,
	[EXIT_REASON_VMFUNC] = handle_vmx_instruction,
	[EXIT_REASON_APIC_WRITE] = handle_apic_write,
};

enum exit_action exit_unhandled(struct vcpu *v, const struct exit_info *x, const char *why)
{
	return stop_vm(v, x, why);
}

void exit_dump(struct vcpu *v, const struct exit_info *x, const char *why)
{
	const uint64_t *g = v->regs.gpr;
	uint32_t basic = x->reason & EXIT_REASON_BASIC_MASK;
	uint64_t flags = console_lock();
	kprintf("mhv: vm %s vcpu %u: %s\n", v->vm->cfg.name, v->id, why);
	kprintf("  exit reason %u (%s)%s, qualification 0x%llx\n", basic,
		exit_reason_name(basic),
		x->reason & EXIT_REASON_ENTRY_FAILURE_BIT ? " [VM-entry failure]" : "",
		(unsigned long long)vmcs_read(VMCS_EXIT_QUALIFICATION));
	kprintf("  guest linear 0x%llx, guest physical 0x%llx\n",
		(unsigned long long)vmcs_read(VMCS_GUEST_LINEAR_ADDR),
		(unsigned long long)vmcs_read(VMCS_GUEST_PHYSICAL_ADDR));
	kprintf("  RIP=%016llx RSP=%016llx RFLAGS=%016llx CS=%04llx\n",
		(unsigned long long)vmcs_read(VMCS_GUEST_RIP),
		(unsigned long long)vmcs_read(VMCS_GUEST_RSP),
		(unsigned long long)vmcs_read(VMCS_GUEST_RFLAGS),
		(unsigned long long)vmcs_read(VMCS_GUEST_CS_SELECTOR));
	kprintf("  CR0=%016llx CR3=%016llx CR4=%016llx EFER=%016llx\n",
		(unsigned long long)vmcs_read(VMCS_GUEST_CR0),
		(unsigned long long)vmcs_read(VMCS_GUEST_CR3),
		(unsigned long long)vmcs_read(VMCS_GUEST_CR4),
		(unsigned long long)vmcs_read(VMCS_GUEST_EFER));
	kprintf("  RAX=%016llx RBX=%016llx RCX=%016llx RDX=%016llx\n",
		(unsigned long long)g[GPR_RAX], (unsigned long long)g[GPR_RBX],
		(unsigned long long)g[GPR_RCX], (unsigned long long)g[GPR_RDX]);
	kprintf("  RSI=%016llx RDI=%016llx RBP=%016llx R8 =%016llx\n",
		(unsigned long long)g[GPR_RSI], (unsigned long long)g[GPR_RDI],
		(unsigned long long)g[GPR_RBP], (unsigned long long)g[GPR_R8]);
	kprintf("  R9 =%016llx R10=%016llx R11=%016llx R12=%016llx\n",
		(unsigned long long)g[GPR_R9], (unsigned long long)g[GPR_R10],
		(unsigned long long)g[GPR_R11], (unsigned long long)g[GPR_R12]);
	kprintf("  R13=%016llx R14=%016llx R15=%016llx\n", (unsigned long long)g[GPR_R13],
		(unsigned long long)g[GPR_R14], (unsigned long long)g[GPR_R15]);
	console_unlock(flags);
}

bool guest_in_64bit_mode(void)
{
	return (vmcs_read(VMCS_GUEST_EFER) & EFER_LMA) &&
	       (vmcs_read(VMCS_GUEST_CS_AR_BYTES) & SEG_AR_L);
}

void inject_exception(struct vcpu *v, unsigned vector, bool has_error, uint32_t error)
{
	/* Real mode delivers no error codes (and VM entry refuses one with CR0.PE=0). */
	if (has_error && !(vmcs_read(VMCS_GUEST_CR0) & CR0_PE))
		has_error = false;
	uint32_t info = INTR_INFO_VALID | (INTR_TYPE_HW_EXCEPTION << INTR_INFO_TYPE_SHIFT) | vector;
	if (has_error) {
		info |= INTR_INFO_DELIVER_ERROR_CODE;
		vmcs_write(VMCS_ENTRY_EXCEPTION_ERROR_CODE, error);
	}
	vmcs_write(VMCS_ENTRY_INTR_INFO, info);
}

void inject_mem_fault(struct vcpu *v, const struct mem_fault *f)
{
	/* CR2 is not in the VMCS: the guest's value is live in the CPU while its vCPU is
	 * loaded (vmx/vcpu.c debug_state_switch), so the fault address goes there. */
	if (f->vector == VEC_PF)
		write_cr2(f->cr2);
	inject_exception(v, f->vector, true, f->error);
}
