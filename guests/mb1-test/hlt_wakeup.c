/* HLT with interrupts on must end when mhv injects the one-shot timer's vector. */
#include "guests/lib/report.h"
#include "guests/lib/trap.h"
#include "guests/lib/vmcall.h"
#include "guests/lib/x86.h"
#include "guests/mb1-test/tests.h"
#include "kernel/guest_abi.h"

#define TIMER_VECTOR 0x30
#define TIMER_USECS  1000

static volatile u32 timer_hits;

static void on_timer(struct trap_frame *f)
{
	(void)f;
	timer_hits++;
}

void test_hlt_wakeup(void)
{
	s32 ret = 0;

	trap_set_handler(TIMER_VECTOR, on_timer);
	bool ok = vmcall_safe(MHV_HC_TIMER_ONESHOT, TIMER_USECS, TIMER_VECTOR, 0, 0, &ret);
	report(ok && ret == MHV_HC_OK, "hlt: TIMER_ONESHOT accepted (%s %d)",
	       ok ? "ret" : "fault vector", ok ? ret : trap_caught_vector);
	if (!ok || ret != MHV_HC_OK) {
		report(false, "hlt: timer interrupt wakes HLT (skipped)");
		return;
	}
	sti_hlt();
	cli();
	report(timer_hits == 1, "hlt: timer interrupt wakes HLT (%u interrupts)", timer_hits);
}
