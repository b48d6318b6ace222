/* The 16550A: port accesses and host input in random order. uart_rx_space() must say
 * exactly whether uart_rx_push() takes a byte. */
#include "devices/uart16550.h"
#include "tests/fuzz/fuzz_dev.h"

#define COM1 0x3f8

static unsigned transmitted;

static void tx(void *ctx, uint8_t byte)
{
	transmitted++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = fuzz_input(data, size);
	struct fuzz_irqs irqs = {0};
	struct irq_line irq4 = fuzz_irq_line(&irqs, 4);
	struct uart16550 uart;
	struct io_bus bus = {0};
	static const uint16_t ports[] = {COM1,	   COM1 + 1, COM1 + 2, COM1 + 3,
					 COM1 + 4, COM1 + 5, COM1 + 6, COM1 + 7};
	uart_init(&uart, &irq4, tx, NULL);
	FUZZ_CHECK(io_bus_register(&bus, COM1, 8, uart_io, &uart));
	while (fuzz_more(&in)) {
		if (fuzz_bool(&in)) {
			fuzz_io(&bus, &in, ports, sizeof ports / sizeof ports[0]);
		} else {
			unsigned space = uart_rx_space(&uart);
			FUZZ_CHECK(space <= UART_FIFO_SIZE);
			FUZZ_CHECK(uart_rx_push(&uart, fuzz_u8(&in)) == (space > 0));
			(void)uart_rx_can_interrupt(&uart);
		}
		FUZZ_CHECK(uart.rx_count <= UART_FIFO_SIZE && uart.rx_head < UART_FIFO_SIZE);
		FUZZ_CHECK(irqs.level[4] == uart.irq_level);
	}
	return 0;
}
