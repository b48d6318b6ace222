#include "tests/unit/check.h"

static int case_failed;

void check_fail(const char *file, int line, const char *expr)
{
	printf("    %s:%d: check failed: %s\n", file, line, expr);
	case_failed = 1;
}

void check_fail_eq(const char *file, int line, const char *a, const char *b,
		   unsigned long long va, unsigned long long vb)
{
	printf("    %s:%d: %s == %s failed: 0x%llx != 0x%llx\n", file, line, a, b, va, vb);
	case_failed = 1;
}

/* Output contract read by tests/run-all: one "PASS|FAIL suite.case" line per case, then
 * "summary SUITE: passed=N failed=M". */
int check_run(const char *suite, const struct check_case *cases, int n)
{
	int passed = 0, failed = 0;
	for (int i = 0; i < n; i++) {
		case_failed = 0;
		cases[i].fn();
		printf("%s %s.%s\n", case_failed ? "FAIL" : "PASS", suite, cases[i].name);
		if (case_failed)
			failed++;
		else
			passed++;
	}
	printf("summary %s: passed=%d failed=%d\n", suite, passed, failed);
	return failed ? 1 : 0;
}
