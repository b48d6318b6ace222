FUZZ_TARGETS += fuzz_apic_bus
fuzz_apic_bus_SRCS := devices/apic_bus.c devices/lapic.c devices/lapic_timer.c devices/bus.c
