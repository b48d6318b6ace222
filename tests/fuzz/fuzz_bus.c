/* The port and MMIO buses: random registrations, then random accesses. A handler only sees
 * an access that starts inside its range (and, for MMIO, ends inside it); an unclaimed
 * port reads all-ones of the access width. */
#include "tests/fuzz/fuzz_dev.h"

static struct io_bus io;
static struct mmio_bus mmio;
static bool io_called, mmio_called;

static void io_handler(void *dev, struct io_access *a)
{
	const struct io_range *r = dev;
	FUZZ_CHECK(a->port >= r->base && a->port - r->base < r->count);
	io_called = true;
}

static void mmio_handler(void *dev, uint64_t offset, struct mmio_access *a)
{
	const struct mmio_range *r = dev;
	FUZZ_CHECK(offset < r->size && a->size <= r->size - offset && a->gpa == r->base + offset);
	mmio_called = true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = fuzz_input(data, size);
	static struct io_range io_ranges[IO_BUS_MAX_RANGES + 1];
	static struct mmio_range mmio_ranges[MMIO_BUS_MAX_RANGES + 1];
	memset(&io, 0, sizeof io);
	memset(&mmio, 0, sizeof mmio);
	while (fuzz_more(&in)) {
		switch (fuzz_below(&in, 4)) {
		case 0: {
			int n = io.nranges;
			struct io_range *r =
			    &io_ranges[n < IO_BUS_MAX_RANGES ? n : IO_BUS_MAX_RANGES];
			r->base = fuzz_u16(&in);
			r->count = fuzz_u16(&in);
			bool ok = io_bus_register(&io, r->base, r->count, io_handler, r);
			FUZZ_CHECK(io.nranges == n + ok && io.nranges <= IO_BUS_MAX_RANGES);
			FUZZ_CHECK(!ok || (r->count && (uint32_t)r->base + r->count <= 0x10000));
			break;
		}
		case 1: {
			int n = mmio.nranges;
			struct mmio_range *r =
			    &mmio_ranges[n < MMIO_BUS_MAX_RANGES ? n : MMIO_BUS_MAX_RANGES];
			r->base = fuzz_bool(&in) ? fuzz_u64(&in) : fuzz_u32(&in);
			r->size = fuzz_bool(&in) ? fuzz_u64(&in) : fuzz_u16(&in);
			bool ok = mmio_bus_register(&mmio, r->base, r->size, mmio_handler, r);
			FUZZ_CHECK(mmio.nranges == n + ok && mmio.nranges <= MMIO_BUS_MAX_RANGES);
			break;
		}
		case 2: {
			struct io_access a = {.port = fuzz_u16(&in),
					      .size = fuzz_width(&in, 4),
					      .write = fuzz_bool(&in),
					      .value = 0x5a5a5a5a};
			io_called = false;
			io_bus_dispatch(&io, &a);
			if (!io_called && !a.write)
				FUZZ_CHECK(a.value == fuzz_mask(a.size));
			break;
		}
		default: {
			struct mmio_access a = {.gpa =
						    fuzz_bool(&in) ? fuzz_u64(&in) : fuzz_u32(&in),
						.size = fuzz_width(&in, 8),
						.write = fuzz_bool(&in)};
			mmio_called = false;
			bool claimed = mmio_bus_dispatch(&mmio, &a);
			FUZZ_CHECK(claimed == mmio_called);
			break;
		}
		}
	}
	return 0;
}
