#include "vmx/vmx_init.h"
#include "ept/ept_flush.h"
#include "kernel/kstring.h"
#include "kernel/log.h"
#include "kernel/mem.h"
#include "kernel/options.h"
#include "kernel/percpu.h"
#include "kernel/x86.h"
#include "drivers/lapic_host.h"
#include "kernel/trap.h"
#include "vmx/preempt_errata.h"
#include "vmx/spec_ctrl.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_ops.h"

#define CPUID1_ECX_VMX (1u << 5) /* CPUID.1:ECX: VMX supported */

struct vmx_caps vmx_caps;
bool vmcs_failed;

void vmcs_report_failure(const char *op, uint32_t field, uint64_t value)
{
	/* VM-instruction error is only meaningful with a current VMCS (VMfailValid). */
	uint64_t err = 0;
	__asm__ volatile("vmread %1, %0" : "=r"(err) : "r"((uint64_t)VMCS_VM_INSTRUCTION_ERROR) : "cc");
	log_err("vmx: %s of field 0x%04x (value 0x%llx) failed, VM-instruction error %llu", op,
		field, (unsigned long long)value, (unsigned long long)err);
	vmcs_failed = true;
}

static void read_vmx_msrs(struct vmx_msrs *m)
{
	memset(m, 0, sizeof *m);
	m->basic = rdmsr(MSR_IA32_VMX_BASIC);
	m->pinbased = rdmsr(MSR_IA32_VMX_PINBASED_CTLS);
	m->procbased = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS);
	m->exit = rdmsr(MSR_IA32_VMX_EXIT_CTLS);
	m->entry = rdmsr(MSR_IA32_VMX_ENTRY_CTLS);
	m->misc = rdmsr(MSR_IA32_VMX_MISC);
	m->cr0_fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0);
	m->cr0_fixed1 = rdmsr(MSR_IA32_VMX_CR0_FIXED1);
	m->cr4_fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	m->cr4_fixed1 = rdmsr(MSR_IA32_VMX_CR4_FIXED1);
	if (m->basic & VMX_BASIC_TRUE_CTLS) {
		m->true_pinbased = rdmsr(MSR_IA32_VMX_TRUE_PINBASED_CTLS);
		m->true_procbased = rdmsr(MSR_IA32_VMX_TRUE_PROCBASED_CTLS);
		m->true_exit = rdmsr(MSR_IA32_VMX_TRUE_EXIT_CTLS);
		m->true_entry = rdmsr(MSR_IA32_VMX_TRUE_ENTRY_CTLS);
	}
	/* The secondary and EPT/VPID MSRs exist only when the control allowing them may be 1. */
	if ((m->procbased >> 32) & PROC_SECONDARY_CONTROLS) {
		m->has_procbased2 = true;
		m->procbased2 = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2);
		if ((m->procbased2 >> 32) & (PROC2_EPT | PROC2_VPID)) {
			m->has_ept_vpid_cap = true;
			m->ept_vpid_cap = rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
		}
	}
}

static bool vmx_enable_on_cpu(struct cpu *c)
{
	uint64_t fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
	if (!(fc & FEATURE_CONTROL_LOCKED))
		wrmsr(MSR_IA32_FEATURE_CONTROL, fc | FEATURE_CONTROL_LOCKED | FEATURE_CONTROL_VMX_OUTSIDE_SMX);

	uint64_t cr0 = (read_cr0() | vmx_caps.cr0_fixed0) & vmx_caps.cr0_fixed1;
	uint64_t cr4 = (read_cr4() | vmx_caps.cr4_fixed0 | CR4_VMXE) & vmx_caps.cr4_fixed1;
	write_cr0(cr0);
	write_cr4(cr4);

	uint64_t region = frame_alloc();
	if (region == FRAME_NONE) {
		log_err("vmx: no memory for the VMXON region");
		return false;
	}
	*(uint32_t *)phys_to_virt(region) = vmx_caps.revision_id;
	if (!vmx_on(region)) {
		log_err("vmx: VMXON failed on CPU %u", c->id);
		frame_free(region, 1);
		return false;
	}
	c->vmxon_pa = region;
	return true;
}

#define SPURIOUS_VECTOR 0xff

/* The interrupt only has to make the guest exit ("external-interrupt exiting") or end an
 * idle HLT. */
static void slice_timer_irq(struct trap_frame *f)
{
	(void)f;
	lapic_host_eoi();
}

static void slice_timer_init(void)
{
	irq_register(SLICE_TIMER_VECTOR, slice_timer_irq);
	lapic_host_timer_init(SLICE_TIMER_VECTOR, SPURIOUS_VECTOR);
}

bool vmx_init(void)
{
	uint32_t a, b, c, d;
	cpuid(1, 0, &a, &b, &c, &d);
	if (!(c & CPUID1_ECX_VMX)) {
		log_err("vmx: cannot run guests: this CPU has no VT-x (CPUID.1:ECX.VMX=0)");
		return false;
	}
	uint64_t fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
	if ((fc & FEATURE_CONTROL_LOCKED) && !(fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX)) {
		log_err("vmx: cannot run guests: VT-x is disabled by the firmware "
			"(IA32_FEATURE_CONTROL locked with VMX off; enable it in the BIOS setup)");
		return false;
	}

	struct vmx_msrs msrs;
	char missing[160];
	read_vmx_msrs(&msrs);
	if (!vmx_caps_compute(&msrs, &vmx_caps, missing, sizeof missing)) {
		log_err("vmx: cannot run guests: VT-x lacks %s", missing);
		return false;
	}
	vmx_caps_limit_apicv(&vmx_caps, hv_options.apicv);
	bool erratum = vmx_caps.preempt_timer && preempt_timer_erratum(a);
	if (vmx_caps.preempt_timer && (erratum || hv_options.slice_timer_lapic))
		vmx_caps_drop_preempt_timer(&vmx_caps, &msrs);
	slice_timer_init(); /* also the idle CPU's alarm clock (sched/sched.c) */
	if (!vmx_caps.preempt_timer) {
		log_info("vmx: slices end by the local APIC timer (%s mode)%s",
			 lapic_host_timer_tsc_deadline() ? "TSC-deadline" : "one-shot",
			 erratum ? ": this CPU's VMX-preemption timer has an erratum"
			 : hv_options.slice_timer_lapic ? ": slicetimer=lapic"
							 : "");
	}
	spec_init();
	char line[360];
	vmx_caps_describe(&vmx_caps, line, sizeof line);
	log_info("vmx: %s", line);
	ept_flush_single_supported = vmx_caps.invept_single;
	ept_large_pages = vmx_caps.ept_2m;

	return vmx_enable_on_cpu(this_cpu());
}
