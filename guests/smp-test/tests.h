/* The check groups of the SMP test guest, in the order main() runs them. Every group runs
 * with all `ncpus` CPUs up (APs idle in smp_ap_main, interrupts on). */
#pragma once
#include "guests/lib/types.h"

#define IPI_VECTOR_BASE 0x50 /* fixed IPIs carry 0x50 + the sender's APIC ID */
#define LOWEST_VECTOR	0x70
#define PROBE_VECTOR	0x71 /* sent to an AP that must not take it */

/* IPIs counted by receiver and sender; NMIs by receiver. */
extern volatile u32 ipi_got[8][8];
extern volatile u32 nmi_got[8];
extern volatile u32 lowest_got[8];
void ipi_counts_reset(void);
/* Waits (interrupts on) until `total` fixed IPIs arrived or SMP_WAIT_MS passed. */
u32 ipi_wait_total(u32 total);

/* ncpus CPUs, all started: runs fn(arg) on each in turn, the BSP (CPU 0) itself. */
bool on_each_cpu(u32 ncpus, void (*fn)(void *), void *arg);

void test_bringup(u32 ncpus, u32 expected);
void test_ipis(u32 ncpus);
void test_restart(u32 ncpus);
void test_wakeups(u32 ncpus);
void test_x2apic_ipis(u32 ncpus);
/* Checks the ACPI tables; returns the PM1 sleep control port (0 if not found). */
u16 test_acpi(u32 ncpus);
