/* The guest's own exception handling, which the #GP/#UD checks after it rely on: an IDT
 * delivery inside mhv must reach the guest's handler with the right vector and error code. */
#include "guests/lib/desc.h"
#include "guests/lib/report.h"
#include "guests/lib/trap.h"
#include "guests/lib/x86.h"
#include "guests/mb1-test/tests.h"

void test_exceptions(void)
{
	__asm__ volatile(TRAP_TRY("ud2") : : : "memory");
	report(trap_caught_vector == VEC_UD, "trap: UD2 raises #UD (vector %d)",
	       trap_caught_vector);

	/* A null selector in SS is #GP(0) at CPL 0. */
	__asm__ volatile(TRAP_TRY("movw %w0, %%ss") : : "r"(0) : "memory");
	report(trap_caught_vector == VEC_GP && trap_caught_error == 0,
	       "trap: null SS load raises #GP(0) (vector %d)", trap_caught_vector);

	u32 ss;
	__asm__ volatile("movl %%ss, %0" : "=r"(ss));
	report(ss == SEL_DATA32, "trap: execution resumes after the fault (SS 0x%x)", ss);
}
