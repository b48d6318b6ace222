FUZZ_TARGETS += fuzz_lapic
fuzz_lapic_SRCS := devices/lapic.c devices/lapic_timer.c devices/bus.c
