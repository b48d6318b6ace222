UNIT_TESTS += test_virtio_net
test_virtio_net_SRCS := devices/virtio_net.c devices/eth_switch.c devices/virtio.c \
	devices/virtq.c devices/guest_mem.c
