/* The check groups of the local APIC test guest (one vCPU), in the order main() runs them,
 * and the interrupt log they share. */
#pragma once
#include "guests/lib/types.h"

#define SPURIOUS_VECTOR 0xff
#define ERROR_VECTOR	0xfe
#define TIMER_VECTOR	0xe0
#define LOG_MAX		32

/* What the logging handler saw, one entry per interrupt. */
struct intr_event {
	u8 vector;
	u64 tsc; /* at handler entry */
};
extern volatile struct intr_event intr_log[LOG_MAX];
extern volatile u32 intr_count; /* may exceed LOG_MAX; only the first LOG_MAX are kept */
extern volatile u32 nmi_count;

/* Every vector from 0x20 up goes to the logging handler, which EOIs it. */
void intr_log_reset(void);
u32 intr_count_of(u8 vector);
/* Interrupts on for ms milliseconds, then off again. */
void let_interrupts_in(u32 ms);
/* Self-IPI of `vector` through the ICR's SELF shorthand (fixed, edge). */
void self_ipi(u8 vector);
/* The TSC ticks `count` timer ticks take at divide 1. */
u64 tsc_for_ticks(u32 count);
/* Whether `got` lies within +-20% of `want` TSC ticks. */
bool within_20_percent(u64 got, u64 want);

void test_xapic_registers(void);
void test_xapic_interrupts(void);
void test_timer(void);
void test_cr8(void);
void test_base_relocation(void);
void test_x2apic(void);
