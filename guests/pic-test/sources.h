/* Three devices that raise an IRQ on demand, one edge each: PIT channel 0 in mode 0 (IRQ0),
 * the UART's THR-empty interrupt (IRQ4) and the RTC periodic interrupt (IRQ8). */
#pragma once
#include "guests/lib/types.h"

#define RTC_IRQ 8

void source_raise(u8 irq);
/* Drops the device's request, so no further edge comes; nothing for the one-shot PIT. */
void source_silence(u8 irq);
