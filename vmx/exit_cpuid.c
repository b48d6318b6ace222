#include "drivers/tsc.h"
#include "kernel/x86.h"
#include "vmx/cpuid_policy.h"
#include "vmx/exit.h"
#include "vmx/vmx_init.h"

enum exit_action handle_cpuid(struct vcpu *v, const struct exit_info *x)
{
	uint64_t *g = v->regs.gpr;
	uint32_t leaf = (uint32_t)g[GPR_RAX], sub = (uint32_t)g[GPR_RCX];
	struct cpuid_regs r;
	cpuid(leaf, sub, &r.eax, &r.ebx, &r.ecx, &r.edx);
	struct cpuid_policy p = {.vcpu_id = v->id, .rdtscp = vmx_caps.rdtscp,
				 .invpcid = vmx_caps.invpcid, .tsc_khz = (uint32_t)(tsc_hz / 1000)};
	cpuid_filter(leaf, sub, &p, &r);
	g[GPR_RAX] = r.eax;
	g[GPR_RBX] = r.ebx;
	g[GPR_RCX] = r.ecx;
	g[GPR_RDX] = r.edx;
	guest_skip_instruction();
	return EXIT_RESUME;
}
