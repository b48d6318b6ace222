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

struct intr_plan intr_plan(unsigned pending, uint64_t rflags, uint32_t interruptibility,
			   bool event_queued)
{
	struct intr_plan p = {INTR_SRC_NONE, false};
	enum intr_decision d = intr_decide(pending != 0, rflags, interruptibility, event_queued);
	if (d != INTR_INJECT) {
		p.window = d == INTR_WAIT_WINDOW;
		return p;
	}
	for (unsigned s = INTR_SRC_PIC; s <= INTR_SRC_APIC; s++) {
		if (pending & INTR_SRC_BIT(s)) {
			p.inject = (enum intr_source)s;
			break;
		}
	}
	p.window = (pending & ~INTR_SRC_BIT(p.inject)) != 0;
	return p;
}
