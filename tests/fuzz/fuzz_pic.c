/* The 8259A pair: port accesses, input lines and INTA cycles in random order. The INT
 * output may only change with a notification, and every INTA yields a vector of the
 * programmed bases. */
#include "devices/pic.h"
#include "tests/fuzz/fuzz_dev.h"

static const uint16_t ports[] = {PIC_MASTER_CMD, PIC_MASTER_DATA, PIC_SLAVE_CMD,
				 PIC_SLAVE_DATA, PIC_ELCR_MASTER, PIC_ELCR_SLAVE};

static unsigned notifications;

static void notified(void *ctx)
{
	notifications++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = fuzz_input(data, size);
	struct pic_pair pic;
	struct io_bus bus = {0};
	pic_init(&pic);
	pic_set_notify(&pic, notified, NULL);
	FUZZ_CHECK(io_bus_register(&bus, PIC_MASTER_CMD, 2, pic_io, &pic) &&
		   io_bus_register(&bus, PIC_SLAVE_CMD, 2, pic_io, &pic) &&
		   io_bus_register(&bus, PIC_ELCR_MASTER, 2, pic_io, &pic));
	while (fuzz_more(&in)) {
		bool int_before = pic_intr_pending(&pic);
		unsigned notes_before = notifications;
		switch (fuzz_below(&in, 4)) {
		case 0:
			fuzz_io(&bus, &in, ports, sizeof ports / sizeof ports[0]);
			break;
		case 1: /* lines 16 and up do not exist and must be ignored */
			pic_set_irq(&pic, fuzz_below(&in, PIC_IRQS + 4), fuzz_bool(&in));
			break;
		case 2: {
			int vector = pic_acknowledge(&pic);
			uint8_t base = (uint8_t)(vector & 0xf8);
			FUZZ_CHECK(vector >= 0 && vector <= 0xff);
			FUZZ_CHECK(base == pic.master.vector_base || base == pic.slave.vector_base);
			break;
		}
		default: {
			const struct irq_sink *sink = pic_irq_sink(&pic);
			sink->set_level(sink->ctx, fuzz_below(&in, PIC_IRQS), fuzz_bool(&in));
			break;
		}
		}
		if (pic_intr_pending(&pic) != int_before)
			FUZZ_CHECK(notifications != notes_before);
	}
	return 0;
}
