/* The hypervisor command-line parser: any line. Every rejected word is one error, the
 * options keep their documented ranges. */
#include "kernel/console.h"
#include "kernel/options.h"
#include "tests/fuzz/fuzz.h"
#include "tests/unit/shim.h"

enum log_level console_level = LOG_INFO;

static unsigned words(const char *s)
{
	unsigned n = 0;
	for (const char *p = s; *p; p++)
		n += *p != ' ' && (p == s || p[-1] == ' ');
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size + 1);
	memcpy(line, data, size);
	line[size] = 0;
	struct hv_options o = {.timeslice_us = 10000, .apicv = APICV_FULL};
	unsigned bad = hv_options_parse(line, &o);
	FUZZ_CHECK(bad <= words(line));
	FUZZ_CHECK(o.timeslice_us >= 100 && o.timeslice_us <= 1000000);
	FUZZ_CHECK(o.apicv <= APICV_FULL && console_level <= LOG_DEBUG);
	free(line);
	shim_log_take();
	return 0;
}
