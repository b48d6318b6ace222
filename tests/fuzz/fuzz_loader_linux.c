/* Linux bzImages: the input's image gets the "HdrS" magic, a boot protocol version of at
 * least 2.12 and (usually) XLF_KERNEL_64, so every input reaches the setup-header checks
 * and the kernel and initrd placement. */
#include "kernel/linux_boot.h"
#include "tests/fuzz/fuzz_loader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = fuzz_input(data, size);
	struct vm_config cfg;
	struct gmem mem;
	fuzz_loader_config(&in, &cfg, &mem);
	size_t errlen = 1 + fuzz_below(&in, ERR_MAX);
	uint8_t how = fuzz_u8(&in);
	size_t n;
	uint8_t *image = fuzz_rest(&in, &n);
	if (n >= LINUX_HDR_INIT_SIZE_END) {
		memcpy(image + LINUX_HDR_MAGIC_OFFSET, LINUX_HDR_MAGIC, 4);
		if (how & 1)
			image[LINUX_HDR_VERSION + 1] = 2, image[LINUX_HDR_VERSION] |= 0x0c;
		if (how & 2)
			image[LINUX_HDR_XLOADFLAGS] |= LINUX_XLF_KERNEL_64;
	}
	fuzz_load(image, n, &cfg, &mem, errlen);
	free(image);
	return 0;
}
