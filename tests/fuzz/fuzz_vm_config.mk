FUZZ_TARGETS += fuzz_vm_config
fuzz_vm_config_SRCS := kernel/vm_config.c kernel/format.c
