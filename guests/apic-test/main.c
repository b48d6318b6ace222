/* Local APIC test guest (one vCPU): xAPIC registers, priorities and self-IPIs, the timer in
 * its three modes, CR8 from a short visit to 64-bit mode, IA32_APIC_BASE relocation and
 * disable, and x2APIC mode with its #GP rules. The 8259 is masked and LINT0 with it, so
 * every interrupt here comes from the local APIC. Run it with mem=16 under each apicv=. */
#include "guests/apic-test/tests.h"
#include "guests/lib/apic.h"
#include "guests/lib/div64.h"
#include "guests/lib/multiboot.h"
#include "guests/lib/pic.h"
#include "guests/lib/printf.h"
#include "guests/lib/report.h"
#include "guests/lib/trap.h"
#include "guests/lib/tsc.h"
#include "guests/lib/x86.h"

#define FIRST_LOGGED_VECTOR 0x20

volatile struct intr_event intr_log[LOG_MAX];
volatile u32 intr_count;
volatile u32 nmi_count;
static u32 tsc_per_tick;

static void on_logged(struct trap_frame *f)
{
	u64 now = rdtsc();
	u32 n = intr_count;
	if (n < LOG_MAX) {
		intr_log[n].vector = (u8)f->vector;
		intr_log[n].tsc = now;
	}
	intr_count = n + 1;
	apic_eoi();
}

static void on_nmi(struct trap_frame *f)
{
	(void)f;
	nmi_count++;
}

void intr_log_reset(void)
{
	intr_count = 0;
	nmi_count = 0;
	for (u32 v = FIRST_LOGGED_VECTOR; v < 256; v++)
		trap_set_handler((u8)v, on_logged);
}

u32 intr_count_of(u8 vector)
{
	u32 n = 0, kept = intr_count < LOG_MAX ? intr_count : LOG_MAX;
	for (u32 i = 0; i < kept; i++)
		n += intr_log[i].vector == vector;
	return n;
}

void let_interrupts_in(u32 ms)
{
	sti();
	tsc_spin_ms(ms);
	cli();
}

void self_ipi(u8 vector)
{
	apic_icr_write(APIC_DEST_SELF | APIC_DM_FIXED | vector, 0);
}

u64 tsc_for_ticks(u32 count)
{
	return (u64)count * tsc_per_tick;
}

bool within_20_percent(u64 got, u64 want)
{
	return got * 5 >= want * 4 && got * 5 <= want * 6;
}

int main(u32 magic, const struct mb1_info *mbi)
{
	(void)magic;
	(void)mbi;
	printf("apic-test: started\n");
	u32 khz = tsc_khz_for_timeouts();
	u32 timer_hz = apic_timer_hz();
	tsc_per_tick = apic_tsc_per_tick();
	report(khz && timer_hz && tsc_per_tick,
	       "apic: TSC %u kHz, timer clock %u Hz (CPUID 0x15), %u TSC ticks per timer tick", khz,
	       timer_hz, tsc_per_tick);
	u32 want_khz = udiv64((u64)timer_hz * tsc_per_tick, 1000, NULL);
	report(khz * 10 >= want_khz * 9 && khz * 10 <= want_khz * 11,
	       "apic: CPUID 0x15 agrees with the PIT-calibrated TSC (%u kHz vs %u kHz)", want_khz,
	       khz);
	if (!khz || !tsc_per_tick)
		report_summary();

	pic_init(PIC_MASK_ALL);
	intr_log_reset();
	trap_set_handler(VEC_NMI, on_nmi);
	test_xapic_registers();
	test_xapic_interrupts();
	test_timer();
	test_cr8();
	test_base_relocation();
	test_x2apic();
	report_summary();
}
