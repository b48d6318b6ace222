#include "tests/unit/check.h"

static int case_failed;
static const char *case_skipped;

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

void check_skip(const char *why)
{
	case_skipped = why;
}

/* Output contract read by tests/run-all: one "PASS|FAIL suite.case" or
 * "SKIP suite.case: why" line per case, then "summary SUITE: passed=N failed=M", with
 * " skipped=K" appended when K > 0. */
int check_run(const char *suite, const struct check_case *cases, int n)
{
	int passed = 0, failed = 0, skipped = 0;
	for (int i = 0; i < n; i++) {
		case_failed = 0;
		case_skipped = 0;
		cases[i].fn();
		if (case_failed) {
			printf("FAIL %s.%s\n", suite, cases[i].name);
			failed++;
		} else if (case_skipped) {
			printf("SKIP %s.%s: %s\n", suite, cases[i].name, case_skipped);
			skipped++;
		} else {
			printf("PASS %s.%s\n", suite, cases[i].name);
			passed++;
		}
	}
	printf("summary %s: passed=%d failed=%d", suite, passed, failed);
	if (skipped)
		printf(" skipped=%d", skipped);
	printf("\n");
	return failed ? 1 : 0;
}
