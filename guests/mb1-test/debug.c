/* Debug exceptions as hardware delivers them, although mhv intercepts #DB (so a guest cannot
 * make its delivery loop): ICEBP's #DB returns past the F1 byte, and a general-detect #DB
 * (DR7.GD) reaches the handler once, with DR6.BD set and DR7.GD already cleared. */
#include "guests/lib/report.h"
#include "guests/lib/trap.h"
#include "guests/lib/x86.h"
#include "guests/mb1-test/tests.h"

#define VEC_DB      1
#define DR6_BD      (1u << 13) /* #DB from a debug-register access with DR7.GD set */
#define DR7_GD      (1u << 13)
#define DR7_FIXED   0x400u
#define MOV_DR6_LEN 3 /* 0f 21 f0: mov %dr6, %eax */

static volatile u32 db_count, db_eip, db_dr6, db_nested, in_handler;

static void debug_handler(struct trap_frame *f)
{
	u32 dr6;
	if (in_handler) {
		/* Our own DR6 read faulted: DR7.GD was still set. Step over it. */
		db_nested++;
		f->eip += MOV_DR6_LEN;
		return;
	}
	in_handler = 1;
	db_count++;
	db_eip = f->eip;
	__asm__ volatile(".byte 0x0f, 0x21, 0xf0" : "=a"(dr6)); /* mov %dr6, %eax */
	db_dr6 = dr6;
	in_handler = 0;
}

void test_debug_events(void)
{
	trap_set_handler(VEC_DB, debug_handler);

	u32 after_icebp;
	db_count = 0;
	__asm__ volatile(".byte 0xf1\n\t"
			 "1: movl $1b, %0"
			 : "=r"(after_icebp)
			 :
			 : "memory");
	report(db_count == 1 && db_eip == after_icebp,
	       "debug: ICEBP raises one #DB that returns past it (%u, eip 0x%x, want 0x%x)",
	       db_count, db_eip, after_icebp);

	db_count = db_nested = 0;
	u32 dr7_after;
	__asm__ volatile("movl %1, %%dr7\n\t"
			 "movl %%dr0, %%eax\n\t" /* #DB: general detect */
			 "movl %%dr7, %0"
			 : "=r"(dr7_after)
			 : "r"(DR7_FIXED | DR7_GD)
			 : "eax", "memory");
	report(db_count == 1 && !db_nested && (db_dr6 & DR6_BD) && !(dr7_after & DR7_GD),
	       "debug: DR7.GD gives one #DB with DR6.BD, GD cleared (%u, nested %u, DR6 0x%x, "
	       "DR7 0x%x)",
	       db_count, db_nested, db_dr6, dr7_after);
	__asm__ volatile("movl %0, %%dr7" : : "r"(DR7_FIXED));
	trap_set_handler(VEC_DB, 0);
}
