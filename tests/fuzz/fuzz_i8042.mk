FUZZ_TARGETS += fuzz_i8042
fuzz_i8042_SRCS := devices/bus.c devices/i8042.c
