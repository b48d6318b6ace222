#include "kernel/console.h"
#include "drivers/serial.h"
#include "kernel/format.h"
#include "kernel/kstring.h"
#include "kernel/options.h"
#include "kernel/spinlock.h"

#define EARLY_BUFFER 8192 /* the lines of a boot up to console_init(), with room to spare */

enum log_level console_level = LOG_INFO;
static struct spinlock console_spin;
static bool started;
static const struct console_screen *screen;
static char early[EARLY_BUFFER];
static size_t early_len;
static bool early_lost;

static const uint16_t probe_order[] = {0x3f8, 0x2f8, 0x3e8, 0x2e8}; /* COM1-COM4 */

static void sinks_write(const char *s, size_t n)
{
	if (!started) {
		size_t room = sizeof early - early_len;
		early_lost |= n > room;
		memcpy(early + early_len, s, n < room ? n : room);
		early_len += n < room ? n : room;
		return;
	}
	serial_write(s, n);
	if (screen)
		screen->write(s, n);
}

/* The first UART that answers among the wanted port or COM1-COM4. */
static void open_serial(const struct console_choice *c)
{
	if (!c->serial)
		return;
	if (c->port) {
		serial_open(c->port);
		return;
	}
	for (unsigned i = 0; i < sizeof probe_order / sizeof probe_order[0]; i++)
		if (serial_open(probe_order[i]))
			return;
}

static void replay_early(void)
{
	started = true;
	sinks_write(early, early_len);
	if (early_lost)
		log_warn("console: some boot messages were lost (more than %u bytes before the "
			 "console was up)",
			 EARLY_BUFFER);
	early_len = 0;
}

void console_init(const struct mb2_info *mb, const struct console_screen *scr)
{
	const struct console_choice *c = &hv_options.console;
	open_serial(c);
	screen = scr;
	replay_early();

	char what[96] = "none";
	if (screen)
		screen->describe(what, sizeof what);
	else if (c->screen && mb->have_fb)
		fmt_snprintf(what, sizeof what, "none (framebuffer type %u, %u bpp not drawn)",
			     mb->fb.type, mb->fb.bpp);
	if (serial_port())
		log_info("console: serial port %#x (IRQ %u); screen: %s", serial_port(),
			 serial_irq(), what);
	else if (c->serial)
		log_info("console: no UART answers at %s: no serial console or input; screen: %s",
			 c->port ? "the port console= names" : "COM1-COM4", what);
	else
		log_info("console: serial off (console=); screen: %s", what);
}

void console_emergency_init(void)
{
	if (started)
		return;
	open_serial(&hv_options.console);
	replay_early();
}

bool console_has_input(void)
{
	return serial_port() != 0;
}

void console_drain(void)
{
	serial_drain();
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
	sinks_write(line, len);
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
		sinks_write(buf, (size_t)n);
}

void console_guest_line(const char *vm_name, const char *text, size_t len)
{
	uint64_t flags = console_lock();
	sinks_write("[", 1);
	sinks_write(vm_name, strlen(vm_name));
	sinks_write("] ", 2);
	sinks_write(text, len);
	sinks_write("\n", 1);
	console_unlock(flags);
}
