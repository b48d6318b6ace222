FUZZ_TARGETS += fuzz_virtq
fuzz_virtq_SRCS := devices/virtq.c devices/guest_mem.c
