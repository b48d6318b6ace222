UNIT_TESTS += test_i8042
test_i8042_SRCS := devices/i8042.c
