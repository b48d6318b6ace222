/* fw_cfg: port accesses for a random machine size. Whatever came before, selecting the
 * signature and reading four bytes gives "QEMU". */
#include "devices/fw_cfg.h"
#include "tests/fuzz/fuzz_dev.h"

static uint8_t read_byte(struct io_bus *bus)
{
	struct io_access a = {.port = FW_CFG_PORT_DATA, .size = 1};
	io_bus_dispatch(bus, &a);
	return (uint8_t)a.value;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = fuzz_input(data, size);
	struct fw_cfg fw;
	struct io_bus bus = {0};
	static const uint16_t ports[] = {FW_CFG_PORT_SELECTOR, FW_CFG_PORT_DATA};
	fw_cfg_init(&fw, fuzz_u64(&in), fuzz_u16(&in));
	FUZZ_CHECK(io_bus_register(&bus, FW_CFG_PORT_SELECTOR, FW_CFG_PORTS, fw_cfg_io, &fw));
	while (fuzz_more(&in)) {
		if (fuzz_below(&in, 8)) {
			fuzz_io(&bus, &in, ports, 2);
			continue;
		}
		struct io_access sel = {.port = FW_CFG_PORT_SELECTOR,
					.size = 2,
					.write = true,
					.value = FW_CFG_SIGNATURE};
		io_bus_dispatch(&bus, &sel);
		char sig[4];
		for (unsigned i = 0; i < 4; i++)
			sig[i] = (char)read_byte(&bus);
		FUZZ_CHECK(memcmp(sig, "QEMU", 4) == 0);
	}
	return 0;
}
