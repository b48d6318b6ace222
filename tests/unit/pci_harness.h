/* Shared by the PCI and MSI-X unit tests: guest-side accesses through configuration
 * mechanism #1 and through the bus's MMIO and I/O routing, as the hypervisor would make them. */
#pragma once
#include "devices/pci.h"
#include "tests/unit/check.h"

#define MEM_BASE  0xc0000000ull /* the platform's window (kernel/vm_devices.h) */
#define MEM_LIMIT 0xfeafffffull
#define IO_BASE	  0xc000u
#define IO_LIMIT  0xffffu

#define POISON 0x5a5a5a5a5a5a5a5aull /* what a read that sets nothing leaves behind */

static inline uint32_t port_rw(struct pci_bus *bus, uint16_t port, uint8_t size, bool write,
			       uint32_t value)
{
	struct io_access a = {
	    .port = port, .size = size, .write = write, .value = write ? value : (uint32_t)POISON};
	pci_conf1_io(bus, &a);
	return a.value;
}

static inline uint32_t conf1_address(unsigned bus_nr, unsigned slot, unsigned fn, unsigned off)
{
	return 0x80000000u | bus_nr << 16 | slot << 11 | fn << 8 | (off & 0xfc);
}

static inline uint32_t cfg_read(struct pci_bus *bus, unsigned slot, unsigned off, uint8_t size)
{
	port_rw(bus, 0xcf8, 4, true, conf1_address(0, slot, 0, off));
	return port_rw(bus, (uint16_t)(0xcfc + (off & 3)), size, false, 0);
}

static inline void cfg_write(struct pci_bus *bus, unsigned slot, unsigned off, uint8_t size,
			     uint32_t value)
{
	port_rw(bus, 0xcf8, 4, true, conf1_address(0, slot, 0, off));
	port_rw(bus, (uint16_t)(0xcfc + (off & 3)), size, true, value);
}

/* An access at a guest-physical address in the window, through the window handler. */
static inline uint64_t mem_rw(struct pci_bus *bus, uint64_t gpa, uint8_t size, bool write,
			      uint64_t value)
{
	struct mmio_access a = {
	    .gpa = gpa, .size = size, .write = write, .value = write ? value : POISON};
	pci_mmio_window(bus, gpa - MEM_BASE, &a);
	return a.value;
}
