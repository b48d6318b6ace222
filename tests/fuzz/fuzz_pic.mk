FUZZ_TARGETS += fuzz_pic
fuzz_pic_SRCS := devices/bus.c devices/pic.c
