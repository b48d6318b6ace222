/* ELF32/ELF64 executables: the input after the configuration is the file, its identity
 * bytes (magic, class, little-endian, ET_EXEC, x86 machine) forced so that every input
 * reaches the program-header parser. */
#include "kernel/elf.h"
#include "tests/fuzz/fuzz_loader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = fuzz_input(data, size);
	struct vm_config cfg;
	struct gmem mem;
	fuzz_loader_config(&in, &cfg, &mem);
	size_t errlen = 1 + fuzz_below(&in, ERR_MAX);
	bool is64 = fuzz_bool(&in);
	size_t n;
	uint8_t *image = fuzz_rest(&in, &n);
	if (n >= 20) {
		const uint16_t type = ELF_ET_EXEC, machine = is64 ? ELF_EM_X86_64 : ELF_EM_386;
		memcpy(image, ELF_MAG0_3, 4);
		image[ELF_EI_CLASS] = is64 ? ELFCLASS64 : ELFCLASS32;
		image[ELF_EI_DATA] = ELFDATA2LSB;
		memcpy(image + 16, &type, 2);
		memcpy(image + 18, &machine, 2);
	}
	fuzz_load(image, n, &cfg, &mem, errlen);
	free(image);
	return 0;
}
