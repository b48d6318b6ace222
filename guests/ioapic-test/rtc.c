/* The RTC (ISA IRQ8) at pin 8: the 256 Hz periodic interrupt and the once-a-second update
 * interrupt, each acknowledged by reading register C. */
#include "guests/ioapic-test/tests.h"
#include "guests/lib/apic.h"
#include "guests/lib/cmos.h"
#include "guests/lib/ioapic.h"
#include "guests/lib/report.h"
#include "guests/lib/trap.h"
#include "guests/lib/tsc.h"
#include "guests/lib/x86.h"

#define RTC_B_UIE      0x10 /* update-ended interrupt enable */
#define RTC_C_PF       0x40 /* periodic flag */
#define RTC_C_UF       0x10 /* update-ended flag */
#define RTC_A_RATE_256 0x08 /* 3.90625 ms: slow enough for Bochs (see pit.c) */
#define PERIODIC_MS    80
#define UPDATE_WAIT_MS 1100 /* one update per second */

static volatile u32 periodic, updates; /* PF is set with or without PIE */

static void on_rtc(struct trap_frame *f)
{
	(void)f;
	u8 c = cmos_read(RTC_REG_C);
	periodic += (c & RTC_C_PF) != 0;
	updates += (c & RTC_C_UF) != 0;
	apic_eoi();
}

static void check_periodic(void)
{
	periodic = updates = 0;
	cmos_write(RTC_REG_A, RTC_A_DV_32K | RTC_A_RATE_256);
	cmos_read(RTC_REG_C);
	ioapic_rte_write(IOAPIC_PIN_RTC, ioapic_rte(VEC_RTC, 0, 0));
	cmos_write(RTC_REG_B, cmos_read(RTC_REG_B) | RTC_B_PIE);
	let_interrupts_in(PERIODIC_MS);
	cmos_write(RTC_REG_B, cmos_read(RTC_REG_B) & ~RTC_B_PIE);
	u32 n = periodic;
	report(n >= 15 && n <= 25,
	       "ioapic: RTC periodic 256 Hz through pin 8: %u interrupts in %u ms", n, PERIODIC_MS);
}

static void check_update(void)
{
	periodic = updates = 0;
	cmos_read(RTC_REG_C);
	cmos_write(RTC_REG_B, cmos_read(RTC_REG_B) | RTC_B_UIE);
	u64 end = rdtsc() + tsc_from_ms(UPDATE_WAIT_MS);
	while (!updates && rdtsc() < end)
		sti_hlt();
	cli();
	cmos_write(RTC_REG_B, cmos_read(RTC_REG_B) & ~RTC_B_UIE);
	ioapic_rte_write(IOAPIC_PIN_RTC, IOAPIC_MASKED);
	cmos_read(RTC_REG_C);
	report(updates == 1,
	       "ioapic: RTC update-ended interrupt through pin 8 within a second (%u)", updates);
}

void test_rtc(void)
{
	trap_set_handler(VEC_RTC, on_rtc);
	check_periodic();
	check_update();
}
