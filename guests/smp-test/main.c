/* SMP test guest: starts every AP with INIT-SIPI-SIPI and checks what each one sees, fixed
 * IPIs between every pair of CPUs (physical, logical flat and cluster, all-but-self, then in
 * x2APIC mode), NMI IPIs, lowest-priority delivery, AP restart by INIT and SIPI, IPIs that
 * wake halted CPUs, then the ACPI tables (MADT against the CPU count), and powers the VM off
 * through the ACPI sleep control register. Run it with cpus=N and cmdline="cpus=N": the
 * guest checks that fw_cfg, CPUID and the MADT agree with N. */
#include "guests/lib/apic.h"
#include "guests/lib/exit.h"
#include "guests/lib/multiboot.h"
#include "guests/lib/pic.h"
#include "guests/lib/printf.h"
#include "guests/lib/report.h"
#include "guests/lib/smp.h"
#include "guests/lib/trap.h"
#include "guests/lib/tsc.h"
#include "guests/lib/x86.h"
#include "guests/smp-test/tests.h"

#define MB1_INFO_CMDLINE (1u << 2)
#define SLP_TYP_S5_EN	 0x34 /* SLP_TYPx = 5 (the DSDT's \_S5) in bits 4:2, SLP_EN bit 5 */

volatile u32 ipi_got[8][8];
volatile u32 nmi_got[8];
volatile u32 lowest_got[8];

static void on_ipi(struct trap_frame *f)
{
	u32 me = apic_id(), from = f->vector - IPI_VECTOR_BASE;
	if (me < SMP_MAX_CPUS && from < SMP_MAX_CPUS)
		__atomic_add_fetch(&ipi_got[me][from], 1, __ATOMIC_RELAXED);
	apic_eoi();
}

static void on_lowest(struct trap_frame *f)
{
	(void)f;
	u32 me = apic_id();
	if (me < SMP_MAX_CPUS)
		__atomic_add_fetch(&lowest_got[me], 1, __ATOMIC_RELAXED);
	apic_eoi();
}

static void on_nmi(struct trap_frame *f)
{
	(void)f;
	u32 me = smp_this_cpu(); /* CPUID: no APIC access inside an NMI */
	if (me < SMP_MAX_CPUS)
		__atomic_add_fetch(&nmi_got[me], 1, __ATOMIC_RELAXED);
}

void ipi_counts_reset(void)
{
	for (u32 r = 0; r < SMP_MAX_CPUS; r++) {
		for (u32 s = 0; s < SMP_MAX_CPUS; s++)
			ipi_got[r][s] = 0;
		nmi_got[r] = 0;
		lowest_got[r] = 0;
	}
}

static u32 ipi_total(void)
{
	u32 n = 0;
	for (u32 r = 0; r < SMP_MAX_CPUS; r++)
		for (u32 s = 0; s < SMP_MAX_CPUS; s++)
			n += ipi_got[r][s];
	return n;
}

u32 ipi_wait_total(u32 total)
{
	u64 end = rdtsc() + tsc_from_ms(SMP_WAIT_MS);
	sti();
	while (ipi_total() < total && rdtsc() < end)
		cpu_relax();
	tsc_spin_ms(2); /* anything beyond `total` would show now */
	cli();
	return ipi_total();
}

bool on_each_cpu(u32 ncpus, void (*fn)(void *), void *arg)
{
	bool ok = true;
	for (u32 cpu = 1; cpu < ncpus; cpu++)
		ok &= smp_call(cpu, fn, arg);
	fn(arg);
	return ok;
}

/* "cpus=N" in the Multiboot command line, else 0. */
static u32 expected_cpus(const struct mb1_info *mbi)
{
	if (!(mbi->flags & MB1_INFO_CMDLINE) || !mbi->cmdline)
		return 0;
	for (const char *c = (const char *)(uintptr_t)mbi->cmdline; *c; c++) {
		if (c[0] == 'c' && c[1] == 'p' && c[2] == 'u' && c[3] == 's' && c[4] == '=' &&
		    c[5] >= '1' && c[5] <= '8')
			return (u32)(c[5] - '0');
	}
	return 0;
}

int main(u32 magic, const struct mb1_info *mbi)
{
	(void)magic;
	printf("smp-test: started\n");
	pic_init(PIC_MASK_ALL);
	apic_write(APIC_LVT_LINT0, APIC_LVT_MASKED);
	for (u32 v = 0; v < SMP_MAX_CPUS; v++)
		trap_set_handler((u8)(IPI_VECTOR_BASE + v), on_ipi);
	trap_set_handler(LOWEST_VECTOR, on_lowest);
	trap_set_handler(VEC_NMI, on_nmi);
	smp_init();

	u32 expected = expected_cpus(mbi);
	u32 ncpus = smp_fw_cfg_cpus();
	test_bringup(ncpus, expected);
	if (ncpus < 2 || ncpus > SMP_MAX_CPUS || ncpus != expected)
		report_summary();
	test_ipis(ncpus);
	test_restart(ncpus);
	test_wakeups(ncpus);
	test_x2apic_ipis(ncpus);
	u16 sleep_port = test_acpi(ncpus);
	if (report_end() || !sleep_port)
		guest_exit(EXIT_FAIL);
	printf("smp-test: powering off through ACPI (port 0x%x)\n", sleep_port);
	outb(sleep_port, SLP_TYP_S5_EN);
	printf("smp-test: still running after the ACPI power-off\n");
	guest_exit(EXIT_FAIL);
}
