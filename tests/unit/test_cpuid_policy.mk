UNIT_TESTS += test_cpuid_policy
test_cpuid_policy_SRCS := vmx/cpuid_policy.c vmx/cpuid_features.c vmx/xsave_policy.c
