UNIT_TESTS += test_guest_ram
test_guest_ram_SRCS := ept/ept.c ept/guest_ram.c
