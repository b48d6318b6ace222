/* kvm-unit-tests style results: one PASS/FAIL line per check, then a summary and exit code. */
#pragma once
#include "guests/lib/types.h"

void report(bool pass, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints "SUMMARY: N tests, M failures" and returns M, for guests that end in another way. */
u32 report_end(void);
/* Prints "SUMMARY: N tests, M failures" and exits 0 when M is 0, else 1. */
void report_summary(void) __attribute__((noreturn));
