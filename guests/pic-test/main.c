/* 8259A pair: IMR and ELCR registers, service order by priority with requests from three
 * devices pending at once, ISR contents inside handlers, masking and specific EOI, nested
 * interrupts (nesting.c), and no spurious interrupts along the way. */
#include "guests/lib/multiboot.h"
#include "guests/lib/pic.h"
#include "guests/lib/printf.h"
#include "guests/lib/report.h"
#include "guests/lib/string.h"
#include "guests/lib/trap.h"
#include "guests/lib/tsc.h"
#include "guests/lib/uart.h"
#include "guests/lib/x86.h"
#include "guests/pic-test/sources.h"
#include "guests/pic-test/tests.h"

#define WAIT_PENDING_MS 50   /* the slowest source, the 1024 Hz RTC, needs about 1 ms */
#define ELCR1_WRITABLE	0xf8 /* IRQ0-2 are edge-only on PC chipsets */
#define ELCR2_WRITABLE	0xde /* IRQ8 and IRQ13 too */
#define SOURCES		(IRQ_BIT(0) | IRQ_BIT(UART_IRQ) | IRQ_BIT(RTC_IRQ))
#define CASCADE		IRQ_BIT(PIC_CASCADE_IRQ)

volatile struct service served[MAX_SERVED];
volatile u32 nserved;
static volatile u32 spurious;

/* For every PIC vector: a level-7 interrupt with nothing in service is spurious and gets no
 * EOI of its own; anything else is logged, silenced and ended with a specific EOI. */
static void on_irq(struct trap_frame *f)
{
	u8 irq = (u8)(f->vector - PIC1_VECTOR);
	u16 isr = pic_read_isr();

	if ((irq & 7) == 7 && !(isr & IRQ_BIT(irq))) {
		spurious++;
		if (irq >= 8) /* the master did acknowledge its cascade input */
			pic_specific_eoi(PIC_CASCADE_IRQ);
		return;
	}
	source_silence(irq);
	pic_specific_eoi(irq);
	if (nserved < MAX_SERVED) {
		served[nserved].irq = irq;
		served[nserved].isr_in = isr;
		served[nserved].isr_after = pic_read_isr();
	}
	nserved++;
}

void let_interrupts_in(u32 ms)
{
	sti();
	tsc_spin_ms(ms);
	cli();
}

static u16 wait_pending(u16 want)
{
	u64 end = rdtsc() + tsc_from_ms(WAIT_PENDING_MS);
	u16 irr;

	while (((irr = pic_read_irr()) & want) != want && rdtsc() < end)
		;
	return irr;
}

static void check_registers(void)
{
	pic_set_mask(0x5aa5);
	u16 mask = pic_get_mask();
	pic_set_mask(PIC_MASK_ALL);
	report(mask == 0x5aa5, "pic: IMR reads back (0x%04x)", mask);

	outb(PIC1_ELCR, 0xff);
	outb(PIC2_ELCR, 0xff);
	u8 elcr1 = inb(PIC1_ELCR), elcr2 = inb(PIC2_ELCR);
	outb(PIC1_ELCR, 0);
	outb(PIC2_ELCR, 0);
	report(elcr1 == ELCR1_WRITABLE && elcr2 == ELCR2_WRITABLE,
	       "pic: ELCR keeps IRQ0-2, 8, 13 edge-only (0x%02x 0x%02x)", elcr1, elcr2);
}

/* Whatever firmware left latched (a BIOS's 18.2 Hz IRQ0) must not pass for our requests. */
static void drain_stale_requests(void)
{
	pic_set_mask((u16) ~(SOURCES | CASCADE));
	let_interrupts_in(SETTLE_MS);
	pic_set_mask(PIC_MASK_ALL);
	nserved = 0;
}

static void check_priority(void)
{
	static const struct service want[] = {
	    {0, IRQ_BIT(0), 0},
	    {RTC_IRQ, CASCADE | IRQ_BIT(RTC_IRQ), 0},
	    {UART_IRQ, IRQ_BIT(UART_IRQ), 0},
	};
	char order[32] = "", isrs[48] = "";

	pic_set_mask((u16) ~(SOURCES | CASCADE));
	/* Lowest priority first: the requests arrive UART, PIT, RTC, not in priority order. */
	source_raise(RTC_IRQ);
	source_raise(UART_IRQ);
	source_raise(0);
	u16 irr = wait_pending(SOURCES | CASCADE);
	report((irr & (SOURCES | CASCADE)) == (SOURCES | CASCADE),
	       "pic: IRQ0, IRQ4 and IRQ8 (on IR2) pending together with IF=0 (IRR 0x%04x)", irr);

	let_interrupts_in(SETTLE_MS);
	pic_set_mask(PIC_MASK_ALL);
	u32 n = nserved < MAX_SERVED ? nserved : MAX_SERVED;
	bool order_ok = n == 3, isr_ok = true, eoi_ok = true;
	for (u32 i = 0; i < n; i++) {
		size_t o = strlen(order), s = strlen(isrs);
		snprintf(order + o, sizeof(order) - o, " %u", served[i].irq);
		snprintf(isrs + s, sizeof(isrs) - s, " %04x", served[i].isr_in);
		if (i < 3) {
			order_ok &= served[i].irq == want[i].irq;
			isr_ok &= served[i].isr_in == want[i].isr_in;
		}
		eoi_ok &= served[i].isr_after == 0;
	}
	report(order_ok, "pic: served by priority: IRQ0, IRQ8, IRQ4 (got:%s)", order);
	report(n > 0 && isr_ok, "pic: ISR inside each handler holds its level (+IR2) (got:%s)",
	       isrs);
	report(n > 0 && eoi_ok, "pic: each specific EOI leaves ISR empty");
}

static void check_mask(u8 irq)
{
	nserved = 0;
	pic_set_mask((u16)~CASCADE);
	source_raise(irq);
	u16 irr = wait_pending(IRQ_BIT(irq));
	let_interrupts_in(SETTLE_MS);
	u32 while_masked = nserved;
	report(while_masked == 0 && (irr & IRQ_BIT(irq)),
	       "pic: masked IRQ%u stays in IRR, not delivered (IRR 0x%04x, %u interrupts)", irq,
	       irr, while_masked);

	pic_set_mask((u16) ~(CASCADE | IRQ_BIT(irq)));
	let_interrupts_in(SETTLE_MS);
	pic_set_mask(PIC_MASK_ALL);
	report(nserved == 1 && served[0].irq == irq,
	       "pic: unmasking IRQ%u delivers the request (%u interrupts)", irq, nserved);
}

int main(u32 magic, const struct mb1_info *mbi)
{
	(void)magic;
	(void)mbi;
	printf("pic-test: started\n");
	u32 khz = tsc_khz_for_timeouts();
	report(khz != 0, "pic: TSC rate known for timeouts (%u kHz, %s)", khz,
	       tsc_calibrate_khz() ? "PIT-calibrated" : "from CPUID");
	if (!khz)
		report_summary();

	for (u32 v = PIC1_VECTOR; v < PIC2_VECTOR + 8; v++)
		trap_set_handler((u8)v, on_irq);
	pic_init(PIC_MASK_ALL);
	check_registers();
	drain_stale_requests();
	check_priority();
	check_mask(0);
	check_mask(UART_IRQ);
	check_mask(RTC_IRQ);
	test_eoi_nesting();
	report(spurious == 0, "pic: no spurious IRQ7/IRQ15 (%u)", spurious);
	report_summary();
}
