#include "guests/lib/report.h"
#include "guests/lib/exit.h"
#include "guests/lib/printf.h"
#include <stdarg.h>

static u32 tests, failures;

void report(bool pass, const char *fmt, ...)
{
	char name[PRINTF_MAX - 8];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	tests++;
	if (!pass)
		failures++;
	printf("%s: %s\n", pass ? "PASS" : "FAIL", name);
}

void report_summary(void)
{
	printf("SUMMARY: %u tests, %u failures\n", tests, failures);
	guest_exit(failures ? EXIT_FAIL : EXIT_PASS);
}
