UNIT_TESTS += test_virtio
test_virtio_SRCS := devices/virtio.c devices/virtq.c devices/guest_mem.c
