UNIT_TESTS += test_vmx_caps
test_vmx_caps_SRCS := vmx/vmx_caps.c vmx/exit_reason.c
