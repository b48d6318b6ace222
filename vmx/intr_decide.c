#include "vmx/intr_decide.h"

#define RFLAGS_IF             (1ull << 9)
#define BLOCKED_BY_STI        (1u << 0) /* the instruction after STI */
#define BLOCKED_BY_MOV_SS     (1u << 1) /* the instruction after MOV SS / POP SS */

enum intr_decision intr_decide(bool waiting, uint64_t rflags, uint32_t interruptibility,
			       bool event_queued)
{
	if (!waiting)
		return INTR_NONE;
	if (!(rflags & RFLAGS_IF) || (interruptibility & (BLOCKED_BY_STI | BLOCKED_BY_MOV_SS)) ||
	    event_queued)
		return INTR_WAIT_WINDOW;
	return INTR_INJECT;
}
