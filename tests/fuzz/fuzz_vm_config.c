/* The VM module command-line parser. Input: the error buffer's size (1-160), then the
 * command line. On success every field is within its limits and NUL-terminated; on error
 * the reason fits its buffer. */
#include "kernel/vm_config.h"
#include "tests/fuzz/fuzz.h"

#define ERR_MAX 160

static bool terminated(const char *s, size_t size)
{
	return memchr(s, 0, size) != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = fuzz_input(data, size);
	size_t errlen = 1 + fuzz_below(&in, ERR_MAX);
	size_t n = fuzz_left(&in);
	char *line = malloc(n + 1);
	memcpy(line, data + in.pos, n);
	line[n] = 0;
	char *err = malloc(errlen);
	static struct vm_config cfg;
	if (vm_config_parse(line, &cfg, err, errlen)) {
		FUZZ_CHECK(terminated(cfg.name, sizeof cfg.name) && cfg.name[0]);
		FUZZ_CHECK(terminated(cfg.image, sizeof cfg.image));
		FUZZ_CHECK(terminated(cfg.cmdline, sizeof cfg.cmdline));
		FUZZ_CHECK(terminated(cfg.initrd, sizeof cfg.initrd));
		FUZZ_CHECK(cfg.mem_bytes >= (1ull << 20) && cfg.mem_bytes <= (3072ull << 20));
		FUZZ_CHECK(cfg.cpus >= 1 && cfg.cpus <= VM_MAX_CPUS);
		FUZZ_CHECK(cfg.nmodules <= VM_MAX_MODULES);
		FUZZ_CHECK(!cfg.have_load || cfg.load < (1ull << 32));
		FUZZ_CHECK(!cfg.have_entry || cfg.entry < (1ull << 32));
		for (unsigned i = 0; i < cfg.nmodules; i++) {
			const char *name = vm_config_module_name(&cfg, i);
			size_t at = (size_t)(name - cfg.module_names);
			FUZZ_CHECK(at < sizeof cfg.module_names && name[0]);
			FUZZ_CHECK(terminated(name, sizeof cfg.module_names - at));
		}
	} else {
		FUZZ_CHECK(terminated(err, errlen));
	}
	free(err);
	free(line);
	return 0;
}
