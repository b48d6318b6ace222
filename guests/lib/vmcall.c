#include "guests/lib/vmcall.h"
#include "guests/lib/trap.h"
#include "guests/lib/x86.h"

bool vmcall_safe(u32 nr, u32 a0, u32 a1, u32 a2, u32 a3, s32 *ret)
{
	u32 eax = nr;

	__asm__ volatile(TRAP_TRY("vmcall")
			 : "+a"(eax)
			 : "b"(a0), "c"(a1), "d"(a2), "S"(a3)
			 : "memory");
	*ret = (s32)eax;
	return trap_caught_vector == TRAP_NONE;
}

s32 hc_nop(void)
{
	return vmcall(MHV_HC_NOP, 0, 0, 0, 0);
}

/* Paging is off in these guests, so a pointer is a guest-physical address. */
s32 hc_console_write(const void *buf, u32 len)
{
	return vmcall(MHV_HC_CONSOLE_WRITE, (u32)buf, len, 0, 0);
}

s32 hc_timer_oneshot(u32 usecs, u8 vector)
{
	return vmcall(MHV_HC_TIMER_ONESHOT, usecs, vector, 0, 0);
}

void hc_exit(u32 code)
{
	vmcall(MHV_HC_EXIT, code, 0, 0, 0);
	for (;;)
		__asm__ volatile("cli; hlt");
}

static void on_idle_timer(struct trap_frame *f)
{
	(void)f; /* injected by mhv, not through the APIC: no EOI */
}

void hc_idle(u32 usecs)
{
	trap_set_handler(HC_IDLE_VECTOR, on_idle_timer);
	hc_timer_oneshot(usecs, HC_IDLE_VECTOR);
	sti_hlt();
	cli();
}
