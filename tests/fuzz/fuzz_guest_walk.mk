FUZZ_TARGETS += fuzz_guest_walk
fuzz_guest_walk_SRCS := vmx/guest_walk.c
