/* Console logging. klog() writes one whole line (newline added) atomically, so lines from
 * different CPUs and guests never interleave. */
#pragma once
#include <stdarg.h>

enum log_level {
	LOG_ERR,
	LOG_WARN,
	LOG_INFO,
	LOG_DEBUG,
};

void klog(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vklog(enum log_level level, const char *fmt, va_list ap);
/* Raw output without prefix or added newline (for multi-part dumps under console_lock). */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define log_err(...)   klog(LOG_ERR, __VA_ARGS__)
#define log_warn(...)  klog(LOG_WARN, __VA_ARGS__)
#define log_info(...)  klog(LOG_INFO, __VA_ARGS__)
#define log_debug(...) klog(LOG_DEBUG, __VA_ARGS__)
