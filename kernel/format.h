/* printf-style formatting into a buffer, for the console, panic messages and VM status text.
 * Integers, characters and strings only: the hypervisor is built without floating point. */
#pragma once
#include <stdarg.h>
#include <stddef.h>

/* C99 snprintf contract: returns the length the full output would have had, writes at most
 * size - 1 characters and always NUL-terminates when size > 0.
 * Differences from libc: %p is always "0x" + 16 hex digits; %s of NULL is "(null)";
 * an unknown conversion is copied to the output as written. */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
