UNIT_TESTS += test_pic
test_pic_SRCS := devices/pic.c
