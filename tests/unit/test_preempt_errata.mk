UNIT_TESTS += test_preempt_errata
test_preempt_errata_SRCS := vmx/preempt_errata.c
