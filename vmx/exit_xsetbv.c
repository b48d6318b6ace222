/* XSETBV always exits (SDM 25.1.3): the guest's XCR0 is checked against what it was offered
 * and loaded (vmx/xsave.h). */
#include "vmx/exit.h"
#include "vmx/xsave.h"

enum exit_action handle_xsetbv(struct vcpu *v, const struct exit_info *x)
{
	uint64_t *g = v->regs.gpr;
	if (!xsave_enabled || !(vmcs_read(VMCS_GUEST_CR4) & CR4_OSXSAVE)) {
		inject_ud(v);
		return EXIT_RESUME;
	}
	unsigned cpl = (vmcs_read(VMCS_GUEST_SS_AR_BYTES) & SEG_AR_DPL_MASK) >> SEG_AR_DPL_SHIFT;
	uint64_t value = (g[GPR_RDX] << 32) | (uint32_t)g[GPR_RAX];
	if (cpl != 0 || (uint32_t)g[GPR_RCX] != 0 || !xsave_set_xcr0(v, value)) {
		inject_gp(v);
		return EXIT_RESUME;
	}
	guest_skip_instruction();
	return EXIT_RESUME;
}
