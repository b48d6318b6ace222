/* The hypervisor's own 16550 UART (COM1), polled. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#define HOST_COM1 0x3f8

void serial_init(uint16_t port);
void serial_putc(char c);
void serial_write(const char *s, unsigned long n);
/* Non-blocking read of one received byte; false when nothing is waiting. */
bool serial_getc(char *c);
/* Waits until every byte written so far has left the transmitter. */
void serial_drain(void);
