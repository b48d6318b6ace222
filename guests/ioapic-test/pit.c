/* PIT channel 0 (ISA IRQ0) arrives at pin 2, not pin 0, as the MADT override says: to the
 * BSP, to the AP once the destination changes, to either by lowest priority; an edge that
 * comes while the pin is masked is lost. The 8259 sees IRQ0 too, but it is masked. */
#include "guests/lib/pit.h"
#include "guests/ioapic-test/tests.h"
#include "guests/lib/apic.h"
#include "guests/lib/ioapic.h"
#include "guests/lib/pic.h"
#include "guests/lib/report.h"
#include "guests/lib/smp.h"
#include "guests/lib/x86.h"

/* 250 Hz (Linux's usual HZ): under Bochs an interrupt whose handler reads the APIC ID and
 * EOIs costs about 1 ms of emulated time with apicv=basic or off (three exits), so a faster
 * tick would leave the taking CPU nothing but its handler. */
#define TICK_US	   4000
#define TICKS_MS   80 /* about 20 ticks */
#define ONESHOT_US 1000

static bool about_20(u32 n)
{
	return n >= 16 && n <= 24;
}

static void set_ldr(void *arg)
{
	apic_write(APIC_LDR, (u32)arg << 24);
}

/* Routes pin 2 as `rte`, lets a tick that was already on its way land, then counts. */
static void route_and_count(u64 rte)
{
	ioapic_rte_write(IOAPIC_PIN_PIT, rte);
	let_interrupts_in(2 * TICK_US / 1000);
	count_window(TICKS_MS);
}

static void check_routing(void)
{
	ioapic_rte_write(0, ioapic_rte(VEC_PIN0, 0, 0));
	pit_start(PIT_MODE2, pit_count_for_us(TICK_US));
	route_and_count(ioapic_rte(VEC_PIT, 0, 0));
	u32 bsp = count_on(VEC_PIT, 0), ap = count_on(VEC_PIT, 1), pin0 = count_all(VEC_PIN0);
	u16 irr = pic_read_irr();
	report(about_20(bsp) && ap == 0,
	       "ioapic: PIT at 250 Hz through pin 2 to the BSP: %u interrupts in %u ms (AP: %u)",
	       bsp, TICKS_MS, ap);
	report(pin0 == 0, "ioapic: nothing on pin 0 (%u)", pin0);
	report(irr & IRQ_BIT(0), "ioapic: the masked 8259 saw IRQ0 too (IRR 0x%04x)", irr);

	route_and_count(ioapic_rte(VEC_PIT, 1, 0));
	bsp = count_on(VEC_PIT, 0);
	ap = count_on(VEC_PIT, 1);
	report(about_20(ap) && bsp == 0, "ioapic: destination 1: the AP takes them (%u, BSP %u)",
	       ap, bsp);

	smp_call(1, set_ldr, (void *)0x02);
	set_ldr((void *)0x01);
	route_and_count(ioapic_rte(VEC_PIT, 0x02, IOAPIC_DEST_LOGICAL));
	bsp = count_on(VEC_PIT, 0);
	ap = count_on(VEC_PIT, 1);
	report(about_20(ap) && bsp == 0,
	       "ioapic: logical destination 0x02 (the AP's LDR) reaches the AP (%u, BSP %u)", ap,
	       bsp);

	route_and_count(ioapic_rte(VEC_PIT, 0x03, IOAPIC_DEST_LOGICAL | IOAPIC_DM_LOWEST));
	bsp = count_on(VEC_PIT, 0);
	ap = count_on(VEC_PIT, 1);
	report(about_20(bsp + ap),
	       "ioapic: lowest priority to both: each tick taken once (BSP %u + AP %u)", bsp, ap);
	ioapic_rte_write(IOAPIC_PIN_PIT, ioapic_rte(VEC_PIT, 0, IOAPIC_MASKED));
	ioapic_rte_write(0, IOAPIC_MASKED);
}

static void check_masked_edge(void)
{
	pit_start(PIT_MODE0, pit_count_for_us(ONESHOT_US)); /* one rising edge, then quiet */
	let_interrupts_in(SETTLE_MS);
	counts_reset();
	ioapic_rte_write(IOAPIC_PIN_PIT, ioapic_rte(VEC_PIT, 0, 0));
	let_interrupts_in(SETTLE_MS);
	u32 lost = count_all(VEC_PIT);
	ioapic_rte_write(IOAPIC_PIN_PIT, ioapic_rte(VEC_PIT, 0, IOAPIC_MASKED));
	report(lost == 0, "ioapic: an edge while masked is lost, unmasking brings nothing (%u)",
	       lost);

	counts_reset();
	ioapic_rte_write(IOAPIC_PIN_PIT, ioapic_rte(VEC_PIT, 0, 0));
	pit_start(PIT_MODE0, pit_count_for_us(ONESHOT_US));
	let_interrupts_in(SETTLE_MS);
	ioapic_rte_write(IOAPIC_PIN_PIT, ioapic_rte(VEC_PIT, 0, IOAPIC_MASKED));
	report(count_all(VEC_PIT) == 1, "ioapic: the same one-shot unmasked: one interrupt (%u)",
	       count_all(VEC_PIT));
}

void test_pit(void)
{
	check_routing();
	check_masked_edge();
}
