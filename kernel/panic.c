#include "kernel/panic.h"
#include "kernel/console.h"
#include "kernel/end.h"
#include "kernel/format.h"
#include "kernel/x86.h"


noreturn void hv_end(enum hv_status status, const char *reason)
{
	irq_disable();
	console_emergency_init();
	kprintf("HV-END status=%d %s\n", status, reason);
	console_drain(); /* the emulators stop at once: let the line leave the UART first */
	end_machine(status);
}

noreturn void panic(const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	irq_disable();
	console_force_unlock();
	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	kprintf("mhv: PANIC: %s\n", msg);
	hv_end(HV_STATUS_PANIC, "panic");
}
