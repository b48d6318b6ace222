/* The i8042 keyboard controller: port accesses in random order. The output queue stays
 * within its ring and the IRQ lines follow the model's idea of them. */
#include "devices/i8042.h"
#include "tests/fuzz/fuzz_dev.h"

static void reset(void *ctx)
{
	(*(unsigned *)ctx)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = fuzz_input(data, size);
	struct fuzz_irqs irqs = {0};
	struct irq_line irq1 = fuzz_irq_line(&irqs, 1), irq12 = fuzz_irq_line(&irqs, 12);
	struct i8042 kbc;
	struct io_bus bus = {0};
	unsigned resets = 0;
	static const uint16_t ports[] = {0x60, 0x64};
	i8042_init(&kbc, reset, &resets, &irq1, &irq12);
	FUZZ_CHECK(io_bus_register(&bus, 0x60, 1, i8042_io, &kbc) &&
		   io_bus_register(&bus, 0x64, 1, i8042_io, &kbc));
	while (fuzz_more(&in)) {
		fuzz_io(&bus, &in, ports, 2);
		FUZZ_CHECK(kbc.out_count <= I8042_OUT_QUEUE && kbc.out_head < I8042_OUT_QUEUE);
		FUZZ_CHECK(irqs.level[1] == kbc.irq1_level && irqs.level[12] == kbc.irq12_level);
	}
	return 0;
}
