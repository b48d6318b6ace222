UNIT_TESTS += test_virtio_console
test_virtio_console_SRCS := devices/virtio_console.c devices/virtio.c devices/virtq.c \
	devices/guest_mem.c
