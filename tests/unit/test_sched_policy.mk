UNIT_TESTS += test_sched_policy
test_sched_policy_SRCS := sched/policy.c tests/unit/sched_sim.c
