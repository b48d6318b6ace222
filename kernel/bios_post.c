/* bios=on, devices: the PIC and PIT programming of POST code (kernel/bios.h). */
#include "kernel/bios.h"

/* What POST writes to the PIC and PIT ports, in order. */
static const struct {
	uint16_t port;
	uint8_t value;
} post_writes[] = {
    {PIC_MASTER_CMD, 0x11}, /* ICW1: edge triggered, cascade, ICW4 follows */
    {PIC_MASTER_DATA, BIOS_IRQ0_VECTOR},
    {PIC_MASTER_DATA, 1u << PIC_CASCADE_IRQ}, /* ICW3: the slave is on IR2 */
    {PIC_MASTER_DATA, 0x01},		      /* ICW4: 8086 mode, normal EOI */
    {PIC_SLAVE_CMD, 0x11},
    {PIC_SLAVE_DATA, BIOS_IRQ8_VECTOR},
    {PIC_SLAVE_DATA, PIC_CASCADE_IRQ}, /* ICW3: the slave's cascade identity */
    {PIC_SLAVE_DATA, 0x01},
    {PIC_MASTER_DATA, 0xf8},   /* OCW1: IRQ 0 (timer), 1 (keyboard), 2 (cascade) */
    {PIC_SLAVE_DATA, 0xff},    /* OCW1: all of IRQ 8-15 masked */
    {PIT_PORT_CONTROL, 0x36},  /* channel 0, LSB then MSB, mode 3, binary */
    {PIT_PORT_COUNTER0, 0x00}, /* count 0: 65536, 1193182 Hz / 65536 = 18.2 Hz */
    {PIT_PORT_COUNTER0, 0x00},
};

void bios_program_devices(struct pic_pair *pic, struct pit *pit)
{
	for (unsigned i = 0; i < sizeof post_writes / sizeof post_writes[0]; i++) {
		struct io_access a = {.port = post_writes[i].port,
				      .size = 1,
				      .write = true,
				      .value = post_writes[i].value};
		if (a.port >= PIT_PORT_COUNTER0 && a.port <= PIT_PORT_CONTROL)
			pit_io(pit, &a);
		else
			pic_io(pic, &a);
	}
}
