UNIT_TESTS += test_virtio_rng
test_virtio_rng_SRCS := devices/virtio_rng.c devices/virtio.c devices/virtq.c devices/guest_mem.c
