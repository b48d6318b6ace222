UNIT_TESTS += test_end_plan
test_end_plan_SRCS := kernel/end_plan.c
