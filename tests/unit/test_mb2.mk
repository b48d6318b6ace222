UNIT_TESTS += test_mb2
test_mb2_SRCS := kernel/mb2.c
