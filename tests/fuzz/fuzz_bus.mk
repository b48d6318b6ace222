FUZZ_TARGETS += fuzz_bus
fuzz_bus_SRCS := devices/bus.c
