/* Nested interrupts and which ISR bit an EOI clears. IRQ4's handler re-enables interrupts and
 * fires the PIT, so IRQ0 (higher priority) nests with both levels in service; IRQ0's handler
 * then ends both, either with non-specific EOIs (highest level first) or with a specific EOI
 * for IRQ4 first, an order a non-specific EOI cannot produce. */
#include "guests/lib/pic.h"
#include "guests/lib/report.h"
#include "guests/lib/trap.h"
#include "guests/lib/uart.h"
#include "guests/pic-test/sources.h"
#include "guests/pic-test/tests.h"

#define NOT_READ 0xffff

static bool specific;
static volatile u16 isr_outer, isr_nested, isr_after_first, isr_after_second;

static void on_irq0_nested(struct trap_frame *f)
{
	(void)f;
	isr_nested = pic_read_isr();
	if (specific)
		pic_specific_eoi(UART_IRQ);
	else
		pic_eoi(0);
	isr_after_first = pic_read_isr();
	if (specific)
		pic_specific_eoi(0);
	else
		pic_eoi(0);
	isr_after_second = pic_read_isr();
}

static void on_irq4_outer(struct trap_frame *f)
{
	(void)f;
	source_silence(UART_IRQ);
	isr_outer = pic_read_isr();
	source_raise(0);
	let_interrupts_in(SETTLE_MS);
}

static void run(bool use_specific)
{
	specific = use_specific;
	isr_outer = isr_nested = isr_after_first = isr_after_second = NOT_READ;
	pic_set_mask((u16) ~(IRQ_BIT(0) | IRQ_BIT(UART_IRQ)));
	source_raise(UART_IRQ);
	let_interrupts_in(2 * SETTLE_MS);
	pic_set_mask(PIC_MASK_ALL);
}

void test_eoi_nesting(void)
{
	const u16 both = IRQ_BIT(0) | IRQ_BIT(UART_IRQ);

	trap_set_handler(IRQ_VECTOR(0), on_irq0_nested);
	trap_set_handler(IRQ_VECTOR(UART_IRQ), on_irq4_outer);

	run(false);
	report(isr_outer == IRQ_BIT(UART_IRQ) && isr_nested == both,
	       "pic: IRQ0 nests in IRQ4's handler (ISR 0x%04x, then 0x%04x)", isr_outer,
	       isr_nested);
	report(isr_nested == both && isr_after_first == IRQ_BIT(UART_IRQ) && isr_after_second == 0,
	       "pic: non-specific EOIs clear the highest level first (0x%04x -> 0x%04x -> 0x%04x)",
	       isr_nested, isr_after_first, isr_after_second);

	run(true);
	report(isr_nested == both && isr_after_first == IRQ_BIT(0) && isr_after_second == 0,
	       "pic: specific EOI 0x64 clears IRQ4's bit, not IRQ0's (0x%04x -> 0x%04x -> 0x%04x)",
	       isr_nested, isr_after_first, isr_after_second);
}
