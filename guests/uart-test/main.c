/* 16550A UART on COM1: register behaviour, loopback, and a long interrupt-driven transmit
 * whose lines the test runner checks arrive whole and in order. */
#include "guests/lib/multiboot.h"
#include "guests/lib/printf.h"
#include "guests/lib/report.h"
#include "guests/uart-test/tests.h"

int main(u32 magic, const struct mb1_info *mbi)
{
	(void)magic;
	(void)mbi;
	printf("uart-test: started\n");
	test_uart_registers();
	test_uart_loopback();
	test_uart_irq_transmit();
	report_summary();
}
