UNIT_TESTS += test_intr_decide
test_intr_decide_SRCS := vmx/intr_decide.c
