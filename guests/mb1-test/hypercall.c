/* The VMCALL ABI of kernel/guest_abi.h. vmcall_safe keeps a #UD (no hypervisor) a FAIL. */
#include "guests/lib/report.h"
#include "guests/lib/trap.h"
#include "guests/lib/vmcall.h"
#include "guests/mb1-test/tests.h"
#include "kernel/guest_abi.h"

#define HC_UNKNOWN 0x7fffffffu

/* "%s %d" arguments saying what a vmcall_safe did: its result, or the vector it raised. */
#define OUTCOME(ok, ret) (ok) ? "ret" : "fault vector", (ok) ? (ret) : trap_caught_vector

void test_hypercall(void)
{
	static const char msg[] = "vmcall console ok\n";
	s32 ret = 0;
	bool ok;

	ok = vmcall_safe(MHV_HC_NOP, 0, 0, 0, 0, &ret);
	report(ok && ret == MHV_HC_OK, "vmcall: NOP returns 0 (%s %d)", OUTCOME(ok, ret));

	ok = vmcall_safe(MHV_HC_CONSOLE_WRITE, (u32)msg, sizeof(msg) - 1, 0, 0, &ret);
	report(ok && ret == (s32)sizeof(msg) - 1,
	       "vmcall: CONSOLE_WRITE returns its length (%s %d)", OUTCOME(ok, ret));

	ok = vmcall_safe(HC_UNKNOWN, 0, 0, 0, 0, &ret);
	report(ok && ret == MHV_HC_ENOSYS, "vmcall: unknown number returns ENOSYS (%s %d)",
	       OUTCOME(ok, ret));
}
