#include "guests/lib/serial.h"
#include "guests/lib/x86.h"

/* Without a UART model the LSR port is unclaimed and reads 0xff, so THRE is always set. */
void serial_wait_idle(void)
{
	while (!(inb(UART_LSR) & UART_LSR_THRE))
		;
}

void serial_putc(char c)
{
	serial_wait_idle();
	outb(UART_THR, (u8)c);
}

void serial_write(const char *s, size_t len)
{
	while (len--)
		serial_putc(*s++);
}
