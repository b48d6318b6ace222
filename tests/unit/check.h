/* Minimal host unit-test harness: each test binary lists its cases with CHECK_MAIN. */
#pragma once
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct check_case {
	const char *name;
	void (*fn)(void);
};

void check_fail(const char *file, int line, const char *expr);
void check_fail_eq(const char *file, int line, const char *a, const char *b,
		   unsigned long long va, unsigned long long vb);
/* The running case cannot be checked on this host (a tool is missing): it reports
 * "SKIP suite.case: why" and counts neither as passed nor failed, unless a check failed. */
void check_skip(const char *why);
int check_run(const char *suite, const struct check_case *cases, int n);

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c))                                                                          \
			check_fail(__FILE__, __LINE__, #c);                                        \
	} while (0)

#define CHECK_EQ(a, b)                                                                             \
	do {                                                                                       \
		unsigned long long check_a_ = (unsigned long long)(a);                             \
		unsigned long long check_b_ = (unsigned long long)(b);                             \
		if (check_a_ != check_b_)                                                          \
			check_fail_eq(__FILE__, __LINE__, #a, #b, check_a_, check_b_);             \
	} while (0)

#define CHECK_STR(a, b)                                                                            \
	do {                                                                                       \
		if (strcmp((a), (b)) != 0)                                                         \
			check_fail(__FILE__, __LINE__, #a " == " #b);                              \
	} while (0)

#define TEST(name) static void name(void)
#define CASE(fn) {#fn, fn}
#define CHECK_MAIN(suite, ...)                                                                     \
	int main(void)                                                                             \
	{                                                                                          \
		static const struct check_case cases[] = {__VA_ARGS__};                            \
		return check_run(suite, cases, (int)(sizeof cases / sizeof cases[0]));             \
	}
