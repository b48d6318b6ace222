/* COM1's 16550A registers beyond the polled console of serial.h. */
#pragma once
#include "guests/lib/serial.h"

#define UART_RBR 0x3f8 /* receive buffer (read, DLAB=0) */
#define UART_DLL 0x3f8 /* divisor latch low (DLAB=1) */
#define UART_IER 0x3f9 /* interrupt enable (DLAB=0) */
#define UART_DLM 0x3f9 /* divisor latch high (DLAB=1) */
#define UART_IIR 0x3fa /* interrupt identification (read) */
#define UART_FCR 0x3fa /* FIFO control (write) */
#define UART_LCR 0x3fb
#define UART_MCR 0x3fc
#define UART_MSR 0x3fe
#define UART_SCR 0x3ff /* scratch */

#define UART_IER_THRI 0x02 /* interrupt when THR empty */

#define UART_IIR_NO_INT	 0x01 /* no interrupt pending */
#define UART_IIR_ID_MASK 0x0e
#define UART_IIR_THRI	 0x02 /* THR empty */
#define UART_IIR_RLSI	 0x06 /* receiver line status */
#define UART_IIR_MSI	 0x00 /* modem status */

#define UART_FCR_ENABLE	  0x01
#define UART_FCR_CLEAR_RX 0x02
#define UART_FCR_CLEAR_TX 0x04
#define UART_FIFO_DEPTH	  16

#define UART_LCR_8N1  0x03
#define UART_LCR_DLAB 0x80 /* ports 0 and 1 reach the divisor latch */

#define UART_MCR_DTR  0x01
#define UART_MCR_RTS  0x02
#define UART_MCR_OUT1 0x04
#define UART_MCR_OUT2 0x08 /* on a PC: gates the UART's interrupt onto its IRQ line */
#define UART_MCR_LOOP 0x10 /* loopback: TX to RX, MCR bits 3:0 to MSR bits 7:4 */

#define UART_LSR_DR   0x01 /* data ready */
#define UART_LSR_TEMT 0x40 /* transmitter empty: THR and shift register */

#define UART_MSR_CTS   0x10 /* loopback: RTS */
#define UART_MSR_DSR   0x20 /* loopback: DTR */
#define UART_MSR_RI    0x40 /* loopback: OUT1 */
#define UART_MSR_DCD   0x80 /* loopback: OUT2 */
#define UART_MSR_LINES 0xf0

#define UART_IRQ 4 /* COM1 */
