FUZZ_TARGETS += fuzz_pit
fuzz_pit_SRCS := devices/bus.c devices/pit.c
