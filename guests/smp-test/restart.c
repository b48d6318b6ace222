/* A running AP ignores STARTUP IPIs; INIT puts it back into wait-for-SIPI, where it runs
 * nothing and its APIC (reset by INIT, software-disabled) takes no fixed IPI; the next SIPI
 * starts it again through the trampoline, once. */
#include "guests/lib/apic.h"
#include "guests/lib/report.h"
#include "guests/lib/smp.h"
#include "guests/lib/tsc.h"
#include "guests/lib/x86.h"
#include "guests/smp-test/tests.h"

#define SETTLE_MS 20 /* long enough for an AP to have started, had it been told to */

static void noop(void *arg)
{
	(void)arg;
}

static void settle(void)
{
	sti();
	tsc_spin_ms(SETTLE_MS);
	cli();
}

void test_restart(u32 ncpus)
{
	u32 cpu = ncpus - 1;
	struct smp_cpu *c = &smp_cpus[cpu];
	u32 starts = c->starts;

	smp_send_sipi(cpu, SMP_SIPI_VECTOR);
	settle();
	report(c->starts == starts && smp_call(cpu, noop, 0),
	       "restart: a SIPI to running AP %u is ignored (%u starts)", cpu, c->starts);

	smp_send_init(cpu);
	settle();
	smp_call_async(cpu, noop, 0);
	ipi_counts_reset();
	apic_icr_write(APIC_DM_FIXED | IPI_VECTOR_BASE, cpu);
	settle();
	report(c->fn == noop && c->starts == starts,
	       "restart: after INIT AP %u runs nothing (a posted call stays pending)", cpu);

	smp_send_sipi(cpu, SMP_SIPI_VECTOR);
	bool up = smp_wait_started(cpu, starts, SMP_WAIT_MS);
	settle();
	report(up && c->starts == starts + 1 && c->lapic_id == cpu,
	       "restart: INIT then SIPI starts AP %u again (%u starts, APIC ID %u)", cpu, c->starts,
	       c->lapic_id);
	report(smp_call(cpu, noop, 0) && ipi_got[cpu][0] == 0,
	       "restart: it answers calls again; the IPI sent while it waited was dropped (%u)",
	       ipi_got[cpu][0]);

	starts = c->starts;
	up = smp_start_ap(cpu);
	settle();
	report(up && c->starts == starts + 1,
	       "restart: INIT-SIPI-SIPI: the second SIPI finds it running (%u -> %u starts)",
	       starts, c->starts);
}
