UNIT_TESTS += test_pit_latch
test_pit_latch_SRCS := devices/pit.c
