UNIT_TESTS += test_i8042_aux
test_i8042_aux_SRCS := devices/i8042.c
