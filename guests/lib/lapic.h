/* The local APIC in xAPIC mode at its default base, as the guests need it to take MSI-X
 * messages: software-enabled, EOI after each interrupt, and a count of interrupts per vector. */
#pragma once
#include "guests/lib/types.h"

#define LAPIC_BASE	   0xfee00000u /* SDM Vol. 3 10.4.1: default APIC base */
#define LAPIC_ID	   0x020       /* xAPIC ID in bits 31:24 */
#define LAPIC_EOI	   0x0b0       /* write 0: end of interrupt */
#define LAPIC_SVR	   0x0f0       /* spurious-interrupt vector register */
#define LAPIC_SVR_ENABLE   (1u << 8)   /* APIC software enable */
#define LAPIC_SPURIOUS_VEC 0xff	       /* low 4 bits must be 1 on older APICs */

/* MSI message address (SDM Vol. 3 10.11.1): 0xfee in bits 31:20, destination ID in 19:12,
 * physical destination mode and no redirection hint when bits 3:2 are 0. */
#define MSI_ADDR_BASE	     0xfee00000u
#define MSI_ADDR_DEST_SHIFT  12
#define MSI_DATA_VECTOR_MASK 0xffu /* fixed delivery, edge trigger: the vector alone */

/* Software-enables the APIC with a spurious vector that is ignored when it comes. */
void lapic_enable(void);
u8 lapic_id(void);
void lapic_eoi(void);
/* MSI address that targets this CPU's APIC. */
u32 lapic_msi_address(void);
/* Counts every interrupt on `vector` in lapic_irq_count[vector], with an EOI for each. */
void lapic_count_vector(u8 vector);
extern volatile u32 lapic_irq_count[256];
