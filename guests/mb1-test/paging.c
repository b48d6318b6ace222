/* Turning paging on and off: 32-bit paging with 4 MiB pages (CR4.PSE), identity-mapping all
 * 4 GiB so code, data, the console and MMIO keep working, plus one alias window to prove the
 * translation is really in use. */
#include "guests/lib/printf.h"
#include "guests/lib/report.h"
#include "guests/lib/x86.h"
#include "guests/mb1-test/tests.h"

#define PDE_P	  (1u << 0) /* present */
#define PDE_RW	  (1u << 1) /* writable */
#define PDE_PS	  (1u << 7) /* 4 MiB page (needs CR4.PSE) */
#define PDE_SHIFT 22	    /* each PDE maps 4 MiB */
#define PDE_COUNT 1024

#define ALIAS_VA 0x80000000u /* a second virtual window onto physical 0..4 MiB */

static u32 page_dir[PDE_COUNT] __attribute__((aligned(4096)));
static volatile u32 marker = 0x5a5aa5a5;

void test_paging(void)
{
	u32 cr0 = read_cr0(), cr4 = read_cr4();
	volatile u32 *alias = (volatile u32 *)(ALIAS_VA + (u32)&marker);

	for (u32 i = 0; i < PDE_COUNT; i++)
		page_dir[i] = (i << PDE_SHIFT) | PDE_PS | PDE_RW | PDE_P;
	page_dir[ALIAS_VA >> PDE_SHIFT] = 0 | PDE_PS | PDE_RW | PDE_P;

	write_cr3((u32)page_dir);
	write_cr4(cr4 | CR4_PSE);
	write_cr0(cr0 | CR0_PG);

	bool on = read_cr0() & CR0_PG;
	u32 direct = marker, through_alias = *alias;
	*alias = 0x0badf00d;
	u32 after_write = marker;
	printf("paging: on, marker 0x%08x, via alias 0x%08x\n", direct, through_alias);

	write_cr0(cr0);
	write_cr4(cr4);
	bool off = !(read_cr0() & CR0_PG);

	report(on && direct == 0x5a5aa5a5, "paging: CR0.PG on, identity-mapped read");
	report(through_alias == 0x5a5aa5a5 && after_write == 0x0badf00d,
	       "paging: 4 MiB alias page translates");
	report(off && marker == 0x0badf00d, "paging: CR0.PG off again");
}
