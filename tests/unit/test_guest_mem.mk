UNIT_TESTS += test_guest_mem
test_guest_mem_SRCS := vmx/guest_mem.c vmx/guest_walk.c
