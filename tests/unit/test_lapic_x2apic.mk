UNIT_TESTS += test_lapic_x2apic
test_lapic_x2apic_SRCS := devices/lapic.c devices/lapic_timer.c
