/* 82093AA-style I/O APIC (version 0x11, 24 pins) at 0xfec00000: IOREGSEL at offset 0x00,
 * IOWIN at 0x10. No VMX knowledge; host-tested.
 *
 * Registers: 0x00 ID (bits 27:24 writable), 0x01 version 0x00170011 (RO), 0x02 arbitration
 * (RO, reads the ID), 0x10 + 2n / 0x11 + 2n low / high dword of redirection entry n.
 * Entry bits: vector 7:0, delivery mode 10:8, destination mode 11, delivery status 12 (RO,
 * always 0: delivery is instantaneous), polarity 13 (stored only: line levels are logical,
 * "asserted"), remote IRR 14 (RO), trigger mode 15 (1 = level), mask 16, destination 63:56.
 *
 * Edge pins send one message per rising edge while unmasked; an edge while masked is lost.
 * Level pins send while asserted, unmasked and remote IRR is clear, and set remote IRR; the
 * local APIC's EOI broadcast (ioapic_eoi) clears it, and a line still asserted sends again.
 * Writing an entry as edge-triggered clears remote IRR (Linux's EOI for version 0x11
 * parts). Unmasking a level pin that is asserted delivers it. There is no EOI register
 * (it appears with version 0x20). Unused offsets and registers read 0, writes are ignored. */
#pragma once
#include "devices/access.h"
#include "devices/lapic.h"
#include <stdbool.h>
#include <stdint.h>

#define IOAPIC_DEFAULT_BASE 0xfec00000u
#define IOAPIC_MMIO_SIZE    0x1000u
#define IOAPIC_PINS         24
#define IOAPIC_VERSION_VALUE 0x00170011u /* max redirection entry 23, version 0x11 */

#define IOAPIC_REGSEL 0x00
#define IOAPIC_WINDOW 0x10

#define IOAPIC_REG_ID      0x00
#define IOAPIC_REG_VERSION 0x01
#define IOAPIC_REG_ARB     0x02
#define IOAPIC_REG_REDIR   0x10

#define IOAPIC_RTE_DEST_LOGICAL (1ull << 11)
#define IOAPIC_RTE_STATUS       (1ull << 12)
#define IOAPIC_RTE_POLARITY_LOW (1ull << 13)
#define IOAPIC_RTE_REMOTE_IRR   (1ull << 14)
#define IOAPIC_RTE_LEVEL        (1ull << 15)
#define IOAPIC_RTE_MASKED       (1ull << 16)
#define IOAPIC_RTE_DEST_SHIFT   56

struct ioapic {
	uint32_t id;                 /* ID register (bits 27:24 meaningful) */
	uint8_t regsel;
	uint64_t rte[IOAPIC_PINS];
	uint32_t lines;              /* asserted pins */
	void (*deliver)(void *ctx, const struct apic_msg *m);
	void *ctx;
	struct irq_sink sink;        /* what ioapic_irq_sink() hands to devices */
};

/* Power-on: ID 0, every entry masked (0x10000), no line asserted. */
void ioapic_init(struct ioapic *io, void (*deliver)(void *ctx, const struct apic_msg *m),
		 void *ctx);
/* mmio_handler_fn for the 4 KiB window. IOREGSEL and IOWIN take 32-bit accesses; other
 * widths read the bytes of the register and writes of other widths are ignored. */
void ioapic_mmio(void *ioapic, uint64_t offset, struct mmio_access *a);
/* Drive pin `pin` (asserted = true); pins out of range are ignored. */
void ioapic_set_irq(struct ioapic *io, unsigned pin, bool asserted);
/* A local APIC's EOI broadcast for `vector`: clears remote IRR of the level pins with that
 * vector and re-delivers those still asserted. */
void ioapic_eoi(struct ioapic *io, uint8_t vector);
/* An irq_sink whose set_level() is ioapic_set_irq(); valid as long as `io` is. */
const struct irq_sink *ioapic_irq_sink(struct ioapic *io);
