FUZZ_TARGETS += fuzz_ioapic
fuzz_ioapic_SRCS := devices/ioapic.c devices/bus.c
