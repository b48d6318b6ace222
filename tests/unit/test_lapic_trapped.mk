UNIT_TESTS += test_lapic_trapped
test_lapic_trapped_SRCS := devices/lapic.c devices/lapic_timer.c
