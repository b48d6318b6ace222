UNIT_TESTS += test_acpi_madt
test_acpi_madt_SRCS := drivers/acpi_sdt.c drivers/acpi_madt.c devices/acpi_tables.c devices/aml.c kernel/format.c
