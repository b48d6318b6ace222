UNIT_TESTS += test_guest_vmem
test_guest_vmem_SRCS := vmx/guest_vmem.c vmx/guest_walk.c
