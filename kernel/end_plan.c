#include "kernel/end_plan.h"
#include "kernel/kstring.h"

enum emulator emulator_detect(const char fw_cfg_signature[4], const char rsdp_oem_id[6])
{
	if (fw_cfg_signature && !memcmp(fw_cfg_signature, "QEMU", 4))
		return EMULATOR_QEMU;
	if (rsdp_oem_id && !memcmp(rsdp_oem_id, "BOCHS ", 6))
		return EMULATOR_BOCHS;
	return EMULATOR_NONE;
}

static bool reg_usable(const struct acpi_reg *r)
{
	return r->addr && (r->space == ACPI_SPACE_IO || r->space == ACPI_SPACE_MEMORY);
}

unsigned end_plan(enum end_action action, enum emulator emu, const struct acpi_platform *acpi,
		  enum end_step steps[END_MAX_STEPS])
{
	unsigned n = 0;
	if (emu == EMULATOR_QEMU)
		steps[n++] = END_STEP_QEMU_EXIT;
	if (emu == EMULATOR_BOCHS)
		steps[n++] = END_STEP_BOCHS_SHUTDOWN;
	switch (action) {
	case END_REBOOT:
		if (acpi->reset_supported && reg_usable(&acpi->reset_reg))
			steps[n++] = END_STEP_ACPI_RESET;
		steps[n++] = END_STEP_CF9_RESET;
		steps[n++] = END_STEP_KBC_RESET;
		break;
	case END_POWEROFF:
		if (!acpi->have_s5)
			break;
		if (acpi->hw_reduced && reg_usable(&acpi->sleep_control))
			steps[n++] = END_STEP_SLEEP_CONTROL_S5;
		else if (!acpi->hw_reduced && reg_usable(&acpi->pm1a_cnt))
			steps[n++] = END_STEP_ACPI_SLEEP_S5;
		break;
	case END_HALT:
		break;
	}
	steps[n++] = END_STEP_HALT;
	return n;
}
