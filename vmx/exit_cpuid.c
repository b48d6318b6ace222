#include "kernel/x86.h"
#include "vmx/cpuid_policy.h"
#include "vmx/exit.h"

enum exit_action handle_cpuid(struct vcpu *v, const struct exit_info *x)
{
	uint64_t *g = v->regs.gpr;
	uint32_t leaf = (uint32_t)g[GPR_RAX], sub = (uint32_t)g[GPR_RCX];
	struct cpuid_regs r;
	cpuid(leaf, sub, &r.eax, &r.ebx, &r.ecx, &r.edx);
	cpuid_filter(leaf, sub, &v->cpuid, &r);
	g[GPR_RAX] = r.eax;
	g[GPR_RBX] = r.ebx;
	g[GPR_RCX] = r.ecx;
	g[GPR_RDX] = r.edx;
	guest_skip_instruction();
	return EXIT_RESUME;
}
