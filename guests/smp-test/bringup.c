/* Bring-up: the CPU count from fw_cfg, CPUID and the command line agree; INIT-SIPI-SIPI
 * starts each AP once, which then reports its own APIC ID (local APIC and CPUID) and runs
 * C code on its own stack. */
#include "guests/lib/apic.h"
#include "guests/lib/report.h"
#include "guests/lib/smp.h"
#include "guests/lib/x86.h"
#include "guests/smp-test/tests.h"

#define CPUID_LEAF_TOPOLOGY 0xb
#define TOPOLOGY_CORE_LEVEL 1 /* subleaf: cores of the package */

static void ap_reports(void *arg)
{
	(void)arg;
	u32 me = smp_this_cpu(), lapic = apic_id();
	u32 x2id = cpuid_count(CPUID_LEAF_TOPOLOGY, 0).d;
	u32 esp;
	__asm__ volatile("movl %%esp, %0" : "=r"(esp));
	u32 stack = (u32)smp_ap_stacks + me * SMP_AP_STACK_SIZE;
	report(lapic == me && x2id == me,
	       "smp: AP %u reports: local APIC ID %u, CPUID.1 APIC ID %u, CPUID.0xB x2APIC ID %u",
	       me, lapic, me, x2id);
	report(esp > stack && esp <= stack + SMP_AP_STACK_SIZE,
	       "smp: AP %u runs C code on its own stack (ESP 0x%x)", me, esp);
}

void test_bringup(u32 ncpus, u32 expected)
{
	u32 logical = (cpuid(1).b >> 16) & 0xff;
	u32 cores = cpuid_count(CPUID_LEAF_TOPOLOGY, TOPOLOGY_CORE_LEVEL).b & 0xffff;
	report(ncpus == expected, "smp: fw_cfg key 5: %u CPUs (cpus=%u)", ncpus, expected);
	report(logical == ncpus && cores == ncpus,
	       "smp: CPUID.1:EBX[23:16] %u and CPUID.0xB core level %u logical CPUs", logical,
	       cores);
	if (ncpus > SMP_MAX_CPUS)
		return;
	for (u32 id = 1; id < ncpus; id++) {
		bool up = smp_start_ap(id);
		struct smp_cpu *c = &smp_cpus[id];
		report(up && c->starts == 1 && c->cpuid_apic_id == id && c->lapic_id == id,
		       "smp: INIT-SIPI-SIPI starts AP %u once (%u starts, APIC ID %u, CPUID %u)",
		       id, c->starts, c->lapic_id, c->cpuid_apic_id);
		if (!up)
			return;
	}
	for (u32 id = 1; id < ncpus; id++)
		report(smp_call(id, ap_reports, 0), "smp: AP %u answers a call", id);
}
