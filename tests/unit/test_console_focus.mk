UNIT_TESTS += test_console_focus
test_console_focus_SRCS := kernel/console_focus.c
