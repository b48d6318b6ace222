UNIT_TESTS += test_virtio_blk
test_virtio_blk_SRCS := devices/virtio_blk.c devices/virtio.c devices/virtq.c devices/guest_mem.c
