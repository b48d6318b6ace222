UNIT_TESTS += test_ept
test_ept_SRCS := ept/ept.c
