/* What lapic.c and lapic_timer.c share; not for other users of the local APIC model. */
#pragma once
#include "devices/lapic.h"
#include <stdbool.h>
#include <stdint.h>

#define APIC_DCR_WRITABLE 0x0bu /* divide configuration: bits 0, 1 and 3 */

static inline void lapic_set_reg(struct lapic *l, uint32_t offset, uint32_t value)
{
	l->regs[offset / 4] = value;
}

/* Raises the interrupt of the LVT entry at `lvt_offset` unless it is masked; an illegal
 * vector raises the error interrupt instead. True when a vector reached the IRR. */
bool lapic_raise_lvt(struct lapic *l, uint32_t lvt_offset);

/* Timer (lapic_timer.c). */
void lapic_timer_reset(struct lapic *l);
uint32_t lapic_timer_current_count(const struct lapic *l, uint64_t now);
void lapic_timer_write_icr(struct lapic *l, uint32_t count, uint64_t now);
void lapic_timer_write_dcr(struct lapic *l, uint32_t value, uint64_t now);
/* The LVT timer's mode field became `mode` (APIC_LVT_TIMER_ONESHOT/PERIODIC/TSCDL). */
void lapic_timer_set_mode(struct lapic *l, uint32_t mode, uint64_t now);
