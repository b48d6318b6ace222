UNIT_TESTS += test_lapic_timer
test_lapic_timer_SRCS := devices/lapic.c devices/lapic_timer.c
