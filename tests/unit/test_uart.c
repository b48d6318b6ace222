/* 16550A model against the datasheet's register behaviour. Register numbers and bits are
 * spelled out here independently of the model's own definitions. */
#include "devices/uart16550.h"
#include "tests/unit/check.h"

#define COM1 0x3f8

static uint8_t sent[64];
static unsigned nsent;
static bool irq_level;
static unsigned irq_edges;

static void tx_capture(void *ctx, uint8_t byte)
{
	(void)ctx;
	if (nsent < sizeof sent)
		sent[nsent] = byte;
	nsent++;
}

static void irq_capture(void *ctx, unsigned irq, bool level)
{
	(void)ctx;
	CHECK_EQ(irq, 4);
	if (level && !irq_level)
		irq_edges++;
	irq_level = level;
}

static const struct irq_sink sink = {irq_capture, 0};

static void setup(struct uart16550 *u)
{
	const struct irq_line line = {&sink, 4};
	nsent = 0;
	irq_level = false;
	irq_edges = 0;
	uart_init(u, &line, tx_capture, 0);
}

static void out8(struct uart16550 *u, unsigned reg, uint8_t v)
{
	struct io_access a = {.port = (uint16_t)(COM1 + reg), .size = 1, .write = true, .value = v};
	uart_io(u, &a);
}

static uint8_t in8(struct uart16550 *u, unsigned reg)
{
	struct io_access a = {.port = (uint16_t)(COM1 + reg), .size = 1, .value = 0xdeadbeef};
	uart_io(u, &a);
	CHECK_EQ(a.value >> 8, 0);
	return (uint8_t)a.value;
}

TEST(reset_state)
{
	struct uart16550 u;
	setup(&u);
	CHECK_EQ(in8(&u, 5), 0x60); /* LSR: THRE | TEMT, no data */
	CHECK_EQ(in8(&u, 2), 0x01); /* IIR: nothing pending, FIFOs off */
	CHECK_EQ(in8(&u, 1), 0x00);
	CHECK_EQ(in8(&u, 3), 0x00);
	CHECK_EQ(in8(&u, 4), 0x00);
	CHECK(!irq_level);
}

TEST(divisor_latch_read_back)
{
	struct uart16550 u;
	setup(&u);
	out8(&u, 3, 0x83); /* DLAB | 8N1 */
	out8(&u, 0, 0x0c);
	out8(&u, 1, 0x01);
	CHECK_EQ(in8(&u, 0), 0x0c);
	CHECK_EQ(in8(&u, 1), 0x01);
	CHECK_EQ(nsent, 0); /* DLL write is not a transmit */
	out8(&u, 3, 0x03);
	CHECK_EQ(in8(&u, 1), 0x00); /* IER untouched by the DLM write */
	out8(&u, 3, 0x83);
	CHECK_EQ(in8(&u, 0), 0x0c);
}

TEST(lcr_and_scr_read_back)
{
	struct uart16550 u;
	setup(&u);
	out8(&u, 3, 0x1b);
	out8(&u, 7, 0xa5);
	CHECK_EQ(in8(&u, 3), 0x1b);
	CHECK_EQ(in8(&u, 7), 0xa5);
	out8(&u, 7, 0x5a);
	CHECK_EQ(in8(&u, 7), 0x5a);
}

TEST(ier_high_bits_read_zero)
{
	struct uart16550 u;
	setup(&u);
	out8(&u, 1, 0xff);
	CHECK_EQ(in8(&u, 1), 0x0f);
	out8(&u, 1, 0x00);
	CHECK_EQ(in8(&u, 1), 0x00);
}

TEST(thr_write_transmits_and_stays_empty)
{
	struct uart16550 u;
	setup(&u);
	out8(&u, 0, 'h');
	out8(&u, 0, 'i');
	CHECK_EQ(nsent, 2);
	CHECK_EQ(sent[0], 'h');
	CHECK_EQ(sent[1], 'i');
	CHECK_EQ(in8(&u, 5) & 0x60, 0x60);
}

TEST(fifo_enable_shows_in_iir)
{
	struct uart16550 u;
	setup(&u);
	out8(&u, 2, 0x01);
	CHECK_EQ(in8(&u, 2), 0xc1);
	out8(&u, 2, 0x00);
	CHECK_EQ(in8(&u, 2), 0x01);
}

TEST(fcr_read_returns_iir)
{
	struct uart16550 u;
	setup(&u);
	out8(&u, 2, 0xc7);
	CHECK_EQ(in8(&u, 2), 0xc1);
}

TEST(fifo_keeps_16_bytes_in_order)
{
	struct uart16550 u;
	setup(&u);
	out8(&u, 2, 0x07);
	CHECK_EQ(uart_rx_space(&u), 16);
	for (unsigned i = 0; i < 16; i++)
		CHECK(uart_rx_push(&u, (uint8_t)(0x40 + i)));
	CHECK_EQ(uart_rx_space(&u), 0);
	for (unsigned i = 0; i < 16; i++)
		CHECK_EQ(in8(&u, 0), 0x40 + i);
	CHECK_EQ(uart_rx_space(&u), 16);
}

TEST(fifo_full_refuses_without_overrun)
{
	struct uart16550 u;
	setup(&u);
	out8(&u, 2, 0x01);
	for (unsigned i = 0; i < 16; i++)
		CHECK(uart_rx_push(&u, (uint8_t)i));
	CHECK(!uart_rx_push(&u, 0x99));
	CHECK_EQ(in8(&u, 5) & 0x02, 0); /* no OE */
	CHECK_EQ(in8(&u, 0), 0);
	CHECK(uart_rx_push(&u, 0x99));
	for (unsigned i = 1; i < 16; i++)
		CHECK_EQ(in8(&u, 0), i);
	CHECK_EQ(in8(&u, 0), 0x99);
}

TEST(fifo_ring_wraps)
{
	struct uart16550 u;
	setup(&u);
	out8(&u, 2, 0x01);
	for (unsigned round = 0; round < 5; round++) {
		for (unsigned i = 0; i < 11; i++)
			CHECK(uart_rx_push(&u, (uint8_t)(round * 11 + i)));
		for (unsigned i = 0; i < 11; i++)
			CHECK_EQ(in8(&u, 0), round * 11 + i);
	}
}

TEST(non_fifo_mode_holds_one_byte)
{
	struct uart16550 u;
	setup(&u);
	CHECK_EQ(uart_rx_space(&u), 1);
	CHECK(uart_rx_push(&u, 'a'));
	CHECK(!uart_rx_push(&u, 'b'));
	CHECK_EQ(in8(&u, 5) & 0x03, 0x01); /* DR, no OE */
	CHECK_EQ(in8(&u, 0), 'a');
	CHECK(uart_rx_push(&u, 'b'));
	CHECK_EQ(in8(&u, 0), 'b');
}

TEST(lsr_dr_tracks_data)
{
	struct uart16550 u;
	setup(&u);
	out8(&u, 2, 0x01);
	CHECK_EQ(in8(&u, 5) & 0x01, 0);
	uart_rx_push(&u, 1);
	uart_rx_push(&u, 2);
	CHECK_EQ(in8(&u, 5) & 0x01, 1);
	in8(&u, 0);
	CHECK_EQ(in8(&u, 5) & 0x01, 1);
	in8(&u, 0);
	CHECK_EQ(in8(&u, 5) & 0x01, 0);
}

TEST(fcr_rx_reset_empties_fifo)
{
	struct uart16550 u;
	setup(&u);
	out8(&u, 2, 0x01);
	uart_rx_push(&u, 1);
	uart_rx_push(&u, 2);
	out8(&u, 2, 0x05); /* TX reset only: RX keeps its data */
	CHECK_EQ(in8(&u, 5) & 0x01, 1);
	out8(&u, 2, 0x03);
	CHECK_EQ(in8(&u, 5) & 0x01, 0);
	CHECK_EQ(uart_rx_space(&u), 16);
	CHECK_EQ(in8(&u, 2), 0xc1); /* reset bits self-clear; FIFOs stay on */
}

TEST(fifo_disable_empties_fifo)
{
	struct uart16550 u;
	setup(&u);
	out8(&u, 2, 0x01);
	uart_rx_push(&u, 1);
	uart_rx_push(&u, 2);
	out8(&u, 2, 0x00);
	CHECK_EQ(in8(&u, 5) & 0x01, 0);
	CHECK_EQ(uart_rx_space(&u), 1);
}

/* Push bytes one at a time; the RX-data interrupt (IIR 0xc4) must appear exactly at `level`,
 * with the timeout code (0xcc) for data below it. */
static void check_trigger(uint8_t fcr, unsigned level)
{
	struct uart16550 u;
	setup(&u);
	out8(&u, 2, fcr);
	out8(&u, 1, 0x01);
	out8(&u, 4, 0x08);
	CHECK_EQ(in8(&u, 2), 0xc1);
	for (unsigned n = 1; n <= level; n++) {
		uart_rx_push(&u, (uint8_t)n);
		CHECK_EQ(in8(&u, 2), n < level ? 0xcc : 0xc4);
	}
	CHECK(irq_level);
	in8(&u, 0);
	if (level > 1)
		CHECK_EQ(in8(&u, 2), 0xcc);
	else
		CHECK_EQ(in8(&u, 2), 0xc1);
}

TEST(trigger_level_1)
{
	check_trigger(0x01, 1);
}

TEST(trigger_level_4)
{
	check_trigger(0x41, 4);
}

TEST(trigger_level_8)
{
	check_trigger(0x81, 8);
}

TEST(trigger_level_14)
{
	check_trigger(0xc1, 14);
}

TEST(fcr_without_enable_keeps_fifos_off)
{
	struct uart16550 u;
	setup(&u);
	out8(&u, 2, 0xc6); /* other FCR bits are not programmed while bit 0 is clear */
	out8(&u, 1, 0x01);
	CHECK_EQ(uart_rx_space(&u), 1);
	uart_rx_push(&u, 1);
	CHECK_EQ(in8(&u, 2), 0x04);
}

TEST(rx_interrupt_needs_ier)
{
	struct uart16550 u;
	setup(&u);
	out8(&u, 4, 0x08);
	uart_rx_push(&u, 'x');
	CHECK_EQ(in8(&u, 2), 0x01);
	CHECK(!irq_level);
	out8(&u, 1, 0x01);
	CHECK_EQ(in8(&u, 2), 0x04);
	CHECK(irq_level);
	in8(&u, 0);
	CHECK_EQ(in8(&u, 2), 0x01);
	CHECK(!irq_level);
}

TEST(thre_interrupt_on_ier_enable)
{
	struct uart16550 u;
	setup(&u);
	out8(&u, 4, 0x08);
	out8(&u, 1, 0x02);
	CHECK(irq_level);
	CHECK_EQ(in8(&u, 2), 0x02);
}

TEST(iir_read_clears_thre)
{
	struct uart16550 u;
	setup(&u);
	out8(&u, 4, 0x08);
	out8(&u, 1, 0x02);
	CHECK_EQ(in8(&u, 2), 0x02);
	CHECK(!irq_level);
	CHECK_EQ(in8(&u, 2), 0x01);
	out8(&u, 1, 0x02); /* still enabled: no new THRE without a 0->1 edge */
	CHECK_EQ(in8(&u, 2), 0x01);
}

TEST(thr_write_raises_thre_again)
{
	struct uart16550 u;
	setup(&u);
	out8(&u, 4, 0x08);
	out8(&u, 1, 0x02);
	in8(&u, 2);
	CHECK(!irq_level);
	out8(&u, 0, 'z');
	CHECK(irq_level);
	CHECK_EQ(irq_edges, 2);
	CHECK_EQ(in8(&u, 2), 0x02);
}

TEST(thre_on_reenable)
{
	struct uart16550 u;
	setup(&u);
	out8(&u, 1, 0x02);
	in8(&u, 2);
	out8(&u, 1, 0x00);
	out8(&u, 1, 0x02);
	CHECK_EQ(in8(&u, 2), 0x02);
}

TEST(rx_data_outranks_thre)
{
	struct uart16550 u;
	setup(&u);
	out8(&u, 1, 0x03);
	uart_rx_push(&u, 'q');
	CHECK_EQ(in8(&u, 2), 0x04);
	CHECK_EQ(in8(&u, 2), 0x04); /* reading IIR for RX does not consume THRE */
	CHECK_EQ(in8(&u, 0), 'q');
	CHECK_EQ(in8(&u, 2), 0x02);
	CHECK_EQ(in8(&u, 2), 0x01);
}

TEST(line_status_outranks_rx_data)
{
	struct uart16550 u;
	setup(&u);
	out8(&u, 4, 0x18); /* loopback + OUT2 */
	out8(&u, 1, 0x05);
	out8(&u, 0, 'a');
	out8(&u, 0, 'b'); /* RBR still full: overrun */
	CHECK_EQ(in8(&u, 2), 0x06);
	CHECK_EQ(in8(&u, 5) & 0x03, 0x03); /* OE | DR, and the read clears OE */
	CHECK_EQ(in8(&u, 5) & 0x02, 0);
	CHECK_EQ(in8(&u, 2), 0x04);
	CHECK_EQ(in8(&u, 0), 'b'); /* without FIFOs the newer byte overwrote RBR */
}

TEST(thre_outranks_modem_status)
{
	struct uart16550 u;
	setup(&u);
	out8(&u, 4, 0x10); /* entering loopback drops CTS/DSR/DCD: deltas */
	out8(&u, 1, 0x0a);
	CHECK_EQ(in8(&u, 2), 0x02);
	CHECK_EQ(in8(&u, 2), 0x00);
	CHECK_EQ(in8(&u, 6) & 0x0f, 0x0b); /* DCTS | DDSR | DDCD; read clears */
	CHECK_EQ(in8(&u, 2), 0x01);
}

TEST(out2_gates_irq_line)
{
	struct uart16550 u;
	setup(&u);
	out8(&u, 1, 0x02);
	CHECK_EQ(in8(&u, 2) & 0x01, 0); /* pending ... */
	CHECK(!irq_level);		/* ... but not on the bus without OUT2 */
	out8(&u, 1, 0x00);
	out8(&u, 1, 0x02);
	out8(&u, 4, 0x0b);
	CHECK(irq_level);
	out8(&u, 4, 0x03);
	CHECK(!irq_level);
}

TEST(loopback_thr_to_rbr)
{
	struct uart16550 u;
	setup(&u);
	out8(&u, 2, 0x01);
	out8(&u, 4, 0x10);
	out8(&u, 0, 0x55);
	out8(&u, 0, 0xaa);
	CHECK_EQ(nsent, 0);
	CHECK_EQ(in8(&u, 5) & 0x01, 1);
	CHECK_EQ(in8(&u, 0), 0x55);
	CHECK_EQ(in8(&u, 0), 0xaa);
	out8(&u, 4, 0x00);
	out8(&u, 0, 0x33);
	CHECK_EQ(nsent, 1);
	CHECK_EQ(sent[0], 0x33);
}

TEST(loopback_msr_mirrors_mcr)
{
	struct uart16550 u;
	setup(&u);
	out8(&u, 4, 0x10);
	in8(&u, 6);
	out8(&u, 4, 0x1a); /* RTS, OUT2 -> CTS, DCD (the classic 8250 probe) */
	CHECK_EQ(in8(&u, 6) & 0xf0, 0x90);
	out8(&u, 4, 0x15); /* DTR, OUT1 -> DSR, RI */
	CHECK_EQ(in8(&u, 6) & 0xf0, 0x60);
	out8(&u, 4, 0x1f);
	CHECK_EQ(in8(&u, 6) & 0xf0, 0xf0);
}

TEST(loopback_msr_deltas)
{
	struct uart16550 u;
	setup(&u);
	out8(&u, 4, 0x14); /* OUT1 -> RI on */
	in8(&u, 6);
	out8(&u, 4, 0x12);	    /* RI off (trailing edge), CTS on */
	CHECK_EQ(in8(&u, 6), 0x15); /* CTS | TERI | DCTS */
	CHECK_EQ(in8(&u, 6), 0x10); /* deltas cleared by the read */
	out8(&u, 4, 0x16);	    /* RI on: a leading edge sets no TERI */
	CHECK_EQ(in8(&u, 6), 0x50);
}

TEST(modem_lines_outside_loopback)
{
	struct uart16550 u;
	setup(&u);
	CHECK_EQ(in8(&u, 6), 0xb0); /* CTS, DSR, DCD: the host end is always ready */
	out8(&u, 4, 0x0f);
	CHECK_EQ(in8(&u, 6), 0xb0);
}

TEST(loopback_fifo_overrun_keeps_fifo)
{
	struct uart16550 u;
	setup(&u);
	out8(&u, 2, 0x01);
	out8(&u, 4, 0x10);
	for (unsigned i = 0; i < 17; i++)
		out8(&u, 0, (uint8_t)i);
	CHECK_EQ(in8(&u, 5) & 0x03, 0x03);
	for (unsigned i = 0; i < 16; i++)
		CHECK_EQ(in8(&u, 0), i);
	CHECK_EQ(in8(&u, 5) & 0x01, 0);
}

TEST(host_input_refused_in_loopback)
{
	struct uart16550 u;
	setup(&u);
	out8(&u, 4, 0x10);
	CHECK_EQ(uart_rx_space(&u), 0);
	CHECK(!uart_rx_push(&u, 'k'));
	CHECK_EQ(in8(&u, 5) & 0x01, 0);
	out8(&u, 4, 0x00);
	CHECK(uart_rx_push(&u, 'k'));
}

TEST(rx_push_raises_irq)
{
	struct uart16550 u;
	setup(&u);
	out8(&u, 2, 0x01);
	out8(&u, 1, 0x01);
	out8(&u, 4, 0x08);
	CHECK(!irq_level);
	uart_rx_push(&u, 'r');
	CHECK(irq_level);
	CHECK_EQ(irq_edges, 1);
	in8(&u, 0);
	CHECK(!irq_level);
}

TEST(wide_access_splits_into_bytes)
{
	struct uart16550 u;
	setup(&u);
	out8(&u, 3, 0x80);
	struct io_access a = {.port = COM1, .size = 2, .write = true, .value = 0x0201};
	uart_io(&u, &a);
	CHECK_EQ(in8(&u, 0), 0x01);
	CHECK_EQ(in8(&u, 1), 0x02);
	a = (struct io_access){.port = COM1 + 6, .size = 4};
	uart_io(&u, &a);
	CHECK_EQ(a.value, 0xffff0000u | 0xb0);
}

TEST(rx_can_interrupt_needs_erbfi_out2_and_no_loopback)
{
	struct uart16550 u;
	setup(&u);
	CHECK(!uart_rx_can_interrupt(&u));
	out8(&u, 1, 0x01);
	CHECK(!uart_rx_can_interrupt(&u)); /* OUT2 still off */
	out8(&u, 4, 0x08);
	CHECK(uart_rx_can_interrupt(&u));
	out8(&u, 4, 0x18);
	CHECK(!uart_rx_can_interrupt(&u)); /* loopback disconnects the input */
	out8(&u, 4, 0x08);
	out8(&u, 1, 0x02);
	CHECK(!uart_rx_can_interrupt(&u)); /* only THRE enabled */
}

CHECK_MAIN("uart", CASE(reset_state), CASE(divisor_latch_read_back), CASE(lcr_and_scr_read_back),
	   CASE(ier_high_bits_read_zero), CASE(thr_write_transmits_and_stays_empty),
	   CASE(fifo_enable_shows_in_iir), CASE(fcr_read_returns_iir),
	   CASE(fifo_keeps_16_bytes_in_order), CASE(fifo_full_refuses_without_overrun),
	   CASE(fifo_ring_wraps), CASE(non_fifo_mode_holds_one_byte), CASE(lsr_dr_tracks_data),
	   CASE(fcr_rx_reset_empties_fifo), CASE(fifo_disable_empties_fifo), CASE(trigger_level_1),
	   CASE(trigger_level_4), CASE(trigger_level_8), CASE(trigger_level_14),
	   CASE(fcr_without_enable_keeps_fifos_off), CASE(rx_interrupt_needs_ier),
	   CASE(thre_interrupt_on_ier_enable), CASE(iir_read_clears_thre),
	   CASE(thr_write_raises_thre_again), CASE(thre_on_reenable), CASE(rx_data_outranks_thre),
	   CASE(line_status_outranks_rx_data), CASE(thre_outranks_modem_status),
	   CASE(out2_gates_irq_line), CASE(loopback_thr_to_rbr), CASE(loopback_msr_mirrors_mcr),
	   CASE(loopback_msr_deltas), CASE(modem_lines_outside_loopback),
	   CASE(loopback_fifo_overrun_keeps_fifo), CASE(host_input_refused_in_loopback),
	   CASE(rx_push_raises_irq), CASE(wide_access_splits_into_bytes),
	   CASE(rx_can_interrupt_needs_erbfi_out2_and_no_loopback))
