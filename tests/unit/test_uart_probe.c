/* uart_probe against a fake I/O bus: an absent UART (every read 0xff, as on a machine
 * without COM1), a 16550, and devices that keep some registers but are no UART. */
#include "drivers/uart_probe.h"
#include "tests/unit/check.h"
#include <string.h>

struct bus {
	bool present;	    /* a 16550 answers at 0x3f8 */
	bool scratch_stuck; /* a device whose "scratch" register reads a constant */
	uint8_t reg[8];
	unsigned writes;
};

static uint8_t bus_in(void *ctx, uint16_t port)
{
	struct bus *b = ctx;
	if (!b->present || port < UART_COM1 || port > UART_COM1 + 7)
		return 0xff;
	unsigned r = port - UART_COM1;
	if (r == 7 && b->scratch_stuck)
		return 0x00;
	if (r == 1)
		return b->reg[1] & 0x0f; /* IER: the high nibble reads 0 */
	return b->reg[r];
}

static void bus_out(void *ctx, uint16_t port, uint8_t v)
{
	struct bus *b = ctx;
	b->writes++;
	if (b->present && port >= UART_COM1 && port <= UART_COM1 + 7)
		b->reg[port - UART_COM1] = v;
}

TEST(absent_uart_reads_all_ones_and_is_refused)
{
	struct bus b = {0};
	struct uart_ports io = {bus_in, bus_out, &b};
	CHECK(!uart_probe(&io, UART_COM1));
	CHECK(!uart_probe(&io, UART_COM2));
	CHECK_EQ(b.writes, 0); /* an LCR of 0xff stops it before any write */
}

TEST(present_uart_found_and_registers_restored)
{
	struct bus b = {.present = true};
	b.reg[1] = 0x01; /* receive interrupt on */
	b.reg[3] = 0x03; /* 8N1 */
	b.reg[7] = 0x42;
	struct uart_ports io = {bus_in, bus_out, &b};
	CHECK(uart_probe(&io, UART_COM1));
	CHECK_EQ(b.reg[1], 0x01);
	CHECK_EQ(b.reg[3], 0x03);
	CHECK_EQ(b.reg[7], 0x42);
	CHECK(!uart_probe(&io, UART_COM2)); /* nothing at the other port */
}

TEST(device_without_scratch_register_refused)
{
	struct bus b = {.present = true, .scratch_stuck = true};
	struct uart_ports io = {bus_in, bus_out, &b};
	CHECK(!uart_probe(&io, UART_COM1));
}

TEST(isa_irqs)
{
	CHECK_EQ(uart_isa_irq(UART_COM1), 4);
	CHECK_EQ(uart_isa_irq(UART_COM2), 3);
	CHECK_EQ(uart_isa_irq(UART_COM3), 4);
	CHECK_EQ(uart_isa_irq(UART_COM4), 3);
}

CHECK_MAIN("uart_probe", CASE(absent_uart_reads_all_ones_and_is_refused),
	   CASE(present_uart_found_and_registers_restored),
	   CASE(device_without_scratch_register_refused), CASE(isa_irqs))
