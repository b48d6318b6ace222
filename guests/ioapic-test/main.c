/* I/O APIC test guest (cpus=2): register read-back, then the PIT (pin 2), COM1 (pin 4,
 * edge and level, with remote IRR) and the RTC (pin 8) delivering through the I/O APIC to
 * the BSP and to the AP, and masking. The 8259 is fully masked and LINT0 is masked, so
 * nothing may come through the 8259. */
#include "guests/ioapic-test/tests.h"
#include "guests/lib/apic.h"
#include "guests/lib/multiboot.h"
#include "guests/lib/pic.h"
#include "guests/lib/printf.h"
#include "guests/lib/report.h"
#include "guests/lib/smp.h"
#include "guests/lib/trap.h"
#include "guests/lib/tsc.h"
#include "guests/lib/x86.h"

#define FIRST_COUNTED 0x30

volatile u32 got[256][CPUS];
volatile u32 nmis[CPUS];
static volatile u32 pic_taken;
static volatile u64 window_start, window_end;

/* Counts only inside the window: a CPU may take interrupts after the BSP's window closed
 * and before the BSP runs again to look. */
static void on_counted(struct trap_frame *f)
{
	u64 now = rdtsc();
	u32 cpu = apic_id();
	if (cpu < CPUS && now >= window_start && now < window_end)
		__atomic_add_fetch(&got[f->vector][cpu], 1, __ATOMIC_RELAXED);
	apic_eoi();
}

static void on_pic_vector(struct trap_frame *f)
{
	(void)f;
	pic_taken++;
}

static void on_nmi(struct trap_frame *f)
{
	(void)f;
	u32 cpu = smp_this_cpu();
	if (cpu < CPUS)
		__atomic_add_fetch(&nmis[cpu], 1, __ATOMIC_RELAXED);
}

void counts_reset(void)
{
	for (u32 v = 0; v < 256; v++)
		for (u32 c = 0; c < CPUS; c++)
			got[v][c] = 0;
	for (u32 c = 0; c < CPUS; c++)
		nmis[c] = 0;
	window_start = 0;
	window_end = ~0ull;
}

u32 count_on(u8 vector, u32 cpu)
{
	return got[vector][cpu];
}

u32 count_all(u8 vector)
{
	u32 n = 0;
	for (u32 c = 0; c < CPUS; c++)
		n += got[vector][c];
	return n;
}

void let_interrupts_in(u32 ms)
{
	sti();
	tsc_spin_ms(ms);
	cli();
}

void count_window(u32 ms)
{
	counts_reset();
	window_start = rdtsc();
	window_end = window_start + tsc_from_ms(ms);
	let_interrupts_in(ms);
}

u32 pic_vectors_taken(void)
{
	return pic_taken;
}

int main(u32 magic, const struct mb1_info *mbi)
{
	(void)magic;
	(void)mbi;
	printf("ioapic-test: started\n");
	pic_init(PIC_MASK_ALL);
	apic_write(APIC_LVT_LINT0, APIC_LVT_MASKED);
	for (u32 v = PIC1_VECTOR; v < PIC2_VECTOR + 8; v++)
		trap_set_handler((u8)v, on_pic_vector);
	for (u32 v = FIRST_COUNTED; v < 0xff; v++)
		trap_set_handler((u8)v, on_counted);
	trap_set_handler(VEC_NMI, on_nmi);
	counts_reset();
	smp_init();
	bool up = smp_fw_cfg_cpus() == CPUS && smp_start_ap(1);
	report(up, "ioapic: %u CPUs, AP 1 started", smp_fw_cfg_cpus());
	if (!up)
		report_summary();

	test_registers();
	test_pit();
	test_com1();
	test_rtc();
	report(pic_vectors_taken() == 0, "ioapic: no interrupt came through the masked 8259 (%u)",
	       pic_vectors_taken());
	report_summary();
}
