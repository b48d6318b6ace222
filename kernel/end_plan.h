/* What the machine does when a run ends (option end=): pure planning, host-tested; the steps
 * are carried out by kernel/end.c after VMXOFF on every CPU (INIT, which a reset sends, is
 * blocked in VMX root operation). The emulators' exit ports come first, and only under the
 * emulator that has them: on a real machine an unknown port may be anything. */
#pragma once
#include "drivers/acpi_host.h"
#include "kernel/options.h"

enum emulator { EMULATOR_NONE, EMULATOR_QEMU, EMULATOR_BOCHS };

enum end_step {
	END_STEP_QEMU_EXIT,	   /* isa-debug-exit, port 0xf4 */
	END_STEP_BOCHS_SHUTDOWN,   /* "Shutdown" to port 0x8900 */
	END_STEP_ACPI_RESET,	   /* the FADT reset register */
	END_STEP_CF9_RESET,	   /* the chipset's reset control register, port 0xcf9 */
	END_STEP_KBC_RESET,	   /* the keyboard controller's reset line, port 0x64 */
	END_STEP_ACPI_SLEEP_S5,	   /* SLP_TYP | SLP_EN into PM1a/PM1b control */
	END_STEP_SLEEP_CONTROL_S5, /* hardware-reduced ACPI: the sleep control register */
	END_STEP_HALT,		   /* interrupts off, HLT for ever */
};

#define END_MAX_STEPS 8

/* QEMU answers its fw_cfg signature ("QEMU" at port 0x511 after selecting key 0); Bochs'
 * BIOS names itself in the RSDP's OEM ID. Either may be NULL. */
enum emulator emulator_detect(const char fw_cfg_signature[4], const char rsdp_oem_id[6]);
/* The steps in order; the last is always END_STEP_HALT (for when the others do nothing). */
unsigned end_plan(enum end_action action, enum emulator emu, const struct acpi_platform *acpi,
		  enum end_step steps[END_MAX_STEPS]);
