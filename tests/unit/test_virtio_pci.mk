UNIT_TESTS += test_virtio_pci
test_virtio_pci_SRCS := devices/virtio_pci.c devices/msix.c devices/pci.c devices/virtio_rng.c \
			devices/virtio_blk.c devices/virtio.c devices/virtq.c devices/guest_mem.c
