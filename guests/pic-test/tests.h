/* What the pic-test checks share: the interrupt log its handler keeps. */
#pragma once
#include "guests/lib/types.h"

/* One interrupt as the handler saw it. */
struct service {
	u8 irq;
	u16 isr_in;    /* ISR inside the handler, before its EOI */
	u16 isr_after; /* ISR after its specific EOI */
};

#define MAX_SERVED 8
#define SETTLE_MS  5 /* long enough for every pending request to be taken */
extern volatile struct service served[MAX_SERVED];
extern volatile u32 nserved;

/* Lets pending unmasked requests in for ms milliseconds, then turns IF off again. */
void let_interrupts_in(u32 ms);
void test_eoi_nesting(void);
