#include "drivers/serial.h"
#include "drivers/uart_probe.h"
#include "kernel/x86.h"

#define UART_THR 0 /* transmit holding register (write) / receive buffer (read) */
#define UART_IER 1 /* interrupt enable; divisor high byte when DLAB=1 */
#define UART_FCR 2 /* FIFO control (write) */
#define UART_LCR 3 /* line control */
#define UART_MCR 4 /* modem control */
#define UART_LSR 5 /* line status */

#define UART_IER_RDI	      0x01 /* interrupt on received data */
#define UART_MCR_OUT2	      0x08 /* on a PC: connects the UART's interrupt to its IRQ line */
#define UART_LCR_8N1	      0x03
#define UART_LCR_DLAB	      0x80 /* divisor latch access */
#define UART_FCR_ENABLE_CLEAR 0x07 /* enable FIFOs and clear both */
#define UART_MCR_DTR_RTS      0x03
#define UART_LSR_DR	      0x01 /* data ready */
#define UART_LSR_THRE	      0x20 /* transmitter holding register empty */
#define UART_LSR_TEMT	      0x40 /* transmitter empty: holding and shift registers */

#define RX_RING_SIZE 4096 /* a paste of a few KiB survives a guest that reads slowly */

static uint16_t com;
static uint8_t rx_ring[RX_RING_SIZE];
static unsigned rx_head, rx_len;

static uint8_t port_in(void *ctx, uint16_t port)
{
	return inb(port);
}

static void port_out(void *ctx, uint16_t port, uint8_t v)
{
	outb(port, v);
}

bool serial_open(uint16_t port)
{
	const struct uart_ports io = {port_in, port_out, 0};
	if (!uart_probe(&io, port))
		return false;
	serial_init(port);
	return true;
}

uint16_t serial_port(void)
{
	return com;
}

unsigned serial_irq(void)
{
	return uart_isa_irq(com);
}

void serial_init(uint16_t port)
{
	com = port;
	outb(com + UART_IER, 0);
	outb(com + UART_LCR, UART_LCR_DLAB);
	outb(com + UART_THR, 1); /* divisor 1: 115200 baud */
	outb(com + UART_IER, 0);
	outb(com + UART_LCR, UART_LCR_8N1);
	outb(com + UART_FCR, UART_FCR_ENABLE_CLEAR);
	outb(com + UART_MCR, UART_MCR_DTR_RTS);
}

void serial_putc(char c)
{
	if (!com)
		return;
	/* Printing a line takes longer than 16 received bytes at the same baud rate: keep
	 * the receive FIFO from overrunning meanwhile. */
	uint8_t lsr;
	while (!((lsr = inb(com + UART_LSR)) & UART_LSR_THRE)) {
		if (lsr & UART_LSR_DR)
			serial_rx_drain();
		cpu_relax();
	}
	outb(com + UART_THR, (uint8_t)c);
}

void serial_write(const char *s, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++) {
		if (s[i] == '\n')
			serial_putc('\r');
		serial_putc(s[i]);
	}
}

/* A byte is waiting. An LSR of all ones means the UART went away (or a bus that floats):
 * never data. */
static bool rx_ready(void)
{
	uint8_t lsr = inb(com + UART_LSR);
	return lsr != 0xff && (lsr & UART_LSR_DR);
}

bool serial_getc(char *c)
{
	if (rx_len) {
		*c = (char)rx_ring[rx_head];
		rx_head = (rx_head + 1) % RX_RING_SIZE;
		rx_len--;
		return true;
	}
	if (!com || !rx_ready())
		return false;
	*c = (char)inb(com + UART_THR);
	return true;
}

void serial_enable_rx_irq(void)
{
	if (!com)
		return;
	outb(com + UART_MCR, UART_MCR_DTR_RTS | UART_MCR_OUT2);
	outb(com + UART_IER, UART_IER_RDI);
}

void serial_rx_drain(void)
{
	/* With the ring full the rest stays in the UART: the IRQ line then stays high with no
	 * new edge, and serial_getc() callers drain the hardware once the ring is empty. */
	while (com && rx_len < RX_RING_SIZE && rx_ready()) {
		rx_ring[(rx_head + rx_len) % RX_RING_SIZE] = inb(com + UART_THR);
		rx_len++;
	}
}

void serial_drain(void)
{
	for (unsigned spins = 0; com && !(inb(com + UART_LSR) & UART_LSR_TEMT) && spins < 1000000;
	     spins++)
		cpu_relax();
}
