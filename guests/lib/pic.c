#include "guests/lib/pic.h"
#include "guests/lib/x86.h"

static void chip_init(u16 cmd, u8 vector, u8 icw3)
{
	outb(cmd, PIC_ICW1_INIT | PIC_ICW1_ICW4);
	outb(cmd + 1, vector);
	outb(cmd + 1, icw3);
	outb(cmd + 1, PIC_ICW4_8086);
}

void pic_init(u16 mask)
{
	/* Master ICW3: a bit per input with a slave; slave ICW3: its cascade identity. */
	chip_init(PIC1_CMD, PIC1_VECTOR, 1u << PIC_CASCADE_IRQ);
	chip_init(PIC2_CMD, PIC2_VECTOR, PIC_CASCADE_IRQ);
	outb(PIC1_ELCR, 0);
	outb(PIC2_ELCR, 0);
	pic_set_mask(mask);
}

void pic_set_mask(u16 mask)
{
	outb(PIC1_DATA, (u8)mask);
	outb(PIC2_DATA, (u8)(mask >> 8));
}

u16 pic_get_mask(void)
{
	return (u16)(inb(PIC1_DATA) | inb(PIC2_DATA) << 8);
}

static u16 read_both(u8 ocw3)
{
	outb(PIC1_CMD, ocw3);
	outb(PIC2_CMD, ocw3);
	return (u16)(inb(PIC1_CMD) | inb(PIC2_CMD) << 8);
}

u16 pic_read_irr(void)
{
	return read_both(PIC_OCW3_READ_IRR);
}

u16 pic_read_isr(void)
{
	return read_both(PIC_OCW3_READ_ISR);
}

void pic_eoi(u8 irq)
{
	if (irq >= 8)
		outb(PIC2_CMD, PIC_OCW2_EOI);
	outb(PIC1_CMD, PIC_OCW2_EOI);
}

void pic_specific_eoi(u8 irq)
{
	if (irq >= 8) {
		outb(PIC2_CMD, PIC_OCW2_SEOI | (irq - 8));
		irq = PIC_CASCADE_IRQ;
	}
	outb(PIC1_CMD, PIC_OCW2_SEOI | irq);
}
