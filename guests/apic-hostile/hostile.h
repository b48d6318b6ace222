/* The abuses of the hostile APIC guest, in the order main() commits them. Each returns
 * with the local APIC back in xAPIC mode at the default base, software-enabled, and
 * interrupts off. */
#pragma once
#include "guests/lib/types.h"

#define STORM_TAKES 100 /* interrupts a storm's handler takes before it silences the source */

extern volatile u32 interrupts, nmis;
/* A xorshift sequence: junk values, the same in every run. */
u32 junk(void);

void abuse_apic_base(void);
void abuse_x2apic_msrs(void);
void abuse_icr(void);
void abuse_apic_page(void);
void abuse_timer(void);
void abuse_ioapic(void);
void storm_from_pit(void);
void storm_init_sipi(void);
