/* IPIs to halted CPUs: a fixed IPI wakes an AP in HLT with interrupts on, an NMI wakes one
 * in HLT with interrupts off, and an AP's IPI wakes the halted BSP. */
#include "guests/lib/apic.h"
#include "guests/lib/report.h"
#include "guests/lib/smp.h"
#include "guests/lib/tsc.h"
#include "guests/lib/x86.h"
#include "guests/smp-test/tests.h"

#define HALT_FIRST_MS 5 /* the sender waits this long, so the receiver is surely in HLT */

static volatile u32 wakeups;

/* HLT until an IPI from the BSP (sender 0) or an NMI arrived; `arg` says which. */
static void halt_for(void *arg)
{
	bool nmi = arg != 0;
	u32 me = apic_id();
	if (nmi) {
		u32 before = nmi_got[me];
		while (nmi_got[me] == before)
			__asm__ volatile("cli; hlt" ::: "memory");
	} else {
		u32 before = ipi_got[me][0];
		while (ipi_got[me][0] == before)
			sti_hlt();
	}
	wakeups++;
}

static void ipi_bsp_later(void *arg)
{
	(void)arg;
	tsc_spin_ms(HALT_FIRST_MS);
	apic_icr_write(APIC_DM_FIXED | (IPI_VECTOR_BASE + apic_id()), 0);
}

void test_wakeups(u32 ncpus)
{
	ipi_counts_reset();
	wakeups = 0;
	for (u32 cpu = 1; cpu < ncpus; cpu++) {
		smp_call_async(cpu, halt_for, 0);
		tsc_spin_ms(HALT_FIRST_MS);
		apic_icr_write(APIC_DM_FIXED | IPI_VECTOR_BASE, cpu);
		smp_wait(cpu);
	}
	report(wakeups == ncpus - 1, "wake: a fixed IPI wakes each AP from HLT (%u of %u)", wakeups,
	       ncpus - 1);

	wakeups = 0;
	for (u32 cpu = 1; cpu < ncpus; cpu++) {
		smp_call_async(cpu, halt_for, (void *)1);
		tsc_spin_ms(HALT_FIRST_MS);
		apic_icr_write(APIC_DM_NMI, cpu);
		smp_wait(cpu);
	}
	report(wakeups == ncpus - 1,
	       "wake: an NMI wakes each AP from HLT with interrupts off (%u of %u)", wakeups,
	       ncpus - 1);

	u32 woken = 0;
	for (u32 cpu = 1; cpu < ncpus; cpu++) {
		smp_call_async(cpu, ipi_bsp_later, 0);
		while (!ipi_got[0][cpu])
			sti_hlt();
		cli();
		woken += smp_wait(cpu);
	}
	report(woken == ncpus - 1, "wake: each AP's IPI wakes the halted BSP (%u of %u)", woken,
	       ncpus - 1);
}
