/* The 8254 and port 0x61: port accesses, time steps and the timer loop's pit_update. After
 * an update, the next IRQ0 tick lies in the future: otherwise the hypervisor's timer loop
 * would find it due again at once, forever. */
#include "devices/pit.h"
#include "tests/fuzz/fuzz_dev.h"

static const uint16_t ports[] = {PIT_PORT_COUNTER0, PIT_PORT_COUNTER1, PIT_PORT_COUNTER2,
				 PIT_PORT_CONTROL, PIT_PORT_SYSCTL_B};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = fuzz_input(data, size);
	struct fuzz_clock clock = {0};
	struct fuzz_irqs irqs = {0};
	struct irq_line irq0 = fuzz_irq_line(&irqs, 0);
	struct pit pit;
	struct io_bus bus = {0};
	pit_init(&pit, &irq0);
	pit_set_time_source(&pit, fuzz_clock_now, &clock);
	FUZZ_CHECK(io_bus_register(&bus, PIT_PORT_COUNTER0, 4, pit_io, &pit) &&
		   io_bus_register(&bus, PIT_PORT_SYSCTL_B, 1, pit_io, &pit));
	while (fuzz_more(&in)) {
		switch (fuzz_below(&in, 3)) {
		case 0:
			fuzz_io(&bus, &in, ports, sizeof ports / sizeof ports[0]);
			break;
		case 1:
			fuzz_clock_step(&clock, &in);
			break;
		default:
			pit_update(&pit);
			FUZZ_CHECK(pit_next_irq_tick(&pit) > clock.now);
			break;
		}
		FUZZ_CHECK(!irqs.level[0]); /* IRQ0 is pulsed, never left high */
	}
	return 0;
}
