/* CR0/CR4 as the guest sees them: the bits of hidden features (VMXE, PKE) refused, so their
 * state (PKRU: not switched between VMs) stays out of reach; OSXSAVE the guest's, with XCR0
 * its own and checked; ordinary bits read back. */
#include "guests/lib/report.h"
#include "guests/lib/safe.h"
#include "guests/lib/trap.h"
#include "guests/lib/x86.h"
#include "guests/mb1-test/tests.h"

void test_control_regs(void)
{
	u32 cr4 = read_cr4(), cr0 = read_cr0();

	report(!(cr4 & CR4_VMXE), "cr: CR4.VMXE reads 0 (CR4 0x%x)", cr4);

	bool ok = write_cr4_safe(cr4 | CR4_VMXE);
	report(!ok && trap_caught_vector == VEC_GP, "cr: setting CR4.VMXE raises #GP");
	write_cr4(cr4);

	bool xsave = cpuid(1).c & CPUID1_ECX_XSAVE;
	ok = write_cr4_safe(cr4 | CR4_OSXSAVE);
	u32 xcr0 = 0;
	if (ok)
		__asm__ volatile("xorl %%ecx, %%ecx; xgetbv" : "=a"(xcr0) : : "ecx", "edx");
	bool shown = cpuid(1).c & CPUID1_ECX_OSXSAVE;
	report(xsave && ok && (read_cr4() & CR4_OSXSAVE) && shown && xcr0 == 1,
	       "cr: CR4.OSXSAVE sets (XSAVE offered), CPUID shows OSXSAVE, XCR0 starts x87 (0x%x)",
	       xcr0);
	ok = write_cr4_safe(cr4 | CR4_PKE);
	report(!ok && trap_caught_vector == VEC_GP && !(read_cr4() & CR4_PKE),
	       "cr: setting CR4.PKE raises #GP (no protection keys offered)");
	/* AVX state without SSE state is an invalid XCR0; with CR4.OSXSAVE clear again, XGETBV
	 * is #UD. */
	__asm__ volatile(TRAP_TRY("xorl %%ecx, %%ecx; movl $5, %%eax; xorl %%edx, %%edx; xsetbv")
			 : : : "eax", "ecx", "edx", "memory");
	int setbv_vector = trap_caught_vector;
	write_cr4(cr4);
	__asm__ volatile(TRAP_TRY("xorl %%ecx, %%ecx; xgetbv") : : : "eax", "ecx", "edx", "memory");
	report(setbv_vector == VEC_GP && trap_caught_vector == VEC_UD,
	       "cr: XSETBV of AVX without SSE #GP (%d), XGETBV without OSXSAVE #UD (%d)",
	       setbv_vector, (int)trap_caught_vector);

	write_cr4(cr4 | CR4_PSE);
	bool pse_set = read_cr4() & CR4_PSE;
	write_cr4(cr4 & ~CR4_PSE);
	bool pse_clear = !(read_cr4() & CR4_PSE);
	write_cr4(cr4);
	report(pse_set && pse_clear, "cr: CR4.PSE set and clear read back");

	write_cr0(cr0 | CR0_TS);
	bool ts_set = read_cr0() & CR0_TS;
	write_cr0(cr0 & ~CR0_TS);
	bool ts_clear = !(read_cr0() & CR0_TS);
	write_cr0(cr0);
	report(ts_set && ts_clear, "cr: CR0.TS toggle reads back");
}
