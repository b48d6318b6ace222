FUZZ_TARGETS += fuzz_mb2
fuzz_mb2_SRCS := kernel/mb2.c
