UNIT_TESTS += test_pci
test_pci_SRCS := devices/pci.c
