FUZZ_TARGETS += fuzz_acpi_tables
fuzz_acpi_tables_SRCS := devices/acpi_tables.c devices/aml.c tests/unit/aml_walk.c
