#include "devices/bus.h"

bool io_bus_register(struct io_bus *bus, uint16_t base, uint16_t count, io_handler_fn fn,
		     void *dev)
{
	uint32_t end = (uint32_t)base + count;
	if (count == 0 || end > 0x10000 || bus->nranges == IO_BUS_MAX_RANGES)
		return false;
	for (int i = 0; i < bus->nranges; i++) {
		const struct io_range *r = &bus->ranges[i];
		if (base < (uint32_t)r->base + r->count && r->base < end)
			return false;
	}
	bus->ranges[bus->nranges++] = (struct io_range){base, count, fn, dev};
	return true;
}

static bool io_range_has(const struct io_range *r, uint16_t port)
{
	return port >= r->base && port - r->base < r->count;
}

void io_bus_dispatch(struct io_bus *bus, struct io_access *a)
{
	const struct io_range *hit = &bus->ranges[bus->last_hit];
	if (bus->last_hit < bus->nranges && io_range_has(hit, a->port)) {
		hit->fn(hit->dev, a);
		return;
	}
	for (int i = 0; i < bus->nranges; i++) {
		const struct io_range *r = &bus->ranges[i];
		if (io_range_has(r, a->port)) {
			bus->last_hit = i;
			r->fn(r->dev, a);
			return;
		}
	}
	if (!a->write)
		a->value = a->size == 4 ? 0xffffffffu : (1u << (a->size * 8)) - 1;
}

bool mmio_bus_register(struct mmio_bus *bus, uint64_t base, uint64_t size, mmio_handler_fn fn,
		       void *dev)
{
	if (size == 0 || base + size < base || bus->nranges == MMIO_BUS_MAX_RANGES)
		return false;
	for (int i = 0; i < bus->nranges; i++) {
		const struct mmio_range *r = &bus->ranges[i];
		if (base < r->base + r->size && r->base < base + size)
			return false;
	}
	bus->ranges[bus->nranges++] = (struct mmio_range){base, size, fn, dev};
	return true;
}

const struct mmio_range *mmio_bus_find(const struct mmio_bus *bus, uint64_t gpa)
{
	for (int i = 0; i < bus->nranges; i++) {
		const struct mmio_range *r = &bus->ranges[i];
		if (gpa >= r->base && gpa - r->base < r->size)
			return r;
	}
	return 0;
}

bool mmio_bus_dispatch(const struct mmio_bus *bus, struct mmio_access *a)
{
	const struct mmio_range *r = mmio_bus_find(bus, a->gpa);
	/* Measured from the range's start: gpa + size could wrap past 2^64. */
	if (!r || a->size > r->size - (a->gpa - r->base))
		return false;
	r->fn(r->dev, a->gpa - r->base, a);
	return true;
}
