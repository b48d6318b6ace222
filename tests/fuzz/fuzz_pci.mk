FUZZ_TARGETS += fuzz_pci
fuzz_pci_SRCS := devices/pci.c devices/msix.c
