/* When an external interrupt can be injected into a guest (SDM vol. 3 "Event injection"
 * and "Interrupt-window exiting"). Pure decision logic, host-tested; vmx/vcpu.c feeds it
 * the guest's RFLAGS, interruptibility state and whether an event is already queued. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

enum intr_decision {
	INTR_NONE,        /* nothing waiting: interrupt-window exiting off */
	INTR_INJECT,      /* inject now (and acknowledge the source) */
	INTR_WAIT_WINDOW, /* waiting but blocked: exit when the guest can take it */
};

/* waiting: an interrupt is pending at a source; rflags/interruptibility: guest state;
 * event_queued: VM-entry interruption information already holds an event (e.g. an
 * exception being injected), which takes this entry. */
enum intr_decision intr_decide(bool waiting, uint64_t rflags, uint32_t interruptibility,
			       bool event_queued);
