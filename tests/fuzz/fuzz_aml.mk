FUZZ_TARGETS += fuzz_aml
fuzz_aml_SRCS := devices/aml.c
