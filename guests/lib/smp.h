/* Several CPUs in one test guest: the APs are started with INIT-SIPI-SIPI through a
 * real-mode trampoline (smp_trampoline.S) that the BSP copies to SMP_TRAMPOLINE, each gets
 * its own stack and then waits, interrupts on, for work posted by smp_call(). APIC IDs are
 * the CPU numbers (mhv's vCPU index; the CPU count comes from fw_cfg). */
#pragma once

#define SMP_MAX_CPUS 8
/* The APs' first instruction, a page below 640 KiB that no Multiboot image or boot
 * information uses (mhv puts the information in the lowest free pages from 0x1000, and
 * these guests load at 1 MiB). SIPI vector = page number. */
#define SMP_TRAMPOLINE	  0x8000
#define SMP_SIPI_VECTOR	  (SMP_TRAMPOLINE >> 12)
#define SMP_AP_STACK_SIZE 8192
#define SMP_WAIT_MS	  2000 /* for an AP to start or finish a call; it only has to be run */

#ifndef __ASSEMBLY__
#include "guests/lib/types.h"

typedef void (*smp_fn)(void *arg);

struct smp_cpu {
	volatile u32 starts;	    /* times the AP came through the trampoline */
	volatile u32 cpuid_apic_id; /* CPUID.1:EBX[31:24] as the AP saw it at its last start */
	volatile u32 lapic_id;	    /* its local APIC's ID register at that start */
	volatile smp_fn fn;	    /* posted work; NULL when idle */
	void *volatile arg;
	volatile u32 calls_done;
};
extern struct smp_cpu smp_cpus[SMP_MAX_CPUS];
/* AP n's stack: bytes [n, n + 1) x SMP_AP_STACK_SIZE (CPU 0, the BSP, leaves its part unused). */
extern u8 smp_ap_stacks[SMP_MAX_CPUS * SMP_AP_STACK_SIZE];

/* Copies the trampoline, locks printf and calibrates the TSC for timeouts. BSP only. */
void smp_init(void);
/* vCPUs in the VM, from fw_cfg key 0x05 (QEMU's FW_CFG_NB_CPUS). */
u32 smp_fw_cfg_cpus(void);
/* The running CPU's number: its initial APIC ID from CPUID.1:EBX[31:24]. */
u32 smp_this_cpu(void);

void smp_send_init(u32 apic_id);
void smp_send_sipi(u32 apic_id, u8 vector);
/* INIT, INIT de-assert, SIPI, SIPI to `apic_id`, then waits for its start; false if it did
 * not come up within SMP_WAIT_MS. */
bool smp_start_ap(u32 apic_id);
/* Waits until the AP's start count exceeds `starts_before`. */
bool smp_wait_started(u32 cpu, u32 starts_before, u32 ms);

/* Runs fn(arg) on `cpu` (an AP that is up) and waits for it; false on timeout. */
bool smp_call(u32 cpu, smp_fn fn, void *arg);
/* The same without waiting; smp_wait() waits for the call to finish. */
void smp_call_async(u32 cpu, smp_fn fn, void *arg);
bool smp_wait(u32 cpu);
#endif
