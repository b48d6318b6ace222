FUZZ_TARGETS += fuzz_rtc
fuzz_rtc_SRCS := devices/bus.c devices/rtc.c
