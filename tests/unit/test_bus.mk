UNIT_TESTS += test_bus
test_bus_SRCS := devices/bus.c
