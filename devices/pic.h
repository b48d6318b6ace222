/* Emulated PC interrupt controller: two Intel 8259A PICs, the slave's INT wired to the
 * master's IR2, plus the chipset's ELCR edge/level registers. Only 8086 mode is modelled:
 * INTA returns a vector, (ICW2 & 0xf8) | level.
 *
 * Choices where the datasheet leaves room, taken from PC chipsets and common practice:
 * - Power-on state is what a PC BIOS leaves: initialized in cascade mode, vector bases
 *   0x08/0x70, slave on IR2, every input masked.
 * - ICW1 also clears the ISR, so re-initialization cannot leave a level stuck in service.
 * - Trigger mode comes from the ELCR only; ICW1's LTIM bit is ignored, as on chipsets that
 *   have an ELCR.
 * - An edge request stays latched in the IRR until acknowledged, even if the line drops
 *   (devices may pulse their line); a level request follows its line.
 * - The master's cascade input sees the slave's INT output. That output drops while the
 *   slave is acknowledged, so a request the slave still has makes a fresh edge on IR2.
 * - In special mask mode an in-service level that is masked does not block other levels. */
#pragma once
#include "devices/access.h"
#include <stdbool.h>
#include <stdint.h>

#define PIC_MASTER_CMD	0x20 /* A0=0: ICW1, OCW2, OCW3; reads IRR/ISR or the poll word */
#define PIC_MASTER_DATA 0x21 /* A0=1: ICW2-ICW4, OCW1; reads IMR */
#define PIC_SLAVE_CMD	0xa0
#define PIC_SLAVE_DATA	0xa1
#define PIC_ELCR_MASTER 0x4d0 /* edge/level control, IRQ0-7: 1 = level */
#define PIC_ELCR_SLAVE	0x4d1 /* edge/level control, IRQ8-15 */
#define PIC_CASCADE_IRQ 2     /* master input the slave's INT drives */
#define PIC_IRQS	16

/* One 8259A. */
struct pic_chip {
	uint8_t irr;		 /* interrupt request register */
	uint8_t isr;		 /* in-service register */
	uint8_t imr;		 /* interrupt mask register (OCW1) */
	uint8_t lines;		 /* current level of each IR input */
	uint8_t elcr;		 /* 1 = input is level-triggered */
	uint8_t elcr_writable;	 /* ELCR bits the chipset lets software change */
	uint8_t vector_base;	 /* ICW2 with the level bits cleared */
	uint8_t icw3;		 /* master: inputs with a slave; slave: its cascade id */
	uint8_t lowest_priority; /* level with the lowest priority; the next one is highest */
	uint8_t init_step;	 /* which ICW the data port expects next, or ready */
	bool is_master;
	bool single;	     /* ICW1 SNGL: no ICW3, no cascade */
	bool icw4_needed;    /* ICW1 IC4 */
	bool aeoi;	     /* ICW4 automatic end of interrupt */
	bool sfnm;	     /* ICW4 special fully nested mode */
	bool rotate_in_aeoi; /* OCW2 rotate in automatic EOI mode */
	bool special_mask;   /* OCW3 special mask mode */
	bool read_isr;	     /* OCW3: command port reads ISR (else IRR) */
	bool poll;	     /* OCW3 poll: the next read is the poll word */
};

struct pic_pair {
	struct pic_chip master;
	struct pic_chip slave;
	struct irq_sink sink; /* what pic_irq_sink() hands to devices */
	bool int_out;	      /* master INT output as last computed */
	void (*notify)(void *ctx);
	void *notify_ctx;
};

/* Power-on state (see above). */
void pic_init(struct pic_pair *p);
/* io_handler_fn for 0x20-0x21, 0xa0-0xa1 and 0x4d0-0x4d1; dispatches on a->port. */
void pic_io(void *pic, struct io_access *a);
/* Drive input line `irq` (0-15); out-of-range lines are ignored. */
void pic_set_irq(struct pic_pair *p, unsigned irq, bool level);
/* An irq_sink whose set_level() is pic_set_irq(); valid as long as `p` is. */
const struct irq_sink *pic_irq_sink(struct pic_pair *p);
/* The master's INT output: an unmasked request outranks everything in service. */
static inline bool pic_intr_pending(const struct pic_pair *p)
{
	return p->int_out;
}
/* The INTA cycle: moves the winning request from IRR to ISR (not in AEOI mode), through the
 * slave for IRQ8-15, and returns its vector. With nothing to deliver it returns the spurious
 * vector, level 7 of the master (or of the slave, after the master acknowledged IR2). */
int pic_acknowledge(struct pic_pair *p);
/* fn(ctx) runs whenever the INT output changes, so a halted vCPU can be woken. */
void pic_set_notify(struct pic_pair *p, void (*fn)(void *ctx), void *ctx);
