/* CPUID as mhv presents it: a hypervisor is announced, VMX is hidden. */
#include "guests/lib/report.h"
#include "guests/lib/x86.h"
#include "guests/mb1-test/tests.h"
#include "kernel/guest_abi.h"

void test_cpuid(void)
{
	struct cpuid_regs l1 = cpuid(1), base = cpuid(MHV_CPUID_LEAF_BASE);

	report(l1.c & CPUID1_ECX_HYPERVISOR, "cpuid: leaf 1 ECX.hypervisor set");
	report(!(l1.c & CPUID1_ECX_VMX), "cpuid: leaf 1 ECX.VMX clear");
	report(base.b == MHV_CPUID_SIG_EBX && base.c == MHV_CPUID_SIG_ECX &&
		   base.d == MHV_CPUID_SIG_EDX,
	       "cpuid: leaf 0x40000000 signature (%08x %08x %08x)", base.b, base.c, base.d);
	report(base.a >= MHV_CPUID_LEAF_BASE, "cpuid: leaf 0x40000000 EAX >= 0x40000000 (0x%x)",
	       base.a);
}
