#include "guests/pic-test/sources.h"
#include "guests/lib/cmos.h"
#include "guests/lib/pit.h"
#include "guests/lib/uart.h"
#include "guests/lib/x86.h"

#define PIT_ONESHOT_US 100

void source_raise(u8 irq)
{
	switch (irq) {
	case 0:
		/* The control word drops OUT0; it rises again at terminal count. */
		pit_start(PIT_MODE0, pit_count_for_us(PIT_ONESHOT_US));
		break;
	case UART_IRQ:
		/* Enabling THRI while THR is empty raises the interrupt at once. */
		outb(UART_MCR, UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2);
		outb(UART_IER, UART_IER_THRI);
		break;
	case RTC_IRQ:
		cmos_write(RTC_REG_A, RTC_A_DV_32K | RTC_A_RATE_1024);
		cmos_read(RTC_REG_C); /* a stale PF would raise IRQ8 the moment PIE is set */
		cmos_write(RTC_REG_B, cmos_read(RTC_REG_B) | RTC_B_PIE);
		break;
	}
}

void source_silence(u8 irq)
{
	switch (irq) {
	case UART_IRQ:
		outb(UART_IER, 0);
		inb(UART_IIR);
		break;
	case RTC_IRQ:
		cmos_write(RTC_REG_B, cmos_read(RTC_REG_B) & ~RTC_B_PIE);
		cmos_read(RTC_REG_C);
		break;
	}
}
