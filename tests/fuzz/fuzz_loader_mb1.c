/* Multiboot 1 kernels: a header with a valid checksum is planted in the input's image at
 * an input-chosen offset, with input-chosen flags and address fields (cut short when the
 * image ends inside it); with a flag, the image is also given ELF identity bytes for the
 * header-without-addresses path. Modules and the boot information are placed too. */
#include "kernel/elf.h"
#include "kernel/multiboot1.h"
#include "tests/fuzz/fuzz_loader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = fuzz_input(data, size);
	struct vm_config cfg;
	struct gmem mem;
	fuzz_loader_config(&in, &cfg, &mem);
	size_t errlen = 1 + fuzz_below(&in, ERR_MAX);
	uint8_t how = fuzz_u8(&in);
	uint32_t off = fuzz_u16(&in) % MB1_SEARCH_BYTES & ~3u;
	uint32_t h[8];
	h[0] = MB1_HEADER_MAGIC;
	h[1] = fuzz_u32(&in);
	h[2] = -(h[0] + h[1]);
	for (unsigned i = 3; i < 8; i++)
		h[i] = fuzz_u32(&in);
	size_t n;
	uint8_t *image = fuzz_rest(&in, &n);
	if ((how & 1) && n >= 20) {
		const uint16_t type = ELF_ET_EXEC, machine = ELF_EM_386;
		memcpy(image, ELF_MAG0_3, 4);
		image[ELF_EI_CLASS] = ELFCLASS32;
		image[ELF_EI_DATA] = ELFDATA2LSB;
		memcpy(image + 16, &type, 2);
		memcpy(image + 18, &machine, 2);
		if (off < 52)
			off = 52; /* after the ELF header */
	}
	if (off + 12 <= n)
		memcpy(image + off, h, n - off < sizeof h ? n - off : sizeof h);
	fuzz_load(image, n, &cfg, &mem, errlen);
	free(image);
	return 0;
}
