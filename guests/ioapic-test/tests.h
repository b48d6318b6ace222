/* The check groups of the I/O APIC test guest, in the order main() runs them, and the
 * interrupt counts they share. The 8259 is fully masked: every interrupt comes through the
 * I/O APIC. CPU 1 (an AP) is up and idles with interrupts on. */
#pragma once
#include "guests/lib/types.h"

#define VEC_PIN0  0x60 /* pin 0: nothing may arrive there (IRQ0 is on pin 2) */
#define VEC_PIT	  0x62
#define VEC_COM1  0x64
#define VEC_RTC	  0x68
#define CPUS	  2
#define SETTLE_MS 5

/* Interrupts taken per vector and CPU by the counting handler (which EOIs). */
extern volatile u32 got[256][CPUS];
extern volatile u32 nmis[CPUS];
/* Zero counts; every interrupt counts from now on. */
void counts_reset(void);
u32 count_on(u8 vector, u32 cpu);
u32 count_all(u8 vector);
/* Interrupts on for ms milliseconds on the BSP. */
void let_interrupts_in(u32 ms);
/* Counts from zero the interrupts any CPU takes in the next ms milliseconds, and only
 * those (until the next counts_reset). */
void count_window(u32 ms);

void test_registers(void);
void test_pit(void);
void test_com1(void);
void test_rtc(void);
/* The 8259 vectors taken in the whole run: must be none. */
u32 pic_vectors_taken(void);
