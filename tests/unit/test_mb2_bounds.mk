UNIT_TESTS += test_mb2_bounds
test_mb2_bounds_SRCS := kernel/mb2.c
