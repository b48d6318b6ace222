#include "vmx/spec_ctrl.h"
#include "kernel/log.h"
#include "kernel/options.h"
#include "kernel/x86.h"

#define MSR_IA32_SPEC_CTRL         0x48
#define SPEC_CTRL_IBRS             (1ull << 0)
#define MSR_IA32_PRED_CMD          0x49
#define PRED_CMD_IBPB              (1ull << 0) /* barrier: no earlier predictions used */
#define MSR_IA32_ARCH_CAPABILITIES 0x10a
#define MSR_IA32_FLUSH_CMD         0x10b
#define FLUSH_CMD_L1D              (1ull << 0) /* write back and invalidate the L1D */

struct spec_policy spec;
bool spec_verw_on_entry;
bool spec_rsb_fill_on_exit;

void spec_init(void)
{
	uint32_t max, b, c, d;
	cpuid(0, 0, &max, &b, &c, &d);
	struct spec_inputs in = {
	    .intel = b == 0x756e6547 && d == 0x49656e69 && c == 0x6c65746e, /* GenuineIntel */
	};
	if (max >= 7) {
		uint32_t a7, b7, c7;
		cpuid(7, 0, &a7, &b7, &c7, &in.cpuid7_edx);
	}
	if (in.cpuid7_edx & SPEC_CPUID_ARCH_CAPS)
		in.arch_capabilities = rdmsr(MSR_IA32_ARCH_CAPABILITIES);
	spec_policy_decide(&in, &spec);
	if (hv_options.spec_off) {
		spec.l1d_flush_on_entry = spec.verw_on_entry = spec.ibpb_on_vm_switch = false;
		spec.rsb_fill_on_exit = false;
	}
	if (spec.eibrs)
		wrmsr(MSR_IA32_SPEC_CTRL, rdmsr(MSR_IA32_SPEC_CTRL) | SPEC_CTRL_IBRS);
	spec_verw_on_entry = spec.verw_on_entry;
	spec_rsb_fill_on_exit = spec.rsb_fill_on_exit;
	char line[200];
	spec_policy_describe(&spec, line, sizeof line);
	log_info("speculation: %s%s", line, hv_options.spec_off ? " (spec=off: runtime ones off)" : "");
}

void spec_before_entry_slow(void)
{
	wrmsr(MSR_IA32_FLUSH_CMD, FLUSH_CMD_L1D);
}

void spec_vm_switch(const void *prev, const void *next)
{
	if (spec.ibpb_on_vm_switch && prev != next)
		wrmsr(MSR_IA32_PRED_CMD, PRED_CMD_IBPB);
}
