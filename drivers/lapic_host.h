/* The hypervisor's own local APIC (the CPU's, not a guest's): xAPIC MMIO or x2APIC MSRs,
 * whichever mode the firmware left it in. Used to start the other CPUs and to send them
 * IPIs. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

/* On the BSP, once: finds the mode and maps the MMIO page uncached. */
void lapic_host_init(void);
/* This CPU's APIC ID. */
uint32_t lapic_host_id(void);
bool lapic_host_x2apic(void);
/* INIT (assert, then de-assert) and STARTUP with the 4 KiB page number `vector`. */
void lapic_host_send_init(uint32_t apic_id);
void lapic_host_send_startup(uint32_t apic_id, uint8_t vector);
/* A fixed, edge-triggered interrupt to one CPU. */
void lapic_host_send_ipi(uint32_t apic_id, uint8_t vector);
/* An NMI to one CPU: reaches it even with interrupts off or halted. */
void lapic_host_send_nmi(uint32_t apic_id);
/* Turns the APIC on (software enable) on this CPU, with a spurious vector. */
void lapic_host_enable(uint8_t spurious_vector);
void lapic_host_eoi(void);
/* This CPU's APIC timer as a one-shot alarm on `vector` (the slice timer where the
 * VMX-preemption timer cannot be used): TSC-deadline mode where the CPU has it, else
 * one-shot counts measured against the TSC. Needs tsc_hz. */
void lapic_host_timer_init(uint8_t vector, uint8_t spurious_vector);
/* Fires once the TSC reaches `tsc` (at once if it has). */
void lapic_host_timer_arm(uint64_t tsc);
/* Disarms it. */
void lapic_host_timer_stop(void);
bool lapic_host_timer_tsc_deadline(void);
