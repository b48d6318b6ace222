/* Interrupt-driven transmit: the THR-empty interrupt (IRQ4) refills the 16-byte FIFO until a
 * known text has gone out; main() halts in between. PIT ticks bound the wait.
 * The text is TX_LINES lines of TX_LINE_LEN bytes: line n (from 1) is "Unnnn:", then for
 * columns 6..62 the character ALPHABET[(n + column) % 62], then '\n'. */
#include "guests/lib/pic.h"
#include "guests/lib/pit.h"
#include "guests/lib/printf.h"
#include "guests/lib/report.h"
#include "guests/lib/trap.h"
#include "guests/lib/uart.h"
#include "guests/lib/x86.h"
#include "guests/uart-test/tests.h"

#define TX_LINES	 32
#define TX_LINE_LEN	 64
#define TX_BYTES	 (TX_LINES * TX_LINE_LEN)
#define TX_PREFIX_LEN	 6 /* "Unnnn:" */
#define ALPHABET	 "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
#define ALPHABET_LEN	 (sizeof(ALPHABET) - 1)
#define TICK_DIVISOR	 11932 /* 100 Hz */
#define TX_TIMEOUT_TICKS 500   /* 5 s */
#define IIR_LOOP_LIMIT	 256   /* a UART that never stops asking must not hang the guest */

static char text[TX_BYTES];
static volatile u32 sent, uart_irqs, refills, ticks;

static void build_text(void)
{
	for (u32 n = 1; n <= TX_LINES; n++) {
		char *line = text + (n - 1) * TX_LINE_LEN;
		char prefix[TX_PREFIX_LEN + 1];

		snprintf(prefix, sizeof(prefix), "U%04u:", n);
		for (u32 col = 0; col < TX_LINE_LEN - 1; col++)
			line[col] =
			    col < TX_PREFIX_LEN ? prefix[col] : ALPHABET[(n + col) % ALPHABET_LEN];
		line[TX_LINE_LEN - 1] = '\n';
	}
}

static void refill(void)
{
	for (u32 i = 0; i < UART_FIFO_DEPTH && sent < TX_BYTES; i++)
		outb(UART_THR, (u8)text[sent++]);
	refills++;
	if (sent == TX_BYTES)
		outb(UART_IER, 0);
}

/* Serves every source until IIR says none is left, so the IRQ line drops and the next
 * request is a fresh edge at the edge-triggered PIC. */
static void on_uart(struct trap_frame *f)
{
	u8 iir;

	(void)f;
	uart_irqs++;
	for (u32 i = 0; i < IIR_LOOP_LIMIT && !((iir = inb(UART_IIR)) & UART_IIR_NO_INT); i++) {
		switch (iir & UART_IIR_ID_MASK) {
		case UART_IIR_THRI:
			refill();
			break;
		case UART_IIR_RLSI:
			inb(UART_LSR);
			break;
		case UART_IIR_MSI:
			inb(UART_MSR);
			break;
		default: /* received data or its timeout: nobody is typing, discard */
			inb(UART_RBR);
			break;
		}
	}
	pic_eoi(UART_IRQ);
}

static void on_tick(struct trap_frame *f)
{
	(void)f;
	ticks++;
	pic_eoi(0);
}

void test_uart_irq_transmit(void)
{
	u32 wakes = 0;

	build_text();
	trap_set_handler(IRQ_VECTOR(0), on_tick);
	trap_set_handler(IRQ_VECTOR(UART_IRQ), on_uart);
	pic_init((u16) ~(IRQ_BIT(0) | IRQ_BIT(UART_IRQ)));
	pit_start(PIT_MODE2, TICK_DIVISOR);
	printf("uart-test: interrupt-driven transmit of %u bytes\n", TX_BYTES);
	serial_wait_idle();

	outb(UART_FCR, UART_FCR_ENABLE | UART_FCR_CLEAR_RX | UART_FCR_CLEAR_TX);
	outb(UART_MCR, UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2);
	outb(UART_IER, UART_IER_THRI);
	for (;;) {
		cli(); /* the check and the halt must not straddle an interrupt */
		if (sent == TX_BYTES || ticks >= TX_TIMEOUT_TICKS)
			break;
		sti_hlt();
		wakes++;
	}
	outb(UART_IER, 0);
	pic_set_mask(PIC_MASK_ALL);
	serial_wait_idle();

	printf("uart-test: sent %u bytes (%u interrupts, %u refills, %u HLT wakes)\n", sent,
	       uart_irqs, refills, wakes);
	report(uart_irqs > 0 && sent == TX_BYTES,
	       "uart: %u bytes sent from the THRE interrupt handler (%u interrupts)", sent,
	       uart_irqs);
}
