UNIT_TESTS += test_sched_policy_wake
test_sched_policy_wake_SRCS := sched/policy.c tests/unit/sched_sim.c
