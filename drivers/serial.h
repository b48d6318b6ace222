/* The hypervisor's own 16550 UART (COM1 unless console= names another). Output is polled;
 * input is polled too, and once serial_enable_rx_irq() has run the receive interrupt also
 * moves bytes into a ring, so typing is not lost while a guest runs for a whole slice.
 * Until a port is opened every call does nothing (no output, no input). */
#pragma once
#include <stdbool.h>
#include <stdint.h>

/* Uses the UART at `port` if one answers there (drivers/uart_probe.h); false if not. */
bool serial_open(uint16_t port);
/* Uses `port` without probing it. */
void serial_init(uint16_t port);
/* The port in use, 0 if none; its ISA IRQ. */
uint16_t serial_port(void);
unsigned serial_irq(void);
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
