#include "guests/lib/smp.h"
#include "devices/fw_cfg.h"
#include "guests/lib/apic.h"
#include "guests/lib/desc.h"
#include "guests/lib/div64.h"
#include "guests/lib/printf.h"
#include "guests/lib/string.h"
#include "guests/lib/tsc.h"
#include "guests/lib/x86.h"

#define SPURIOUS_VECTOR	 0xff
#define INIT_DEASSERT_US 200 /* MP spec: INIT, then 10 ms before the SIPIs; mhv needs none of */
#define SIPI_GAP_US	 200 /* these waits, but a guest written for hardware has them */

extern const char smp_trampoline_start[], smp_trampoline_end[];
u8 smp_ap_stacks[SMP_MAX_CPUS * SMP_AP_STACK_SIZE] __attribute__((aligned(16)));
struct smp_cpu smp_cpus[SMP_MAX_CPUS];

void smp_ap_main(u32 id) __attribute__((noreturn));

static void spin_us(u32 us)
{
	u64 end = rdtsc() + udiv64(tsc_from_ms(1) * us, 1000, NULL);
	while (rdtsc() < end)
		cpu_relax();
}

void smp_init(void)
{
	memcpy((void *)SMP_TRAMPOLINE, smp_trampoline_start,
	       (size_t)(smp_trampoline_end - smp_trampoline_start));
	tsc_khz_for_timeouts();
	printf_smp = true;
}

u32 smp_fw_cfg_cpus(void)
{
	outw(FW_CFG_PORT_SELECTOR, FW_CFG_NB_CPUS);
	u32 lo = inb(FW_CFG_PORT_DATA);
	return lo | (u32)inb(FW_CFG_PORT_DATA) << 8;
}

u32 smp_this_cpu(void)
{
	return cpuid(1).b >> 24;
}

void smp_send_init(u32 apic_id)
{
	apic_icr_write(APIC_DM_INIT | APIC_INT_LEVEL | APIC_INT_ASSERT, apic_id);
	apic_icr_write(APIC_DM_INIT | APIC_INT_LEVEL, apic_id); /* de-assert */
}

void smp_send_sipi(u32 apic_id, u8 vector)
{
	apic_icr_write(APIC_DM_STARTUP | vector, apic_id);
}

bool smp_wait_started(u32 cpu, u32 starts_before, u32 ms)
{
	u64 end = rdtsc() + tsc_from_ms(ms);
	while (smp_cpus[cpu].starts == starts_before)
		if (rdtsc() > end)
			return false;
		else
			cpu_relax();
	return true;
}

bool smp_start_ap(u32 apic_id)
{
	u32 before = smp_cpus[apic_id].starts;
	smp_send_init(apic_id);
	spin_us(INIT_DEASSERT_US);
	smp_send_sipi(apic_id, SMP_SIPI_VECTOR);
	spin_us(SIPI_GAP_US);
	smp_send_sipi(apic_id, SMP_SIPI_VECTOR);
	return smp_wait_started(apic_id, before, SMP_WAIT_MS);
}

void smp_call_async(u32 cpu, smp_fn fn, void *arg)
{
	smp_cpus[cpu].arg = arg;
	smp_cpus[cpu].fn = fn;
}

bool smp_wait(u32 cpu)
{
	u64 end = rdtsc() + tsc_from_ms(SMP_WAIT_MS);
	while (smp_cpus[cpu].fn)
		if (rdtsc() > end)
			return false;
		else
			cpu_relax();
	return true;
}

bool smp_call(u32 cpu, smp_fn fn, void *arg)
{
	smp_call_async(cpu, fn, arg);
	return smp_wait(cpu);
}

/* An AP after the trampoline, on its own stack: its APIC comes out of INIT
 * software-disabled, so it is enabled here before the AP announces itself. */
void smp_ap_main(u32 id)
{
	struct smp_cpu *c = &smp_cpus[id];

	desc_load();
	apic_sw_enable(SPURIOUS_VECTOR);
	c->cpuid_apic_id = cpuid(1).b >> 24;
	c->lapic_id = apic_id();
	c->fn = NULL;
	__atomic_add_fetch(&c->starts, 1, __ATOMIC_RELEASE);
	for (;;) {
		sti();
		while (!c->fn)
			cpu_relax();
		c->fn(c->arg);
		c->calls_done++;
		__atomic_store_n(&c->fn, NULL, __ATOMIC_RELEASE);
	}
}
