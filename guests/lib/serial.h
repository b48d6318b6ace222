/* Polled output on COM1, the guest console. */
#pragma once
#include "guests/lib/types.h"

#define UART_THR      0x3f8	/* transmit holding register (= MHV_CONSOLE_PORT) */
#define UART_LSR      0x3fd	/* line status register */
#define UART_LSR_THRE (1u << 5) /* transmit holding register empty */

void serial_putc(char c);
void serial_write(const char *s, size_t len);
void serial_wait_idle(void);
