#include "devices/uart16550.h"

/* Register offsets (16550A datasheet, table 2). DLAB = LCR bit 7 remaps offsets 0 and 1. */
#define REG_RBR_THR 0 /* receive buffer (read) / transmit holding (write); DLL when DLAB */
#define REG_IER	    1 /* interrupt enable; DLM when DLAB */
#define REG_IIR_FCR 2 /* interrupt identification (read) / FIFO control (write) */
#define REG_LCR	    3 /* line control */
#define REG_MCR	    4 /* modem control */
#define REG_LSR	    5 /* line status */
#define REG_MSR	    6 /* modem status */
#define REG_SCR	    7 /* scratch */

#define IER_ERBFI 0x01 /* received data available (and character timeout) interrupt */
#define IER_ETBEI 0x02 /* transmitter holding register empty interrupt */
#define IER_ELSI  0x04 /* receiver line status interrupt */
#define IER_EDSSI 0x08 /* modem status interrupt */
#define IER_MASK  0x0f /* bits 7:4 are always zero on a 16550A */

#define IIR_NO_INT  0x01 /* no interrupt pending */
#define IIR_RLS	    0x06 /* receiver line status: highest priority */
#define IIR_RDA	    0x04 /* received data available / RX trigger level reached */
#define IIR_CTI	    0x0c /* character timeout: data below the trigger level */
#define IIR_THRE    0x02 /* transmitter holding register empty */
#define IIR_MSR	    0x00 /* modem status: lowest priority */
#define IIR_FIFO_ON 0xc0 /* both bits set while FCR bit 0 enables the FIFOs */

#define FCR_ENABLE   0x01 /* enable FIFOs; other FCR bits are ignored while it is 0 */
#define FCR_RX_RESET 0x02 /* clear the RX FIFO (self-clearing) */
#define FCR_TX_RESET 0x04 /* clear the TX FIFO (self-clearing) */
#define FCR_TRIGGER  0xc0 /* RX trigger level: 1, 4, 8 or 14 bytes */

#define LCR_DLAB 0x80 /* divisor latch access */

#define MCR_DTR	 0x01
#define MCR_RTS	 0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08 /* on a PC, enables the UART's IRQ output onto the ISA bus */
#define MCR_LOOP 0x10 /* internal loopback */
#define MCR_MASK 0x1f

#define LSR_DR	   0x01 /* data ready */
#define LSR_OE	   0x02 /* overrun error */
#define LSR_PE	   0x04 /* parity error */
#define LSR_FE	   0x08 /* framing error */
#define LSR_BI	   0x10 /* break interrupt */
#define LSR_THRE   0x20 /* transmitter holding register empty */
#define LSR_TEMT   0x40 /* transmitter (THR and shift register) empty */
#define LSR_ERRORS (LSR_OE | LSR_PE | LSR_FE | LSR_BI)

#define MSR_DCTS 0x01 /* CTS changed */
#define MSR_DDSR 0x02 /* DSR changed */
#define MSR_TERI 0x04 /* RI went from on to off */
#define MSR_DDCD 0x08 /* DCD changed */
#define MSR_CTS	 0x10
#define MSR_DSR	 0x20
#define MSR_RI	 0x40
#define MSR_DCD	 0x80

/* Outside loopback the virtual cable has the host permanently ready: CTS, DSR and DCD on. */
#define MSR_LINES_CONNECTED (MSR_CTS | MSR_DSR | MSR_DCD)

static const uint8_t rx_trigger_bytes[4] = {1, 4, 8, 14};

static bool fifo_enabled(const struct uart16550 *u)
{
	return u->fcr & FCR_ENABLE;
}

static bool loopback(const struct uart16550 *u)
{
	return u->mcr & MCR_LOOP;
}

static unsigned rx_capacity(const struct uart16550 *u)
{
	return fifo_enabled(u) ? UART_FIFO_SIZE : 1;
}

static unsigned rx_trigger(const struct uart16550 *u)
{
	return fifo_enabled(u) ? rx_trigger_bytes[u->fcr >> 6] : 1;
}

/* Modem status inputs; in loopback they are wired to the MCR outputs. */
static uint8_t msr_lines(const struct uart16550 *u)
{
	if (!loopback(u))
		return MSR_LINES_CONNECTED;
	uint8_t lines = 0;
	if (u->mcr & MCR_RTS)
		lines |= MSR_CTS;
	if (u->mcr & MCR_DTR)
		lines |= MSR_DSR;
	if (u->mcr & MCR_OUT1)
		lines |= MSR_RI;
	if (u->mcr & MCR_OUT2)
		lines |= MSR_DCD;
	return lines;
}

/* Highest-priority pending source as an IIR identification code.
 * Approximation: the character timeout is reported as soon as data sits below the trigger
 * level, instead of after four idle character times. A guest handler drains the FIFO on
 * either code, so only the interrupt rate differs. */
static uint8_t pending_source(const struct uart16550 *u)
{
	if ((u->ier & IER_ELSI) && (u->lsr_errors & LSR_ERRORS))
		return IIR_RLS;
	if ((u->ier & IER_ERBFI) && u->rx_count) {
		if (u->rx_count >= rx_trigger(u))
			return IIR_RDA;
		return IIR_CTI;
	}
	if ((u->ier & IER_ETBEI) && u->thre_pending)
		return IIR_THRE;
	if ((u->ier & IER_EDSSI) && u->msr_delta)
		return IIR_MSR;
	return IIR_NO_INT;
}

static void update_irq(struct uart16550 *u)
{
	bool level = pending_source(u) != IIR_NO_INT && (u->mcr & MCR_OUT2);
	if (level != u->irq_level) {
		u->irq_level = level;
		irq_line_set(&u->irq, level);
	}
}

static void rx_clear(struct uart16550 *u)
{
	u->rx_head = 0;
	u->rx_count = 0;
}

static void rx_append(struct uart16550 *u, uint8_t byte)
{
	u->rx[(u->rx_head + u->rx_count) % UART_FIFO_SIZE] = byte;
	u->rx_count++;
}

/* A byte arriving at the receiver from the (loopback) wire. A full FIFO loses it; without
 * FIFOs it overwrites the unread RBR. Both are overruns. */
static void rx_from_wire(struct uart16550 *u, uint8_t byte)
{
	if (u->rx_count < rx_capacity(u)) {
		rx_append(u, byte);
		return;
	}
	u->lsr_errors |= LSR_OE;
	if (!fifo_enabled(u))
		u->rx[u->rx_head] = byte;
}

static uint8_t rx_pop(struct uart16550 *u)
{
	if (!u->rx_count)
		return 0;
	uint8_t byte = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % UART_FIFO_SIZE;
	u->rx_count--;
	return byte;
}

void uart_init(struct uart16550 *u, const struct irq_line *irq, void (*tx)(void *ctx, uint8_t byte),
	       void *ctx)
{
	*u = (struct uart16550){.irq = *irq, .tx = tx, .ctx = ctx};
	u->dll = 1; /* 115200 baud; the divisor only matters to software that reads it back */
}

static void write_fcr(struct uart16550 *u, uint8_t v)
{
	if ((v & FCR_ENABLE) != (u->fcr & FCR_ENABLE))
		rx_clear(u); /* switching FIFO mode empties the FIFOs */
	if (!(v & FCR_ENABLE)) {
		u->fcr = 0;
		return;
	}
	if (v & FCR_RX_RESET)
		rx_clear(u);
	/* FCR_TX_RESET: the TX FIFO is always empty here. */
	u->fcr = v & (FCR_ENABLE | FCR_TRIGGER);
}

static void write_mcr(struct uart16550 *u, uint8_t v)
{
	uint8_t before = msr_lines(u);
	u->mcr = v & MCR_MASK;
	uint8_t after = msr_lines(u);
	uint8_t changed = before ^ after;
	if (changed & MSR_CTS)
		u->msr_delta |= MSR_DCTS;
	if (changed & MSR_DSR)
		u->msr_delta |= MSR_DDSR;
	if ((before & MSR_RI) && !(after & MSR_RI))
		u->msr_delta |= MSR_TERI;
	if (changed & MSR_DCD)
		u->msr_delta |= MSR_DDCD;
}

static void write_thr(struct uart16550 *u, uint8_t v)
{
	if (loopback(u))
		rx_from_wire(u, v);
	else if (u->tx)
		u->tx(u->ctx, v);
	/* Sent at once, so THR is empty again: a fresh THRE interrupt. */
	u->thre_pending = true;
}

static void reg_write(struct uart16550 *u, unsigned reg, uint8_t v)
{
	bool dlab = u->lcr & LCR_DLAB;
	switch (reg) {
	case REG_RBR_THR:
		if (dlab)
			u->dll = v;
		else
			write_thr(u, v);
		break;
	case REG_IER:
		if (dlab) {
			u->dlm = v;
			break;
		}
		/* Enabling ETBEI while THR is empty (always, here) raises THRE. */
		if ((v & IER_ETBEI) && !(u->ier & IER_ETBEI))
			u->thre_pending = true;
		u->ier = v & IER_MASK;
		break;
	case REG_IIR_FCR:
		write_fcr(u, v);
		break;
	case REG_LCR:
		u->lcr = v;
		break;
	case REG_MCR:
		write_mcr(u, v);
		break;
	case REG_SCR:
		u->scr = v;
		break;
	default: /* LSR and MSR are read-only */
		break;
	}
}

static uint8_t read_iir(struct uart16550 *u)
{
	uint8_t id = pending_source(u);
	if (id == IIR_THRE)
		u->thre_pending = false;
	return id | (fifo_enabled(u) ? IIR_FIFO_ON : 0);
}

static uint8_t read_lsr(struct uart16550 *u)
{
	uint8_t v = LSR_THRE | LSR_TEMT | u->lsr_errors;
	if (u->rx_count)
		v |= LSR_DR;
	u->lsr_errors = 0;
	return v;
}

static uint8_t read_msr(struct uart16550 *u)
{
	uint8_t v = msr_lines(u) | u->msr_delta;
	u->msr_delta = 0;
	return v;
}

static uint8_t reg_read(struct uart16550 *u, unsigned reg)
{
	bool dlab = u->lcr & LCR_DLAB;
	switch (reg) {
	case REG_RBR_THR:
		return dlab ? u->dll : rx_pop(u);
	case REG_IER:
		return dlab ? u->dlm : u->ier;
	case REG_IIR_FCR:
		return read_iir(u);
	case REG_LCR:
		return u->lcr;
	case REG_MCR:
		return u->mcr;
	case REG_LSR:
		return read_lsr(u);
	case REG_MSR:
		return read_msr(u);
	default:
		return u->scr;
	}
}

/* A wider access is split into byte cycles at consecutive ports, as on the ISA bus; bytes
 * past the last register belong to no register (read 0xff, writes dropped). */
void uart_io(void *uart, struct io_access *a)
{
	struct uart16550 *u = uart;
	unsigned first = a->port & 7;
	uint32_t value = 0;
	for (unsigned i = 0; i < a->size; i++) {
		unsigned reg = first + i;
		uint8_t byte = 0xff;
		if (a->write && reg <= REG_SCR)
			reg_write(u, reg, (uint8_t)(a->value >> (8 * i)));
		else if (!a->write && reg <= REG_SCR)
			byte = reg_read(u, reg);
		value |= (uint32_t)byte << (8 * i);
	}
	if (!a->write)
		a->value = value;
	update_irq(u);
}

bool uart_rx_push(struct uart16550 *u, uint8_t byte)
{
	if (!uart_rx_space(u))
		return false;
	rx_append(u, byte);
	update_irq(u);
	return true;
}

unsigned uart_rx_space(const struct uart16550 *u)
{
	if (loopback(u))
		return 0;
	return rx_capacity(u) - u->rx_count;
}

bool uart_rx_can_interrupt(const struct uart16550 *u)
{
	return (u->ier & IER_ERBFI) && (u->mcr & MCR_OUT2) && !loopback(u);
}
