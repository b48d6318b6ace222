/* CR0/CR4 as the guest sees them: VMXE hidden and refused, ordinary bits read back. */
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
