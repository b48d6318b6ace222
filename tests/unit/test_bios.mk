UNIT_TESTS += test_bios
test_bios_SRCS := kernel/bios.c kernel/bios_post.c kernel/loader_segments.c kernel/loader.c \
	kernel/loader_elf.c kernel/loader_longmode.c kernel/loader_mb1.c kernel/loader_flat.c \
	kernel/loader_linux.c kernel/vm_config.c kernel/format.c devices/pic.c devices/pit.c
