#include "drivers/tsc.h"
#include "kernel/vm_devices.h"
#include "kernel/x86.h"
#include "vmx/vmx_init.h"
#include "vmx/cpuid_policy.h"
#include "vmx/exit.h"
#include "vmx/xsave.h"

void cpuid_policy_init(struct cpuid_policy *p, unsigned id, unsigned ncpus)
{
	uint32_t max, b, c, d;
	cpuid(0, 0, &max, &b, &c, &d);
	unsigned shift = platform_lapic_clock_shift();
	*p = (struct cpuid_policy){
	    .vcpu_id = id,
	    .ncpus = ncpus,
	    .rdtscp = vmx_caps.rdtscp,
	    .invpcid = vmx_caps.invpcid,
	    .apic_enabled = true,
	    .tsc_adjust = vmx_caps.tsc_offsetting,
	    .xsave = xsave_enabled,
	    .xsaves = vmx_caps.xsaves,
	    .xcr0_mask = xsave_guest_xcr0,
	    .xsave_size = xsave_guest_size,
	    .tsc_khz = (uint32_t)(tsc_hz / 1000),
	    .lapic_hz = (uint32_t)(tsc_hz >> shift),
	    .tsc_per_lapic = 1u << shift,
	    .host_max_leaf = max,
	};
}

enum exit_action handle_cpuid(struct vcpu *v, const struct exit_info *x)
{
	uint64_t *g = v->regs.gpr;
	uint32_t leaf = (uint32_t)g[GPR_RAX], sub = (uint32_t)g[GPR_RCX];
	struct cpuid_regs r;
	cpuid(leaf, sub, &r.eax, &r.ebx, &r.ecx, &r.edx);
	v->cpuid.osxsave = vmcs_read(VMCS_GUEST_CR4) & CR4_OSXSAVE;
	cpuid_filter(leaf, sub, &v->cpuid, &r);
	g[GPR_RAX] = r.eax;
	g[GPR_RBX] = r.ebx;
	g[GPR_RCX] = r.ecx;
	g[GPR_RDX] = r.edx;
	guest_skip_instruction();
	return EXIT_RESUME;
}
