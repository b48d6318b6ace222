/* The hypervisor console: a serial port and/or the screen (console= option). Lines logged
 * before console_init() are kept and replayed once the consoles are known. See
 * kernel/log.h for the logging calls. */
#pragma once
#include "kernel/log.h"
#include "kernel/mb2.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LOG_LINE_MAX 512

extern enum log_level console_level;

/* The screen console (drivers/screen.h), when one is drawn: it gets the same bytes as the
 * serial port, under the console lock. Passed in, so that the console, which everything
 * logs through, depends on no driver that maps memory (and so may panic). */
struct console_screen {
	void (*write)(const char *s, size_t n);
	void (*describe)(char *buf, size_t len); /* for the boot log */
};

/* Opens the serial port hv_options.console names if a UART answers (no UART, no serial
 * input) and takes `screen` (NULL: none; `mb` says why in the log). Then replays the early
 * lines. */
void console_init(const struct mb2_info *mb, const struct console_screen *screen);
/* For paths that end the run before console_init(): a serial console if one answers. */
void console_emergency_init(void);
/* Whether typed input can arrive (a serial port is open). */
bool console_has_input(void);
/* Hold the console for a multi-line dump; kprintf() inside is not interleaved. */
uint64_t console_lock(void);
void console_unlock(uint64_t flags);
/* Whole line from a guest, prefixed with its VM name. */
void console_guest_line(const char *vm_name, const char *text, size_t len);
/* Panic path: take the console even if a crashed context holds it. */
void console_force_unlock(void);
/* Waits until serial output has left the UART. */
void console_drain(void);
