/* The hypervisor console (COM1). See kernel/log.h for the logging calls. */
#pragma once
#include "kernel/log.h"
#include <stddef.h>
#include <stdint.h>

#define LOG_LINE_MAX 512

extern enum log_level console_level;

void console_init(void);
/* Hold the console for a multi-line dump; kprintf() inside is not interleaved. */
uint64_t console_lock(void);
void console_unlock(uint64_t flags);
/* Whole line from a guest, prefixed with its VM name. */
void console_guest_line(const char *vm_name, const char *text, size_t len);
/* Panic path: take the console even if a crashed context holds it. */
void console_force_unlock(void);
