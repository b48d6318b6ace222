UNIT_TESTS += test_acpi_tables
test_acpi_tables_SRCS := devices/acpi_tables.c devices/aml.c tests/unit/aml_walk.c
