/* Finding the host's 16550 UART: a port is used only if a UART answers there. With no
 * device, port reads float to 0xff; taking that for received data would feed an endless
 * stream of 0xff "keys" to the focused guest. Pure logic over port accessors, host-tested. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#define UART_COM1 0x3f8
#define UART_COM2 0x2f8
#define UART_COM3 0x3e8
#define UART_COM4 0x2e8

struct uart_ports {
	uint8_t (*in)(void *ctx, uint16_t port);
	void (*out)(void *ctx, uint16_t port, uint8_t v);
	void *ctx;
};

/* Whether a 16550-compatible UART answers at `base`: its scratch register keeps two
 * patterns, and its interrupt-enable register keeps what is written and masks the unused
 * high bits. The registers are left as they were. */
bool uart_probe(const struct uart_ports *io, uint16_t base);
/* The IRQ a PC wires the port's interrupt to: 4 for COM1/COM3, 3 for COM2/COM4, else 4. */
unsigned uart_isa_irq(uint16_t base);
