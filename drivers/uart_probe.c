#include "drivers/uart_probe.h"

#define UART_IER	  1    /* interrupt enable (DLAB=0) */
#define UART_LCR	  3    /* line control: bit 7 DLAB selects the divisor latch */
#define UART_SCR	  7    /* scratch: a plain read/write byte on 16450 and later */
#define UART_IER_MASK	  0x0f /* the four defined enables; bits 7:4 read as 0 */
#define UART_LCR_DLAB	  0x80
#define SCRATCH_PATTERN_A 0x5a
#define SCRATCH_PATTERN_B 0xa5

static uint8_t rd(const struct uart_ports *io, uint16_t port)
{
	return io->in(io->ctx, port);
}

static void wr(const struct uart_ports *io, uint16_t port, uint8_t v)
{
	io->out(io->ctx, port, v);
}

bool uart_probe(const struct uart_ports *io, uint16_t base)
{
	uint8_t lcr = rd(io, base + UART_LCR);
	if (lcr == 0xff)
		return false; /* nothing drives the bus (DLAB and every LCR bit set is no UART) */
	wr(io, base + UART_LCR, lcr & (uint8_t)~UART_LCR_DLAB);
	uint8_t scr = rd(io, base + UART_SCR), ier = rd(io, base + UART_IER);
	bool ok = true;
	wr(io, base + UART_SCR, SCRATCH_PATTERN_A);
	ok = ok && rd(io, base + UART_SCR) == SCRATCH_PATTERN_A;
	wr(io, base + UART_SCR, SCRATCH_PATTERN_B);
	ok = ok && rd(io, base + UART_SCR) == SCRATCH_PATTERN_B;
	wr(io, base + UART_IER, 0);
	ok = ok && rd(io, base + UART_IER) == 0;
	wr(io, base + UART_IER, UART_IER_MASK);
	ok = ok && rd(io, base + UART_IER) == UART_IER_MASK;
	wr(io, base + UART_IER, ier);
	wr(io, base + UART_SCR, scr);
	wr(io, base + UART_LCR, lcr);
	return ok;
}

unsigned uart_isa_irq(uint16_t base)
{
	return base == UART_COM2 || base == UART_COM4 ? 3 : 4;
}
