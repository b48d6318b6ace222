/* The AML encoder driven by random calls with random names, strings, IDs and numbers into
 * a buffer of random size: it must never write outside the buffer, and whatever it calls
 * finished must be no longer than the buffer. */
#include "devices/aml.h"
#include "tests/fuzz/fuzz.h"

#define BUF_MAX 1024
#define STR_MAX 24

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = fuzz_input(data, size);
	size_t bufsize = fuzz_u16(&in) % BUF_MAX;
	uint8_t *buf = malloc(bufsize ? bufsize : 1);
	struct aml a;
	char s[STR_MAX + 1];
	aml_init(&a, buf, bufsize);
	while (fuzz_more(&in)) {
		switch (fuzz_below(&in, 16)) {
		case 0:
			fuzz_string(&in, s, STR_MAX);
			aml_name(&a, s);
			break;
		case 1:
			fuzz_string(&in, s, STR_MAX);
			aml_scope(&a, s);
			break;
		case 2:
			fuzz_string(&in, s, STR_MAX);
			aml_device(&a, s);
			break;
		case 3:
			aml_package(&a, fuzz_u8(&in));
			break;
		case 4:
		case 5:
			aml_end(&a);
			break;
		case 6:
			aml_integer(&a, fuzz_uint(&in, 1u << fuzz_below(&in, 4)));
			break;
		case 7:
			fuzz_string(&in, s, STR_MAX);
			aml_string(&a, s);
			break;
		case 8:
			fuzz_string(&in, s, 8);
			aml_eisaid(&a, s);
			break;
		case 9:
			aml_resources(&a);
			break;
		case 10:
			aml_res_io(&a, fuzz_u16(&in), fuzz_u8(&in));
			break;
		case 11:
			aml_res_irq(&a, fuzz_u8(&in) % 20);
			break;
		case 12:
			aml_res_bus_numbers(&a, fuzz_u16(&in), fuzz_u16(&in));
			break;
		case 13:
			aml_res_io_window(&a, fuzz_u16(&in), fuzz_u16(&in));
			break;
		case 14:
			aml_res_mem32_window(&a, fuzz_u32(&in), fuzz_u32(&in));
			break;
		default:
			FUZZ_CHECK(aml_finish(&a) <= bufsize);
			break;
		}
		FUZZ_CHECK(a.len <= bufsize && a.depth <= AML_MAX_DEPTH);
	}
	FUZZ_CHECK(aml_finish(&a) <= bufsize);
	free(buf);
	return 0;
}
