/* The host's own 8259A pair. At boot the PICs are moved off the exception vectors (the BIOS
 * leaves IRQ0 on vector 8, #DF) and fully masked; mhv then unmasks only what it handles (the
 * host COM1's receive interrupt). The PICs stay edge-triggered with normal EOI. */
#pragma once

#define LEGACY_PIC_SPURIOUS_IRQ 7 /* the master reports a vanished request as IRQ7 */

void legacy_pic_disable(void);
void legacy_pic_unmask(unsigned irq);
void legacy_pic_eoi(unsigned irq);
/* The IDT vector IRQ irq arrives on. */
unsigned legacy_pic_vector(unsigned irq);
