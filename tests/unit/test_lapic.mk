UNIT_TESTS += test_lapic
test_lapic_SRCS := devices/lapic.c devices/lapic_timer.c
