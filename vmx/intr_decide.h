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

/* The maskable sources that take event injection (without virtual-interrupt delivery, the
 * local APIC is one of them), in the order one entry takes them. */
enum intr_source {
	INTR_SRC_NONE,
	INTR_SRC_PIC,	    /* the 8259 through the BSP's LINT0 (ExtINT) */
	INTR_SRC_HYPERCALL, /* the hypercall one-shot timer */
	INTR_SRC_APIC,	    /* the local APIC's highest deliverable vector */
};
#define INTR_SRC_BIT(s) (1u << (s))

struct intr_plan {
	enum intr_source inject; /* the source this entry takes; INTR_SRC_NONE: none */
	bool window;		 /* interrupt-window exiting: a source is left waiting */
};

/* pending: INTR_SRC_BIT of each source waiting now. When the guest can take an interrupt,
 * the first pending source is injected; any other source still waiting needs a window exit
 * once the guest can take the next one, or it would wait for some unrelated exit (an APIC
 * vector behind a hypercall-timer interrupt, which takes no EOI, could wait forever). */
struct intr_plan intr_plan(unsigned pending, uint64_t rflags, uint32_t interruptibility,
			   bool event_queued);
