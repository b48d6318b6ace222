UNIT_TESTS += test_aml
test_aml_SRCS := devices/aml.c
