UNIT_TESTS += test_virtq_ring
test_virtq_ring_SRCS := devices/virtq.c devices/guest_mem.c
