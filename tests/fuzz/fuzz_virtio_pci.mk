FUZZ_TARGETS += fuzz_virtio_pci
fuzz_virtio_pci_SRCS := devices/virtio_pci.c devices/msix.c devices/pci.c devices/virtio_blk.c \
			devices/virtio_net.c devices/virtio_console.c devices/virtio_rng.c \
			devices/virtio.c devices/virtq.c devices/guest_mem.c devices/eth_switch.c
