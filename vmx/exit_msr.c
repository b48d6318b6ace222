/* RDMSR/WRMSR: an allow-list. MSRs the VMCS holds are read and written there; a few are
 * answered with fixed values; everything else gets #GP, as on a CPU without that MSR, and
 * is logged once per VM so gaps are visible. */
#include "kernel/log.h"
#include "kernel/vm.h"
#include "kernel/x86.h"
#include "vmx/exit.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_init.h"
#include "vmx/vmx_ops.h"

#define MSR_IA32_TSC          0x10
#define MSR_IA32_TSC_ADJUST   0x3b
#define MSR_IA32_PLATFORM_ID  0x17
#define MSR_IA32_FEATURE_CTL  0x3a
#define MSR_IA32_BIOS_SIGN_ID 0x8b
#define MSR_IA32_MISC_ENABLE  0x1a0
#define MSR_IA32_DEBUGCTL     0x1d9
#define MSR_IA32_XSS          0xda0 /* supervisor XSAVE components: none are offered */
#define MISC_ENABLE_FAST_STRINGS  (1ull << 0)
#define MISC_ENABLE_NO_BTS        (1ull << 11) /* branch trace store unavailable */
#define MISC_ENABLE_NO_PEBS       (1ull << 12) /* precise event sampling unavailable */
#define EFER_GUEST_WRITABLE (EFER_SCE | EFER_LME | EFER_NXE)

/* VM entry refuses non-canonical bases and SYSENTER targets: the guest gets the #GP its
 * WRMSR would get on hardware instead. */
static bool canonical(uint64_t a)
{
	return (uint64_t)((int64_t)(a << 16) >> 16) == a;
}

static void msr_log_unknown(struct vcpu *v, const char *op, uint32_t msr)
{
	struct vm *vm = v->vm;
	unsigned n = vm->unknown_msr_count;
	for (unsigned i = 0; i < n && i < 8; i++)
		if (vm->unknown_msr_seen[i] == msr)
			return;
	if (n >= 8)
		return; /* the list is full: stay quiet rather than log forever */
	vm->unknown_msr_seen[n] = msr;
	vm->unknown_msr_count++;
	log_warn("vm %s: %s of unknown MSR 0x%x: #GP injected", vm->cfg.name, op, msr);
}

static bool msr_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	switch (msr) {
	case MSR_IA32_TSC:
		*val = vcpu_guest_tsc(v);
		return true;
	case MSR_IA32_TSC_ADJUST:
		if (!vmx_caps.tsc_offsetting)
			return false;
		*val = v->tsc_adjust;
		return true;
	case MSR_IA32_PLATFORM_ID:
	case MSR_IA32_BIOS_SIGN_ID:
	case MSR_IA32_DEBUGCTL:
		*val = 0;
		return true;
	case MSR_IA32_FEATURE_CTL:
		*val = FEATURE_CONTROL_LOCKED; /* locked, VMX off: matches the hidden VMX bit */
		return true;
	case MSR_IA32_MISC_ENABLE:
		*val = MISC_ENABLE_FAST_STRINGS | MISC_ENABLE_NO_BTS | MISC_ENABLE_NO_PEBS;
		return true;
	case MSR_IA32_SYSENTER_CS:
		*val = vmcs_read(VMCS_GUEST_SYSENTER_CS);
		return true;
	case MSR_IA32_SYSENTER_ESP:
		*val = vmcs_read(VMCS_GUEST_SYSENTER_ESP);
		return true;
	case MSR_IA32_SYSENTER_EIP:
		*val = vmcs_read(VMCS_GUEST_SYSENTER_EIP);
		return true;
	case MSR_IA32_PAT:
		*val = vmx_caps.pat ? vmcs_read(VMCS_GUEST_PAT) : v->guest_pat;
		return true;
	case MSR_IA32_EFER:
		*val = vmcs_read(VMCS_GUEST_EFER);
		return true;
	case MSR_IA32_FS_BASE:
		*val = vmcs_read(VMCS_GUEST_FS_BASE);
		return true;
	case MSR_IA32_XSS:
		if (!v->cpuid.xsaves)
			return false;
		*val = v->xss;
		return true;
	case MSR_IA32_GS_BASE:
		*val = vmcs_read(VMCS_GUEST_GS_BASE);
		return true;
	default:
		return guest_msr_slot(v, msr, val, false);
	}
}

/* EFER.LMA follows LME while paging is on; the VM-entry "IA-32e mode guest" control must
 * agree with it. Changing LME with paging on is a #GP, as on hardware. */
static bool efer_write(uint64_t val)
{
	uint64_t old = vmcs_read(VMCS_GUEST_EFER);
	if (val & ~(EFER_GUEST_WRITABLE | EFER_LMA))
		return false;
	bool paging = vmcs_read(VMCS_GUEST_CR0) & CR0_PG;
	if (paging && ((val ^ old) & EFER_LME))
		return false;
	val = (val & EFER_GUEST_WRITABLE) | (old & EFER_LMA);
	vmcs_write(VMCS_GUEST_EFER, val);
	return true;
}

/* Moving the guest's TSC by `delta` moves IA32_TSC_ADJUST with it (SDM vol. 3B "Time-Stamp
 * Counter Adjustment"); the local APIC keeps its deadlines in guest TSC. */
static void tsc_move(struct vcpu *v, uint64_t delta)
{
	v->tsc_offset += delta;
	v->tsc_adjust += delta;
	vmcs_write(VMCS_TSC_OFFSET, v->tsc_offset);
	v->work |= VCPU_WORK_INTR;
}

static bool msr_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	switch (msr) {
	case MSR_IA32_TSC:
		if (!vmx_caps.tsc_offsetting)
			return false;
		tsc_move(v, val - vcpu_guest_tsc(v));
		return true;
	case MSR_IA32_TSC_ADJUST:
		if (!vmx_caps.tsc_offsetting)
			return false;
		tsc_move(v, val - v->tsc_adjust);
		return true;
	case MSR_IA32_BIOS_SIGN_ID:
		return true; /* microcode update probes: nothing to load */
	case MSR_IA32_DEBUGCTL:
		return val == 0;
	case MSR_IA32_MISC_ENABLE:
		return true;
	case MSR_IA32_SYSENTER_CS:
		vmcs_write(VMCS_GUEST_SYSENTER_CS, val);
		return true;
	case MSR_IA32_SYSENTER_ESP:
		if (!canonical(val))
			return false;
		vmcs_write(VMCS_GUEST_SYSENTER_ESP, val);
		return true;
	case MSR_IA32_SYSENTER_EIP:
		if (!canonical(val))
			return false;
		vmcs_write(VMCS_GUEST_SYSENTER_EIP, val);
		return true;
	case MSR_IA32_PAT:
		for (int i = 0; i < 8; i++) {
			unsigned t = (val >> (8 * i)) & 0xff;
			if (t == 2 || t == 3 || t > 7)
				return false; /* reserved memory types */
		}
		if (vmx_caps.pat)
			vmcs_write(VMCS_GUEST_PAT, val);
		else
			v->guest_pat = val;
		return true;
	case MSR_IA32_EFER:
		return efer_write(val);
	case MSR_IA32_XSS:
		return v->cpuid.xsaves && val == 0;
	case MSR_IA32_FS_BASE:
		if (!canonical(val))
			return false;
		vmcs_write(VMCS_GUEST_FS_BASE, val);
		return true;
	case MSR_IA32_GS_BASE:
		if (!canonical(val))
			return false;
		vmcs_write(VMCS_GUEST_GS_BASE, val);
		return true;
	default:
		return guest_msr_slot(v, msr, &val, true);
	}
}

static bool is_apic_msr(uint32_t msr)
{
	return msr == MSR_IA32_APIC_BASE || msr == MSR_IA32_TSC_DEADLINE ||
	       (msr >= MSR_X2APIC_FIRST && msr <= MSR_X2APIC_LAST);
}

/* The local APIC's MSRs. Their #GPs are architectural (x2APIC rules, APIC_BASE
 * transitions), not gaps of mhv's: they are not logged. */
static bool apic_msr(struct vcpu *v, uint32_t msr, uint64_t *val, bool write)
{
	struct lapic *l = v->lapic;
	uint64_t now = vcpu_guest_tsc(v);
	v->work |= VCPU_WORK_INTR;
	switch (msr) {
	case MSR_IA32_APIC_BASE:
		if (write)
			return lapic_base_write(l, *val, now);
		*val = lapic_base_read(l);
		return true;
	case MSR_IA32_TSC_DEADLINE:
		if (write)
			lapic_tsc_deadline_write(l, *val, now);
		else
			*val = lapic_tsc_deadline_read(l);
		return true;
	default:
		return write ? lapic_msr_write(l, msr, *val, now) : lapic_msr_read(l, msr, val, now);
	}
}

enum exit_action handle_rdmsr(struct vcpu *v, const struct exit_info *x)
{
	uint64_t *g = v->regs.gpr;
	uint32_t msr = (uint32_t)g[GPR_RCX];
	uint64_t val;
	if (is_apic_msr(msr)) {
		if (!apic_msr(v, msr, &val, false)) {
			inject_gp(v);
			return EXIT_RESUME;
		}
	} else if (!msr_read(v, msr, &val)) {
		msr_log_unknown(v, "RDMSR", msr);
		inject_gp(v);
		return EXIT_RESUME;
	}
	g[GPR_RAX] = (uint32_t)val;
	g[GPR_RDX] = val >> 32;
	guest_skip_instruction();
	return EXIT_RESUME;
}

enum exit_action handle_wrmsr(struct vcpu *v, const struct exit_info *x)
{
	uint64_t *g = v->regs.gpr;
	uint32_t msr = (uint32_t)g[GPR_RCX];
	uint64_t val = (g[GPR_RDX] << 32) | (uint32_t)g[GPR_RAX];
	if (is_apic_msr(msr)) {
		if (!apic_msr(v, msr, &val, true)) {
			inject_gp(v);
			return EXIT_RESUME;
		}
		guest_skip_instruction();
		/* An ICR write may have sent INIT to this vCPU, or an IPI may end the VM. */
		return v->state == VCPU_RUNNABLE && !v->vm->ended ? EXIT_RESUME : EXIT_YIELD;
	}
	if (!msr_write(v, msr, val)) {
		msr_log_unknown(v, "WRMSR", msr);
		inject_gp(v);
		return EXIT_RESUME;
	}
	guest_skip_instruction();
	return EXIT_RESUME;
}
