FUZZ_TARGETS += fuzz_options
fuzz_options_SRCS := kernel/options.c
