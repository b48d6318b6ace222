UNIT_TESTS += test_options
test_options_SRCS := kernel/options.c
