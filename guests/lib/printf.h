/* A small printf: %d %i %u %x %X %s %c %p %%, optional '-' or '0' flag, field width, and the
 * l/ll length modifiers (ll for 64-bit values). printf emits its whole result in one write, so a
 * call whose format ends in '\n' is one whole console line. */
#pragma once
#include "guests/lib/types.h"
#include <stdarg.h>

#define PRINTF_MAX 256 /* longer printf output is truncated */

/* Set once more than one CPU prints: mhv buffers console lines per VM, not per CPU, so each
 * printf then writes under a lock, with interrupts off (a handler on the same CPU must not
 * wait for the lock its interrupted code holds). */
extern bool printf_smp;

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
