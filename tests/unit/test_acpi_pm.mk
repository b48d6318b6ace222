UNIT_TESTS += test_acpi_pm
test_acpi_pm_SRCS := devices/acpi_pm.c
