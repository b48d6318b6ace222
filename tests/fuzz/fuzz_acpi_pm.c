/* The ACPI PM block: port accesses and TSC steps at a random TSC rate. The PM timer must
 * read (elapsed TSC x 3579545 / tsc_hz) mod 2^32, give or take the one count the
 * fixed-point rate may round by. */
#include "devices/acpi_pm.h"
#include "tests/fuzz/fuzz_dev.h"

struct ctx {
	struct fuzz_clock clock;
	unsigned power_offs, resets;
};

static void power_off(void *c)
{
	((struct ctx *)c)->power_offs++;
}

static void reset(void *c)
{
	((struct ctx *)c)->resets++;
}

static uint64_t now(void *c)
{
	return ((struct ctx *)c)->clock.now;
}

static const struct acpi_pm_ops ops = {power_off, reset, now};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = fuzz_input(data, size);
	struct ctx c = {.resets = 0};
	/* 1 MHz .. about 17 GHz: any TSC a machine has. */
	uint64_t tsc_hz = 1000000 + fuzz_u32(&in) * 4ull;
	struct acpi_pm pm;
	struct io_bus bus = {0};
	static const uint16_t ports[] = {ACPI_PM_BASE, ACPI_PM_BASE + 4, ACPI_PM_BASE + 8};
	c.clock.now = fuzz_u64(&in) % FUZZ_TIME_MAX;
	uint64_t origin = c.clock.now;
	acpi_pm_init(&pm, ACPI_PM_BASE, tsc_hz, &ops, &c);
	FUZZ_CHECK(io_bus_register(&bus, ACPI_PM_BASE, ACPI_PM_PORTS, acpi_pm_io, &pm));
	while (fuzz_more(&in)) {
		if (fuzz_bool(&in)) {
			fuzz_io(&bus, &in, ports, sizeof ports / sizeof ports[0]);
		} else {
			fuzz_clock_step(&c.clock, &in);
			unsigned __int128 ticks =
			    (unsigned __int128)(c.clock.now - origin) * ACPI_PM_TIMER_HZ / tsc_hz;
			uint32_t want = (uint32_t)ticks, got = acpi_pm_timer(&pm);
			FUZZ_CHECK(got - want <= 1 || want - got <= 1);
		}
	}
	return 0;
}
