UNIT_TESTS += test_acpi_host
test_acpi_host_SRCS := drivers/acpi_sdt.c drivers/acpi_host.c devices/acpi_tables.c devices/aml.c kernel/format.c
