/* MMIO emulation test guest: straddling accesses, the instructions drivers use on device
 * registers, string instructions with devices on either side, faults in the middle of
 * REP string instructions, and the paging protections of hypervisor-made accesses at CPL 0
 * and 3, the exit counter. Run it with mem=16; the exit code is 0 only if every check passed. */
#include "guests/lib/printf.h"
#include "guests/lib/report.h"
#include "guests/mmio-test/tests.h"

int main(void)
{
	printf("mmio-test: started\n");
	paging_init();
	test_straddle();
	test_instructions();
	test_strings();
	test_faults();
	test_user_mode();
	test_exit_counter();
	report_summary();
}
