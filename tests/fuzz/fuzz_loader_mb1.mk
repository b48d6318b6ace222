FUZZ_TARGETS += fuzz_loader_mb1
fuzz_loader_mb1_SRCS := kernel/loader.c kernel/loader_segments.c kernel/loader_elf.c \
	kernel/loader_longmode.c kernel/loader_mb1.c kernel/loader_flat.c kernel/loader_linux.c \
	kernel/bios.c kernel/vm_config.c kernel/format.c
