/* MSR accesses: the architectural ones work, VMX and unknown ones raise #GP. */
#include "guests/lib/report.h"
#include "guests/lib/safe.h"
#include "guests/lib/trap.h"
#include "guests/lib/x86.h"
#include "guests/mb1-test/tests.h"

#define MSR_BOGUS	0x12345678
#define SYSENTER_CS_VAL 0x1234 /* any selector value; SYSENTER is never executed */

static bool raises_gp_on_read(u32 msr)
{
	u64 v;
	return !rdmsr_safe(msr, &v) && trap_caught_vector == VEC_GP;
}

void test_msr(void)
{
	u64 t0 = 0, t1 = 0, v = 0, saved = 0;
	bool ok = rdmsr_safe(MSR_IA32_TSC, &t0) && rdmsr_safe(MSR_IA32_TSC, &t1);
	report(ok && t1 > t0, "msr: IA32_TSC reads and increases (0x%llx, 0x%llx)", t0, t1);

	ok = rdmsr_safe(MSR_IA32_EFER, &v);
	report(ok && !(v & EFER_LMA), "msr: IA32_EFER reads, LMA clear (0x%llx)", v);

	ok = rdmsr_safe(MSR_IA32_SYSENTER_CS, &saved) &&
	     wrmsr_safe(MSR_IA32_SYSENTER_CS, SYSENTER_CS_VAL) &&
	     rdmsr_safe(MSR_IA32_SYSENTER_CS, &v);
	report(ok && v == SYSENTER_CS_VAL, "msr: IA32_SYSENTER_CS write reads back (0x%llx)", v);
	wrmsr_safe(MSR_IA32_SYSENTER_CS, saved);

	report(raises_gp_on_read(MSR_IA32_VMX_BASIC), "msr: IA32_VMX_BASIC read raises #GP");

	/* A guest may see FEATURE_CONTROL, but it must not offer VMX. */
	ok = rdmsr_safe(MSR_IA32_FEATURE_CONTROL, &v);
	report(ok ? !(v & FEATURE_CONTROL_VMX_OUTSIDE_SMX) : trap_caught_vector == VEC_GP,
	       "msr: IA32_FEATURE_CONTROL hides VMX (%s)", ok ? "read" : "#GP");

	report(raises_gp_on_read(MSR_BOGUS), "msr: read of bogus MSR raises #GP");
	report(!wrmsr_safe(MSR_BOGUS, 0) && trap_caught_vector == VEC_GP,
	       "msr: write of bogus MSR raises #GP");
}
