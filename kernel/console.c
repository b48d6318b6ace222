#include "kernel/console.h"
#include "drivers/serial.h"
#include "kernel/format.h"
#include "kernel/kstring.h"
#include "kernel/spinlock.h"

enum log_level console_level = LOG_INFO;
static struct spinlock console_spin;

void console_init(void)
{
	serial_init(HOST_COM1);
}

uint64_t console_lock(void)
{
	return spin_lock_irqsave(&console_spin);
}

void console_unlock(uint64_t flags)
{
	spin_unlock_irqrestore(&console_spin, flags);
}

void console_force_unlock(void)
{
	__atomic_store_n(&console_spin.locked, 0, __ATOMIC_RELEASE);
}

static const char *const level_prefix[] = {
	[LOG_ERR] = "mhv: error: ",
	[LOG_WARN] = "mhv: warning: ",
	[LOG_INFO] = "mhv: ",
	[LOG_DEBUG] = "mhv: debug: ",
};

void vklog(enum log_level level, const char *fmt, va_list ap)
{
	if (level > console_level)
		return;
	char line[LOG_LINE_MAX];
	int n = fmt_snprintf(line, sizeof line, "%s", level_prefix[level]);
	int m = fmt_vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
	size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
	if (len > sizeof line - 2)
		len = sizeof line - 2;
	line[len++] = '\n';
	uint64_t flags = console_lock();
	serial_write(line, len);
	console_unlock(flags);
}

void klog(enum log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vklog(level, fmt, ap);
	va_end(ap);
}

void kprintf(const char *fmt, ...)
{
	char buf[LOG_LINE_MAX];
	va_list ap;
	va_start(ap, fmt);
	int n = fmt_vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof buf - 1)
		n = sizeof buf - 1;
	if (n > 0)
		serial_write(buf, (unsigned long)n);
}

void console_guest_line(const char *vm_name, const char *text, size_t len)
{
	uint64_t flags = console_lock();
	serial_write("[", 1);
	serial_write(vm_name, strlen(vm_name));
	serial_write("] ", 2);
	serial_write(text, len);
	serial_write("\n", 1);
	console_unlock(flags);
}
