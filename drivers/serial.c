#include "drivers/serial.h"
#include "kernel/x86.h"

#define UART_THR 0 /* transmit holding register (write) / receive buffer (read) */
#define UART_IER 1 /* interrupt enable; divisor high byte when DLAB=1 */
#define UART_FCR 2 /* FIFO control (write) */
#define UART_LCR 3 /* line control */
#define UART_MCR 4 /* modem control */
#define UART_LSR 5 /* line status */

#define UART_LCR_8N1  0x03
#define UART_LCR_DLAB 0x80 /* divisor latch access */
#define UART_FCR_ENABLE_CLEAR 0x07 /* enable FIFOs and clear both */
#define UART_MCR_DTR_RTS 0x03
#define UART_LSR_DR   0x01 /* data ready */
#define UART_LSR_THRE 0x20 /* transmitter holding register empty */
#define UART_LSR_TEMT 0x40 /* transmitter empty: holding and shift registers */

static uint16_t com;

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
	while (!(inb(com + UART_LSR) & UART_LSR_THRE))
		cpu_relax();
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

bool serial_getc(char *c)
{
	if (!com || !(inb(com + UART_LSR) & UART_LSR_DR))
		return false;
	*c = (char)inb(com + UART_THR);
	return true;
}

void serial_drain(void)
{
	for (unsigned spins = 0; com && !(inb(com + UART_LSR) & UART_LSR_TEMT) && spins < 1000000;
	     spins++)
		cpu_relax();
}
