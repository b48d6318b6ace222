/* 16550A registers read back as written: LCR, the divisor latch behind DLAB, the scratch
 * register; LSR says idle; loopback turns TX into RX and MCR's outputs into MSR's inputs.
 * Nothing is printed while the line settings or loopback are changed. */
#include "guests/lib/report.h"
#include "guests/lib/uart.h"
#include "guests/lib/x86.h"
#include "guests/uart-test/tests.h"

#define LCR_8E1	   0x1b /* 8 bits, even parity, 1 stop bit: any non-default format */
#define POLL_LIMIT 100000
#define LOOP_BYTE  0x5a

/* Polls LSR until all of bits are set, or gives up; returns the last LSR. */
static u8 wait_lsr(u8 bits)
{
	u8 lsr = 0;

	for (u32 i = 0; i < POLL_LIMIT && (lsr & bits) != bits; i++)
		lsr = inb(UART_LSR);
	return lsr;
}

void test_uart_registers(void)
{
	outb(UART_IER, 0);
	wait_lsr(UART_LSR_TEMT);
	u8 lcr = inb(UART_LCR);
	outb(UART_LCR, LCR_8E1);
	u8 lcr_back = inb(UART_LCR);

	outb(UART_LCR, LCR_8E1 | UART_LCR_DLAB);
	u8 dll = inb(UART_DLL), dlm = inb(UART_DLM);
	outb(UART_DLL, 0xa5);
	outb(UART_DLM, 0x5a);
	u8 dll_back = inb(UART_DLL), dlm_back = inb(UART_DLM);
	outb(UART_DLL, dll);
	outb(UART_DLM, dlm);
	outb(UART_LCR, lcr & ~UART_LCR_DLAB);
	u8 ier = inb(UART_IER);
	outb(UART_LCR, lcr);

	outb(UART_SCR, 0x5a);
	u8 scr1 = inb(UART_SCR);
	outb(UART_SCR, 0xa5);
	u8 scr2 = inb(UART_SCR);

	report(lcr_back == LCR_8E1, "uart: LCR reads back (0x%02x)", lcr_back);
	report(dll_back == 0xa5 && dlm_back == 0x5a, "uart: DLL/DLM read back (0x%02x 0x%02x)",
	       dll_back, dlm_back);
	report(ier == 0, "uart: with DLAB=0 port 1 is IER again, untouched by DLM (0x%02x)", ier);
	report(scr1 == 0x5a && scr2 == 0xa5, "uart: SCR reads back (0x%02x 0x%02x)", scr1, scr2);

	u8 lsr = wait_lsr(UART_LSR_THRE | UART_LSR_TEMT);
	report((lsr & (UART_LSR_THRE | UART_LSR_TEMT)) == (UART_LSR_THRE | UART_LSR_TEMT),
	       "uart: LSR shows THRE and TEMT when idle (0x%02x)", lsr);
}

void test_uart_loopback(void)
{
	wait_lsr(UART_LSR_TEMT);
	u8 mcr = inb(UART_MCR);
	outb(UART_FCR, UART_FCR_ENABLE | UART_FCR_CLEAR_RX | UART_FCR_CLEAR_TX);
	for (u32 i = 0; i < UART_FIFO_DEPTH && (inb(UART_LSR) & UART_LSR_DR); i++)
		inb(UART_RBR);

	outb(UART_MCR, UART_MCR_LOOP | UART_MCR_DTR | UART_MCR_RTS);
	u8 msr_dtr_rts = inb(UART_MSR) & UART_MSR_LINES;
	outb(UART_MCR, UART_MCR_LOOP | UART_MCR_OUT1 | UART_MCR_OUT2);
	u8 msr_out = inb(UART_MSR) & UART_MSR_LINES;

	outb(UART_THR, LOOP_BYTE);
	u8 lsr = wait_lsr(UART_LSR_DR);
	u8 rbr = inb(UART_RBR);
	u8 lsr_after = inb(UART_LSR);
	outb(UART_MCR, mcr);

	report(msr_dtr_rts == (UART_MSR_DSR | UART_MSR_CTS),
	       "uart: loopback MSR mirrors DTR/RTS as DSR/CTS (0x%02x)", msr_dtr_rts);
	report(msr_out == (UART_MSR_RI | UART_MSR_DCD),
	       "uart: loopback MSR mirrors OUT1/OUT2 as RI/DCD (0x%02x)", msr_out);
	report((lsr & UART_LSR_DR) && rbr == LOOP_BYTE,
	       "uart: loopback byte arrives in RBR with LSR.DR (0x%02x, LSR 0x%02x)", rbr, lsr);
	report(!(lsr_after & UART_LSR_DR), "uart: reading RBR clears LSR.DR (0x%02x)", lsr_after);
}
