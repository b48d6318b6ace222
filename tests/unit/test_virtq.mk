UNIT_TESTS += test_virtq
test_virtq_SRCS := devices/virtq.c devices/guest_mem.c
