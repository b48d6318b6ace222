/* The end-of-run choices: emulator detection, and the steps for halt, reboot and power-off
 * on platforms with and without the ACPI registers they need. */
#include "kernel/end_plan.h"
#include "tests/unit/check.h"

static enum end_step steps[END_MAX_STEPS];

TEST(emulators_detected_only_by_their_own_signs)
{
	CHECK_EQ(emulator_detect("QEMU", "BOCHS "), EMULATOR_QEMU);
	CHECK_EQ(emulator_detect("\xff\xff\xff\xff", "BOCHS "), EMULATOR_BOCHS);
	CHECK_EQ(emulator_detect("\xff\xff\xff\xff", "DELL  "), EMULATOR_NONE);
	CHECK_EQ(emulator_detect(0, 0), EMULATOR_NONE);
}

TEST(halt_on_a_real_machine_writes_no_port)
{
	struct acpi_platform a = {0};
	CHECK_EQ(end_plan(END_HALT, EMULATOR_NONE, &a, steps), 1);
	CHECK_EQ(steps[0], END_STEP_HALT);
}

TEST(emulator_exit_first)
{
	struct acpi_platform a = {0};
	CHECK_EQ(end_plan(END_HALT, EMULATOR_QEMU, &a, steps), 2);
	CHECK_EQ(steps[0], END_STEP_QEMU_EXIT);
	CHECK_EQ(end_plan(END_REBOOT, EMULATOR_BOCHS, &a, steps), 4);
	CHECK_EQ(steps[0], END_STEP_BOCHS_SHUTDOWN);
	CHECK_EQ(steps[1], END_STEP_CF9_RESET);
}

TEST(reboot_prefers_the_acpi_reset_register)
{
	struct acpi_platform a = {.reset_supported = true,
				  .reset_reg = {ACPI_SPACE_IO, 8, 0xcf9},
				  .reset_value = 6};
	CHECK_EQ(end_plan(END_REBOOT, EMULATOR_NONE, &a, steps), 4);
	CHECK_EQ(steps[0], END_STEP_ACPI_RESET);
	CHECK_EQ(steps[1], END_STEP_CF9_RESET);
	CHECK_EQ(steps[2], END_STEP_KBC_RESET);
	CHECK_EQ(steps[3], END_STEP_HALT);
	a.reset_reg.space = 2; /* PCI configuration space: not written */
	CHECK_EQ(end_plan(END_REBOOT, EMULATOR_NONE, &a, steps), 3);
	CHECK_EQ(steps[0], END_STEP_CF9_RESET);
}

TEST(poweroff_needs_s5_and_a_register)
{
	struct acpi_platform a = {.have_s5 = true, .pm1a_cnt = {ACPI_SPACE_IO, 16, 0x404}};
	CHECK_EQ(end_plan(END_POWEROFF, EMULATOR_NONE, &a, steps), 2);
	CHECK_EQ(steps[0], END_STEP_ACPI_SLEEP_S5);
	a.hw_reduced = true; /* no PM1 block there: the sleep control register */
	CHECK_EQ(end_plan(END_POWEROFF, EMULATOR_NONE, &a, steps), 1);
	a.sleep_control = (struct acpi_reg){ACPI_SPACE_IO, 8, 0x600};
	CHECK_EQ(end_plan(END_POWEROFF, EMULATOR_NONE, &a, steps), 2);
	CHECK_EQ(steps[0], END_STEP_SLEEP_CONTROL_S5);
	a.have_s5 = false;
	CHECK_EQ(end_plan(END_POWEROFF, EMULATOR_NONE, &a, steps), 1);
	CHECK_EQ(steps[0], END_STEP_HALT);
}

CHECK_MAIN("end_plan", CASE(emulators_detected_only_by_their_own_signs),
	   CASE(halt_on_a_real_machine_writes_no_port), CASE(emulator_exit_first),
	   CASE(reboot_prefers_the_acpi_reset_register), CASE(poweroff_needs_s5_and_a_register))
