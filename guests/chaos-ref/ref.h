/* The reference VM that runs next to the hostile-guest generator (guests/chaos): it puts known
 * values into everything a VM owns (RAM, registers the VMCS does not hold, MSRs, x87/SSE
 * state, its local APIC, I/O APIC, PCI, CMOS and test-device registers), keeps busy with a
 * deterministic computation, timer interrupts and HLTs, and checks all of it again and again.
 * Any difference is another VM reaching into this one: "ref: FAIL: ..." and exit code 1. */
#pragma once
#include "guests/lib/types.h"

/* Prints "ref: FAIL: ..." and exits 1. */
void ref_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* RAM below 1 MiB (from 4 KiB on) and from the end of our image to the end of RAM hold a
 * pattern that depends on the address only. */
void pattern_fill(u32 ram_bytes);
/* Checks the next `bytes` of the pattern (wrapping around); returns true when that finished
 * a whole pass, whose checksum is then in *sum. */
bool pattern_check_some(u32 bytes, u32 *sum);
/* The checksum of a whole pass, as the fill computed it. */
u32 pattern_expected_sum(void);

/* Registers and devices with known values (state.c). */
void state_set(void);
void state_check(void);

#define VEC_PIT	     0x20 /* IRQ0 through the 8259 (vector base 0x20) */
#define VEC_LAPIC    0x40 /* our periodic local-APIC timer */
#define VEC_WATCHDOG 0x41 /* the hypercall timer armed before each HLT */
#define LAPIC_BASE   0xfee00000u
