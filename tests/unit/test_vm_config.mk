UNIT_TESTS += test_vm_config
test_vm_config_SRCS := kernel/vm_config.c kernel/format.c
