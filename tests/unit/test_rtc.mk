UNIT_TESTS += test_rtc
test_rtc_SRCS := devices/rtc.c
