/* CR0/CR4 as the guest sees them: the bits of hidden features (VMXE, OSXSAVE, PKE) refused,
 * so their state (XCR0, PKRU: not switched between VMs) stays out of reach; ordinary bits
 * read back. */
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

	ok = write_cr4_safe(cr4 | CR4_OSXSAVE);
	report(!ok && trap_caught_vector == VEC_GP && !(read_cr4() & CR4_OSXSAVE),
	       "cr: setting CR4.OSXSAVE raises #GP (no XSAVE offered)");
	ok = write_cr4_safe(cr4 | CR4_PKE);
	report(!ok && trap_caught_vector == VEC_GP && !(read_cr4() & CR4_PKE),
	       "cr: setting CR4.PKE raises #GP (no protection keys offered)");
	/* XGETBV with CR4.OSXSAVE clear is #UD: XCR0 cannot be read, let alone the host's. */
	__asm__ volatile(TRAP_TRY("xorl %%ecx, %%ecx; xgetbv") : : : "eax", "ecx", "edx", "memory");
	report(trap_caught_vector == VEC_UD, "cr: XGETBV raises #UD (vector %d)",
	       (int)trap_caught_vector);

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
