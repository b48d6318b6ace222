/* COM1's THR-empty interrupt (ISA IRQ4) at pin 4: as an edge (one interrupt), as a level
 * (remote IRR and the TMR bit set while in service; an EOI with the line still asserted
 * brings the interrupt again; once the UART is quiet the EOI clears remote IRR), the same
 * taken by the AP, a level that is asserted while masked arrives at unmask, and NMI
 * delivery mode. */
#include "guests/ioapic-test/tests.h"
#include "guests/lib/apic.h"
#include "guests/lib/ioapic.h"
#include "guests/lib/report.h"
#include "guests/lib/trap.h"
#include "guests/lib/uart.h"
#include "guests/lib/x86.h"

#define VEC_COM1_LEVEL 0x65
#define TAKES	       4

/* The UART raises IRQ4 at once when THRI is enabled with THR empty. */
static void thri_on(void)
{
	outb(UART_MCR, UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2);
	outb(UART_IER, UART_IER_THRI);
}

static void thri_off(void)
{
	outb(UART_IER, 0);
	inb(UART_IIR);
}

struct level_take {
	u32 cpu;
	bool remote_irr, tmr;
};
static volatile struct level_take takes[TAKES];
static volatile u32 ntakes;

/* The first time it leaves the UART asserting: the EOI must bring the interrupt back. */
static void on_level(struct trap_frame *f)
{
	(void)f;
	u32 n = ntakes;
	if (n < TAKES) {
		takes[n].cpu = apic_id();
		takes[n].remote_irr = ioapic_rte_read(IOAPIC_PIN_COM1) & IOAPIC_REMOTE_IRR;
		takes[n].tmr = apic_vector_bit(APIC_TMR, VEC_COM1_LEVEL);
	}
	ntakes = n + 1;
	if (n > 0)
		thri_off();
	apic_eoi();
}

static void check_edge(void)
{
	counts_reset();
	ioapic_rte_write(IOAPIC_PIN_COM1, ioapic_rte(VEC_COM1, 0, 0));
	thri_on();
	let_interrupts_in(SETTLE_MS);
	thri_off();
	ioapic_rte_write(IOAPIC_PIN_COM1, IOAPIC_MASKED);
	report(count_on(VEC_COM1, 0) == 1,
	       "ioapic: COM1 THR empty through pin 4 (edge): one interrupt (%u)",
	       count_on(VEC_COM1, 0));
}

static void check_level(void)
{
	trap_set_handler(VEC_COM1_LEVEL, on_level);
	ntakes = 0;
	ioapic_rte_write(IOAPIC_PIN_COM1, ioapic_rte(VEC_COM1_LEVEL, 0, IOAPIC_LEVEL));
	thri_on();
	let_interrupts_in(SETTLE_MS);
	u64 rte = ioapic_rte_read(IOAPIC_PIN_COM1);
	bool tmr = apic_vector_bit(APIC_TMR, VEC_COM1_LEVEL);
	report(ntakes >= 1 && takes[0].remote_irr && takes[0].tmr,
	       "ioapic: level pin 4: remote IRR and TMR set in the handler (%d, %d)",
	       takes[0].remote_irr, takes[0].tmr);
	report(ntakes == 2 && takes[1].remote_irr,
	       "ioapic: EOI with the UART still asserting brings it again, once quiet no more "
	       "(%u interrupts)",
	       ntakes);
	report(!(rte & IOAPIC_REMOTE_IRR) && !tmr,
	       "ioapic: the last EOI cleared remote IRR and TMR (entry 0x%08x)", (u32)rte);

	ntakes = 0;
	ioapic_rte_write(IOAPIC_PIN_COM1,
			 ioapic_rte(VEC_COM1_LEVEL, 0, IOAPIC_LEVEL | IOAPIC_MASKED));
	thri_on();
	let_interrupts_in(SETTLE_MS);
	u32 while_masked = ntakes;
	rte = ioapic_rte_read(IOAPIC_PIN_COM1);
	ntakes = 1; /* the handler silences the UART at once */
	ioapic_rte_write(IOAPIC_PIN_COM1, ioapic_rte(VEC_COM1_LEVEL, 0, IOAPIC_LEVEL));
	let_interrupts_in(SETTLE_MS);
	report(while_masked == 0 && !(rte & IOAPIC_REMOTE_IRR) && ntakes == 2,
	       "ioapic: a masked level pin delivers nothing; unmasked while asserted it does "
	       "(%u, then %u)",
	       while_masked, ntakes - 1);
	ioapic_rte_write(IOAPIC_PIN_COM1, IOAPIC_MASKED);
	thri_off();
}

/* The same with the AP taking it: its own TMR, and its EOI that reaches the I/O APIC. */
static void check_level_to_ap(void)
{
	ntakes = 0;
	ioapic_rte_write(IOAPIC_PIN_COM1, ioapic_rte(VEC_COM1_LEVEL, 1, IOAPIC_LEVEL));
	thri_on();
	let_interrupts_in(SETTLE_MS);
	u64 rte = ioapic_rte_read(IOAPIC_PIN_COM1);
	ioapic_rte_write(IOAPIC_PIN_COM1, IOAPIC_MASKED);
	thri_off();
	bool on_ap = ntakes == 2 && takes[0].cpu == 1 && takes[1].cpu == 1;
	report(on_ap && takes[0].remote_irr && takes[0].tmr && !(rte & IOAPIC_REMOTE_IRR),
	       "ioapic: level pin 4 to the AP: remote IRR and TMR set, its EOI brings it again, "
	       "the last clears remote IRR (%u interrupts, entry 0x%08x)",
	       ntakes, (u32)rte);
}

static void check_nmi(void)
{
	counts_reset();
	ioapic_rte_write(IOAPIC_PIN_COM1, ioapic_rte(0, 1, IOAPIC_DM_NMI));
	thri_on();
	let_interrupts_in(SETTLE_MS);
	thri_off();
	ioapic_rte_write(IOAPIC_PIN_COM1, IOAPIC_MASKED);
	report(nmis[1] == 1 && nmis[0] == 0,
	       "ioapic: pin 4 in NMI delivery mode: one NMI at the AP (%u, BSP %u)", nmis[1],
	       nmis[0]);
}

void test_com1(void)
{
	check_edge();
	check_level();
	check_level_to_ap();
	check_nmi();
}
