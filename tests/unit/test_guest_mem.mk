UNIT_TESTS += test_guest_mem
test_guest_mem_SRCS := devices/guest_mem.c
