/* Whatever image the input is, with load= and entry= (either may be absent) anywhere in the
 * 32-bit space or near the top of RAM: format detection first, then the flat loader or
 * whichever format the bytes happen to be. */
#include "tests/fuzz/fuzz_loader.h"

static uint64_t address(struct fuzz_input *in, const struct gmem *mem)
{
	uint8_t how = fuzz_u8(in);
	uint32_t v = fuzz_u32(in);
	switch (how & 3) {
	case 0:
		return v;
	case 1:
		return v % (mem->size + 1);
	case 2:
		return mem->size - v % 4096;
	default:
		return v & 0xfffff;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = fuzz_input(data, size);
	struct vm_config cfg;
	struct gmem mem;
	fuzz_loader_config(&in, &cfg, &mem);
	size_t errlen = 1 + fuzz_below(&in, ERR_MAX);
	uint8_t how = fuzz_u8(&in);
	cfg.have_load = how & 1;
	cfg.have_entry = how & 2;
	cfg.load = address(&in, &mem);
	cfg.entry = address(&in, &mem);
	size_t n;
	uint8_t *image = fuzz_rest(&in, &n);
	fuzz_load(image, n, &cfg, &mem, errlen);
	free(image);
	return 0;
}
