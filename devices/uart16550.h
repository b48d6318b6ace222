/* Emulated 16550A UART, the guest's serial console. Transmission is instantaneous: a byte
 * written to THR reaches the tx callback at once, so THR and the TX FIFO are always empty.
 * Received bytes come from the host through uart_rx_push(), which refuses (rather than
 * overrunning) when the guest has not made room; the caller keeps the byte and retries. */
#pragma once
#include "devices/access.h"
#include <stdbool.h>
#include <stdint.h>

#define UART_FIFO_SIZE 16 /* 16550A receive and transmit FIFO depth */

struct uart16550 {
	struct irq_line irq;
	void (*tx)(void *ctx, uint8_t byte);
	void *ctx;

	uint8_t rx[UART_FIFO_SIZE]; /* ring; holds one byte (the RBR) when FIFOs are off */
	uint8_t rx_head;
	uint8_t rx_count;

	uint8_t ier;
	uint8_t lcr;
	uint8_t mcr;
	uint8_t scr;
	uint8_t dll;
	uint8_t dlm;
	uint8_t fcr;	    /* FIFO enable and RX trigger bits as last programmed */
	uint8_t lsr_errors; /* latched OE, cleared by reading LSR */
	uint8_t msr_delta;  /* latched MSR bits 3:0, cleared by reading MSR */
	bool thre_pending;  /* THR-empty interrupt source, cleared by IIR read or THR write */
	bool irq_level;	    /* what the IRQ line was last driven to */
};

void uart_init(struct uart16550 *u, const struct irq_line *irq, void (*tx)(void *ctx, uint8_t byte),
	       void *ctx);
/* io_handler_fn for the 8-port block; the register is (a->port & 7). */
void uart_io(void *uart, struct io_access *a);
/* False when the byte was not taken: RX FIFO (RBR when FIFOs are off) full, or loopback mode,
 * where the serial input is disconnected. */
bool uart_rx_push(struct uart16550 *u, uint8_t byte);
/* How many bytes uart_rx_push() would accept right now. */
unsigned uart_rx_space(const struct uart16550 *u);
/* Whether a received byte would raise the IRQ: received-data interrupt enabled, OUT2 set,
 * not in loopback. A guest halted in this state waits for typed input. */
bool uart_rx_can_interrupt(const struct uart16550 *u);
