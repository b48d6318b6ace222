/* Ending the run on the machine: every CPU leaves VMX operation, then the steps of
 * kernel/end_plan.h run (the emulator's exit port, then halt, reboot or power-off). */
#pragma once
#include "drivers/acpi_host.h"
#include <stdbool.h>
#include <stdnoreturn.h>

/* After the ACPI tables are read: detects an emulator (fw_cfg, RSDP OEM ID). `nmi` sends an
 * NMI to a CPU (the host LAPIC driver's): passed in, so that the end of the run, which
 * panics and failed checks everywhere reach, depends on no driver. */
void end_init(const struct acpi_platform *acpi, const void *rsdp, void (*nmi)(uint32_t apic_id));
/* Stops the other CPUs (an NMI each: they leave VMX operation and halt), leaves VMX
 * operation here and carries out the plan; `status` goes to the emulator's exit port. */
noreturn void end_machine(int status);
/* From the NMI handler: when the run is ending, this CPU parks for good (never returns). */
void end_nmi_check(void);
