UNIT_TESTS += test_frame_alloc
test_frame_alloc_SRCS := kernel/frame_alloc.c
