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
	__atomic_add_fetch(&tests, 1, __ATOMIC_RELAXED);
	if (!pass)
		__atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
	printf("%s: %s\n", pass ? "PASS" : "FAIL", name);
}

u32 report_end(void)
{
	printf("SUMMARY: %u tests, %u failures\n", tests, failures);
	return failures;
}

void report_summary(void)
{
	guest_exit(report_end() ? EXIT_FAIL : EXIT_PASS);
}
