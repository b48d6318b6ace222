UNIT_TESTS += test_spec_policy
test_spec_policy_SRCS := vmx/spec_policy.c
