/* The I/O APIC as a guest programs it (82093AA datasheet; mhv's at the PC's usual address):
 * an index register and a data window, a redirection entry per pin. */
#pragma once
#include "guests/lib/types.h"

#define IOAPIC_BASE    0xfec00000u
#define IOAPIC_REGSEL  0x00 /* register index, bits 7:0 */
#define IOAPIC_WINDOW  0x10 /* the selected register */
#define IOAPIC_ID      0x00 /* bits 27:24 */
#define IOAPIC_VERSION 0x01 /* bits 7:0 version, 23:16 highest entry */
#define IOAPIC_ARB     0x02 /* arbitration ID, bits 27:24 */
#define IOAPIC_REDTBL  0x10 /* entry n: low dword 0x10 + 2n, high dword 0x11 + 2n */

/* Redirection entry */
#define IOAPIC_DM_LOWEST	(1u << 8)
#define IOAPIC_DM_NMI		(4u << 8)
#define IOAPIC_DEST_LOGICAL	(1u << 11)
#define IOAPIC_DELIVERY_PENDING (1u << 12) /* read-only */
#define IOAPIC_REMOTE_IRR	(1u << 14) /* read-only: level interrupt in service */
#define IOAPIC_LEVEL		(1u << 15)
#define IOAPIC_MASKED		(1u << 16)
#define IOAPIC_DEST_SHIFT	56 /* destination APIC ID or logical set, bits 63:56 */

/* ISA IRQ -> pin, as the MADT's override and identity mapping say. */
#define IOAPIC_PIN_PIT	2
#define IOAPIC_PIN_COM1 4
#define IOAPIC_PIN_RTC	8

u32 ioapic_read(u32 reg);
void ioapic_write(u32 reg, u32 value);
u64 ioapic_rte_read(u32 pin);
/* Writes the high dword (destination) first, then the low one that may unmask. */
void ioapic_rte_write(u32 pin, u64 rte);
/* The entry for `vector` to APIC `dest`, physical, edge, unmasked, plus `flags`. */
u64 ioapic_rte(u8 vector, u8 dest, u32 flags);
