UNIT_TESTS += test_pit
test_pit_SRCS := devices/pit.c
