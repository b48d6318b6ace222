/* The uart-test check groups, in the order main() runs them. */
#pragma once

void test_uart_registers(void);
void test_uart_loopback(void);
void test_uart_irq_transmit(void);
