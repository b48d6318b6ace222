UNIT_TESTS += test_msix
# apic_bus.c (with the APIC it needs) checks the messages decode as the hypervisor will.
test_msix_SRCS := devices/msix.c devices/pci.c devices/apic_bus.c devices/lapic.c \
		  devices/lapic_timer.c
