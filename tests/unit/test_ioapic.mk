UNIT_TESTS += test_ioapic
test_ioapic_SRCS := devices/ioapic.c
