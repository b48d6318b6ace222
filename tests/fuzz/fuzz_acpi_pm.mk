FUZZ_TARGETS += fuzz_acpi_pm
fuzz_acpi_pm_SRCS := devices/bus.c devices/acpi_pm.c
