/* Port-I/O and MMIO buses: devices register address ranges; exits are routed here.
 * Unclaimed ports read all-ones and ignore writes, as on a PC's ISA bus. An unclaimed
 * MMIO address is not silently absorbed: mmio_bus_dispatch() says so and the caller
 * stops the VM. */
#pragma once
#include "devices/access.h"
#include <stdbool.h>
#include <stdint.h>

#define IO_BUS_MAX_RANGES   32
#define MMIO_BUS_MAX_RANGES 16

typedef void (*io_handler_fn)(void *dev, struct io_access *a);
typedef void (*mmio_handler_fn)(void *dev, uint64_t offset, struct mmio_access *a);

struct io_range {
	uint16_t base;
	uint16_t count;
	io_handler_fn fn;
	void *dev;
};

struct io_bus {
	struct io_range ranges[IO_BUS_MAX_RANGES];
	int nranges;
	int last_hit; /* index of the range that took the last access: guests poll one port */
};

struct mmio_range {
	uint64_t base;
	uint64_t size;
	mmio_handler_fn fn;
	void *dev;
};

struct mmio_bus {
	struct mmio_range ranges[MMIO_BUS_MAX_RANGES];
	int nranges;
};

/* Registration fails (returns false) on overlap with an existing range or when full. */
bool io_bus_register(struct io_bus *bus, uint16_t base, uint16_t count, io_handler_fn fn,
		     void *dev);
void io_bus_dispatch(struct io_bus *bus, struct io_access *a);

bool mmio_bus_register(struct mmio_bus *bus, uint64_t base, uint64_t size, mmio_handler_fn fn,
		       void *dev);
const struct mmio_range *mmio_bus_find(const struct mmio_bus *bus, uint64_t gpa);
/* Returns false when no device claims the whole access. */
bool mmio_bus_dispatch(const struct mmio_bus *bus, struct mmio_access *a);
