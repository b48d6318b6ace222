#include "drivers/legacy_pic.h"
#include "kernel/x86.h"

#define PIC1_CMD       0x20
#define PIC1_DATA      0x21
#define PIC2_CMD       0xa0
#define PIC2_DATA      0xa1
#define ICW1_INIT_ICW4 0x11 /* edge triggered, cascade, ICW4 follows */
#define ICW4_8086      0x01
#define PIC1_VECTOR    0x20 /* IRQ0-7 -> vectors 0x20-0x27 */
#define PIC2_VECTOR    0x28 /* IRQ8-15 -> vectors 0x28-0x2f */
#define CASCADE_IRQ2   0x04 /* master: slave on IR2 */
#define SLAVE_ID       0x02 /* slave: cascade identity 2 */
#define OCW2_EOI       0x20 /* non-specific EOI */

void legacy_pic_disable(void)
{
	outb(PIC1_CMD, ICW1_INIT_ICW4);
	outb(PIC2_CMD, ICW1_INIT_ICW4);
	outb(PIC1_DATA, PIC1_VECTOR);
	outb(PIC2_DATA, PIC2_VECTOR);
	outb(PIC1_DATA, CASCADE_IRQ2);
	outb(PIC2_DATA, SLAVE_ID);
	outb(PIC1_DATA, ICW4_8086);
	outb(PIC2_DATA, ICW4_8086);
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
}

void legacy_pic_unmask(unsigned irq)
{
	uint16_t port = irq < 8 ? PIC1_DATA : PIC2_DATA;
	outb(port, inb(port) & (uint8_t) ~(1u << (irq & 7)));
	if (irq >= 8)
		outb(PIC1_DATA, inb(PIC1_DATA) & (uint8_t)~CASCADE_IRQ2);
}

void legacy_pic_eoi(unsigned irq)
{
	if (irq >= 8)
		outb(PIC2_CMD, OCW2_EOI);
	outb(PIC1_CMD, OCW2_EOI);
}

unsigned legacy_pic_vector(unsigned irq)
{
	return (irq < 8 ? PIC1_VECTOR : PIC2_VECTOR) + (irq & 7);
}
