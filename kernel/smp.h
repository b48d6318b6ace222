/* Bringing up the machine's other CPUs: found in the ACPI MADT, started one at a time with
 * INIT-SIPI-SIPI through boot/ap_trampoline.S, each with its own stack, GDT, TSS and IST
 * stacks. The hypervisor option cpus=N limits how many are used. */
#pragma once
#include "kernel/mb2.h"
#include <stdint.h>

/* On the BSP, after memory and the TSC are set up. `mbi_phys`/`mbi_size` locate the boot
 * information, which the trampoline page must not overwrite. */
void smp_init(const struct mb2_info *mb, uint64_t mbi_phys, uint64_t mbi_size);
/* What an AP runs once the hypervisor's work for APs is set (scheduler); until then an
 * AP halts. */
_Noreturn void ap_main(unsigned cpu);
