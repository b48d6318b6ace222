/* Abuse of the I/O APIC: every register index read and written with junk, accesses at odd
 * widths and offsets, a level-triggered pin with an illegal vector (remote IRR set for
 * good) and one that is never quiet, and the PIT at its fastest through the I/O APIC (fixed
 * and NMI delivery) and through the 8259 and LINT0. */
#include "guests/lib/ioapic.h"
#include "guests/apic-hostile/hostile.h"
#include "guests/lib/apic.h"
#include "guests/lib/pic.h"
#include "guests/lib/pit.h"
#include "guests/lib/printf.h"
#include "guests/lib/trap.h"
#include "guests/lib/tsc.h"
#include "guests/lib/uart.h"
#include "guests/lib/x86.h"

#define PINS	     24
#define LEVEL_VECTOR 0x42
#define PIT_VECTOR   0x43
#define PIT_FASTEST  2 /* counts: about 600 kHz, far below mhv's 200 us device-timer floor */
#define STORM_MS     20

static volatile u8 *const window = (volatile u8 *)IOAPIC_BASE;
static volatile u32 level_taken, pit_taken, nmi_taken;

static void mask_all(void)
{
	for (u32 pin = 0; pin < PINS; pin++)
		ioapic_rte_write(pin, IOAPIC_MASKED);
}

static void let_in(u32 ms)
{
	sti();
	tsc_spin_ms(ms);
	cli();
}

/* THR empty with THRI on asserts IRQ4 until IIR is read or THRI goes off. */
static void thri(bool on)
{
	outb(UART_MCR, UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2);
	outb(UART_IER, on ? UART_IER_THRI : 0);
	if (!on)
		inb(UART_IIR);
}

/* Never silences the UART: each EOI brings the level interrupt back, until enough. */
static void on_level(struct trap_frame *f)
{
	(void)f;
	if (++level_taken >= STORM_TAKES)
		thri(false);
	apic_eoi();
}

static void on_pit(struct trap_frame *f)
{
	(void)f;
	if (++pit_taken >= STORM_TAKES)
		ioapic_rte_write(IOAPIC_PIN_PIT, IOAPIC_MASKED);
	apic_eoi();
}

static void on_pit_nmi(struct trap_frame *f)
{
	(void)f;
	if (++nmi_taken >= STORM_TAKES)
		ioapic_rte_write(IOAPIC_PIN_PIT, IOAPIC_MASKED);
}

void abuse_ioapic(void)
{
	u32 sum = 0;
	for (u32 off = 0; off < 0x1000; off += 4)
		sum += *(volatile u32 *)(window + off);
	for (u32 off = 0; off < 0x40; off++)
		sum += window[off];
	for (u32 reg = 0; reg < 256; reg++) {
		sum += ioapic_read(reg);
		u32 value = junk();
		if (reg >= IOAPIC_REDTBL && !(reg & 1))
			value |= IOAPIC_MASKED; /* a junk entry could INIT the BSP */
		ioapic_write(reg, value);
	}
	window[IOAPIC_REGSEL] = 0x10; /* byte and word writes: ignored */
	*(volatile u16 *)(window + IOAPIC_WINDOW) = 0xffff;
	*(volatile u32 *)(window + 0x04) = junk();
	*(volatile u32 *)(window + 0x40) = 0x10; /* the EOI register of version 0x20 parts */
	*(volatile u32 *)(window + 0xffc) = junk();
	mask_all();

	ioapic_rte_write(IOAPIC_PIN_COM1, ioapic_rte(5, 0, IOAPIC_LEVEL));
	thri(true);
	let_in(2);
	u64 stuck = ioapic_rte_read(IOAPIC_PIN_COM1);
	ioapic_rte_write(IOAPIC_PIN_COM1, ioapic_rte(5, 0, IOAPIC_MASKED)); /* edge clears it */

	trap_set_handler(LEVEL_VECTOR, on_level);
	thri(true);
	ioapic_rte_write(IOAPIC_PIN_COM1, ioapic_rte(LEVEL_VECTOR, 0, IOAPIC_LEVEL));
	let_in(STORM_MS);
	thri(false);
	mask_all();
	printf("apic-hostile: I/O APIC registers 0-255 junked; level pin with vector 5 (entry "
	       "0x%x), a level storm (%u taken) (sum 0x%x)\n",
	       (u32)stuck, level_taken, sum);
}

void storm_from_pit(void)
{
	trap_set_handler(PIT_VECTOR, on_pit);
	pit_start(PIT_MODE2, PIT_FASTEST);
	ioapic_rte_write(IOAPIC_PIN_PIT, ioapic_rte(PIT_VECTOR, 0, 0));
	let_in(STORM_MS);

	trap_set_handler(VEC_NMI, on_pit_nmi);
	ioapic_rte_write(IOAPIC_PIN_PIT, ioapic_rte(0, 0xff, IOAPIC_DM_NMI | IOAPIC_DEST_LOGICAL));
	let_in(STORM_MS);
	ioapic_rte_write(IOAPIC_PIN_PIT, IOAPIC_MASKED);

	apic_write(APIC_LVT_LINT0, APIC_LVT_DM_EXTINT); /* one 8259 interrupt: no 8259 EOI */
	pic_set_mask((u16)~IRQ_BIT(0));
	let_in(STORM_MS);
	pic_set_mask(PIC_MASK_ALL);
	apic_write(APIC_LVT_LINT0, APIC_LVT_MASKED);
	pit_start(PIT_MODE0, 0xffff);
	printf("apic-hostile: PIT at its fastest through pin 2 (%u taken), as NMIs to all (%u "
	       "taken), and through the 8259\n",
	       pit_taken, nmi_taken);
}
