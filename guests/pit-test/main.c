/* 8254 PIT through the 8259A PIC: TSC calibration on channel 2, a 100 Hz IRQ0 on channel 0
 * that wakes HLT, and the channel's latched count and read-back status. */
#include "guests/lib/multiboot.h"
#include "guests/lib/pic.h"
#include "guests/lib/pit.h"
#include "guests/lib/printf.h"
#include "guests/lib/report.h"
#include "guests/lib/trap.h"
#include "guests/lib/tsc.h"
#include "guests/lib/x86.h"
#include "kernel/guest_abi.h"

#define TICK_HZ	     100
#define TICK_DIVISOR 11932 /* PIT_HZ / TICK_HZ, rounded */
#define TOLERANCE    50	   /* 1/50 = 2% */
#define PROBE_MS     50	   /* long enough for a few ticks */
/* Control word bits 5:0 as the status byte echoes them: LSB then MSB, mode 2, binary. */
#define CTRL_LOHI_MODE2 (PIT_LOHI | PIT_MODE2)

static volatile u32 ticks;

static void on_irq0(struct trap_frame *f)
{
	(void)f;
	ticks++;
	pic_eoi(0);
}

static bool within_2_percent(u32 got, u32 want)
{
	u32 diff = got > want ? got - want : want - got;
	return diff * TOLERANCE <= want;
}

static void check_against_hypervisor(u32 khz)
{
	u32 hv_khz = tsc_hypervisor_khz();

	if (!hv_khz) {
		printf("pit-test: note: no mhv CPUID leaf 0x%x, TSC frequency comparison skipped\n",
		       MHV_CPUID_LEAF_TIMING);
		return;
	}
	report(khz && within_2_percent(khz, hv_khz),
	       "pit: calibrated TSC within 2%% of CPUID 0x%x (%u vs %u kHz)", MHV_CPUID_LEAF_TIMING,
	       khz, hv_khz);
}

static void check_counter(void)
{
	u16 c1 = pit_read_count();
	tsc_spin_ms(1);
	u16 c2 = pit_read_count();
	/* Mode 2 counts N, N-1, ..., 1 and reloads: 0 is never read. */
	report(c1 >= 1 && c1 <= TICK_DIVISOR && c2 >= 1 && c2 <= TICK_DIVISOR,
	       "pit: latched count in [1, %u] (%u, %u)", TICK_DIVISOR, c1, c2);
	report(c1 != c2, "pit: latched count moves between reads 1 ms apart");

	u8 status = pit_read_status();
	report((status & PIT_STATUS_CTRL_MASK) == CTRL_LOHI_MODE2 && !(status & PIT_STATUS_NULL),
	       "pit: read-back status shows mode 2, LSB/MSB, binary, count loaded (0x%02x)",
	       status);
}

/* Counts ticks over one TSC second, starting just after a tick, halting between them. */
static void check_tick_rate(void)
{
	/* IF is off at each check, so no tick slips in between the check and the HLT. */
	for (u32 seen = ticks; ticks == seen; cli())
		sti_hlt();

	u32 first = ticks, wakes = 0;
	u64 end = rdtsc() + tsc_from_ms(1000);
	for (; rdtsc() < end; cli()) {
		sti_hlt();
		wakes++;
	}
	u32 n = ticks - first;
	report(within_2_percent(n, TICK_HZ), "pit: %u IRQ0 ticks in one TSC second (want %u)", n,
	       TICK_HZ);
	report(wakes >= 1 && wakes <= n + 1, "pit: HLT woke once per tick (%u wakes, %u ticks)",
	       wakes, n);
}

int main(u32 magic, const struct mb1_info *mbi)
{
	(void)magic;
	(void)mbi;
	printf("pit-test: started\n");

	u32 khz = tsc_calibrate_khz();
	report(khz != 0, "pit: TSC calibrated on channel 2 (%u kHz)", khz);
	check_against_hypervisor(khz);
	if (!tsc_khz_for_timeouts())
		report_summary();

	trap_set_handler(IRQ_VECTOR(0), on_irq0);
	pic_init((u16)~IRQ_BIT(0));
	pit_start(PIT_MODE2, TICK_DIVISOR);
	check_counter();

	/* Spin rather than halt here: if IRQ0 never comes, HLT would never return. */
	sti();
	tsc_spin_ms(PROBE_MS);
	cli();
	report(ticks > 0, "pit: IRQ0 delivered with IF=1 (%u ticks in %u ms)", ticks, PROBE_MS);
	if (ticks)
		check_tick_rate();

	pic_set_mask(PIC_MASK_ALL);
	report_summary();
}
