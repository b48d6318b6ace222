/* The 8259A pair as the device guests program it: vectors 0x20-0x2f, slave on IR2. IRQ masks
 * are 16 bits wide: bit n is IRQn, the low byte the master's, the high byte the slave's. */
#pragma once
#include "guests/lib/types.h"

#define PIC1_CMD  0x20 /* master A0=0: ICW1, OCW2, OCW3; reads IRR or ISR */
#define PIC1_DATA 0x21 /* master A0=1: ICW2-ICW4, OCW1 (IMR) */
#define PIC2_CMD  0xa0 /* slave */
#define PIC2_DATA 0xa1
#define PIC1_ELCR 0x4d0 /* chipset edge/level control, IRQ0-7: 1 = level */
#define PIC2_ELCR 0x4d1 /* IRQ8-15 */

#define PIC_ICW1_INIT	  0x10 /* with A0=0: start the initialization sequence */
#define PIC_ICW1_ICW4	  0x01 /* an ICW4 follows */
#define PIC_ICW4_8086	  0x01 /* 8086 mode: INTA returns a vector */
#define PIC_OCW2_EOI	  0x20 /* non-specific EOI: clears the highest-priority ISR bit */
#define PIC_OCW2_SEOI	  0x60 /* specific EOI: clears the ISR bit in bits 2:0 */
#define PIC_OCW3_READ_IRR 0x0a /* the next command-port read returns IRR */
#define PIC_OCW3_READ_ISR 0x0b /* ... returns ISR */

#define PIC_CASCADE_IRQ 2 /* the master input the slave's INT drives */
#define PIC1_VECTOR	0x20
#define PIC2_VECTOR	0x28
#define IRQ_VECTOR(irq) (PIC1_VECTOR + (irq)) /* holds for both chips with these bases */
#define IRQ_BIT(irq)	((u16)(1u << (irq)))
#define PIC_MASK_ALL	0xffffu

/* ICW1-ICW4 on both chips (cascade, 8086 mode, normal EOI), every input edge-triggered in
 * the ELCR, then IMR = mask. */
void pic_init(u16 mask);
void pic_set_mask(u16 mask);
u16 pic_get_mask(void);
u16 pic_read_irr(void);
u16 pic_read_isr(void);
/* Non-specific EOI, to the slave and the master for IRQ8-15. */
void pic_eoi(u8 irq);
/* Specific EOI for irq; for IRQ8-15 also the master's for the cascade input. */
void pic_specific_eoi(u8 irq);
