/* The test device's exit counter: each read is itself an exit, so two reads in a row
 * differ by at least one (more if a timer or interrupt exit came between), and writes
 * do not reset it. */
#include "guests/lib/report.h"
#include "guests/mmio-test/tests.h"

#define EXITS_LO ((volatile u32 *)(MHV_TESTDEV_GPA + MHV_TESTDEV_EXITS))
#define EXITS_HI ((volatile u32 *)(MHV_TESTDEV_GPA + MHV_TESTDEV_EXITS + 4))

void test_exit_counter(void)
{
	u32 first = *EXITS_LO;
	u32 second = *EXITS_LO;
	*EXITS_LO = 0;
	*EXITS_HI = 0;
	u32 after = *EXITS_LO;
	report(second - first >= 1 && second - first < 10,
	       "exits: two reads of the counter %u apart", second - first);
	report(after - second >= 3 && after - second < 10,
	       "exits: writes ignored, the counter went on (%u, then %u)", second, after);
}
