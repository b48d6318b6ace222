/* The hypervisor's own 16550 UART (COM1). Output is polled; input is polled too, and once
 * serial_enable_rx_irq() has run the receive interrupt also moves bytes into a ring, so
 * typing is not lost while a guest runs for a whole slice. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#define HOST_COM1     0x3f8
#define HOST_COM1_IRQ 4

void serial_init(uint16_t port);
void serial_putc(char c);
void serial_write(const char *s, unsigned long n);
/* Non-blocking read of one received byte (the ring's first); false when nothing is waiting. */
bool serial_getc(char *c);
/* Raises the UART's IRQ (COM1: IRQ4) when a byte arrives. */
void serial_enable_rx_irq(void);
/* Moves every byte waiting in the UART into the ring (the receive interrupt's work; also
 * done while output waits for the transmitter). */
void serial_rx_drain(void);
/* Waits until every byte written so far has left the transmitter. */
void serial_drain(void);
