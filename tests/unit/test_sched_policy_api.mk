UNIT_TESTS += test_sched_policy_api
test_sched_policy_api_SRCS := sched/policy.c
