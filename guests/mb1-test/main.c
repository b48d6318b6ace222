/* Multiboot v1 test guest: checks what mhv shows a 32-bit protected-mode guest, one report()
 * per property; the exit code is 0 only if every check passed. Run it with mem=16. */
#include "guests/lib/printf.h"
#include "guests/lib/report.h"
#include "guests/mb1-test/tests.h"

int main(u32 magic, const struct mb1_info *mbi)
{
	printf("mb1-test: started\n");
	test_boot_info(magic, mbi);
	test_exceptions();
	test_debug_events();
	test_cpuid();
	test_msr();
	test_control_regs();
	test_paging();
	test_port_io();
	test_hypercall();
	test_mmio();
	test_hlt_wakeup();
	test_fw_cfg(mbi);
	report_summary();
}
