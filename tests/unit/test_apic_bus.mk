UNIT_TESTS += test_apic_bus
test_apic_bus_SRCS := devices/apic_bus.c devices/lapic.c devices/lapic_timer.c
