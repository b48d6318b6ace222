UNIT_TESTS += test_format
test_format_SRCS := kernel/format.c
