/* Fixed IPIs from every CPU to every other one, each sender with its own vector so the
 * receiver knows who sent it: physical, logical flat, logical cluster and all-but-self
 * destinations must each arrive exactly once per pair, never at the sender. Then NMIs both
 * ways and lowest-priority delivery (one CPU of the set, whichever). */
#include "guests/lib/apic.h"
#include "guests/lib/printf.h"
#include "guests/lib/report.h"
#include "guests/lib/smp.h"
#include "guests/lib/string.h"
#include "guests/lib/tsc.h"
#include "guests/lib/x86.h"
#include "guests/smp-test/tests.h"

#define LOWEST_SENDS 6

enum dest_form {
	PHYSICAL,
	LOGICAL_FLAT,
	LOGICAL_CLUSTER,
	ALL_BUT_SELF,
	X2APIC_PHYSICAL,
	X2APIC_LOGICAL
};

static u32 ncpus_sending;

/* Cluster model: CPUs 0, 1 in cluster 1 and 2, 3 in cluster 2 ..., member bit cpu % 2. */
static u32 cluster_id(u32 cpu)
{
	return ((cpu / 2 + 1) << 4) | (1u << (cpu % 2));
}

static void set_logical_id(void *arg)
{
	enum dest_form form = *(enum dest_form *)arg;
	u32 me = apic_id();
	if (form == LOGICAL_FLAT) {
		apic_write(APIC_DFR, 0xffffffff);
		apic_write(APIC_LDR, (1u << me) << 24);
	} else {
		apic_write(APIC_DFR, 0x0fffffff);
		apic_write(APIC_LDR, cluster_id(me) << 24);
	}
}

static void send_to_others(void *arg)
{
	enum dest_form form = *(enum dest_form *)arg;
	u32 me = apic_id(), icr = APIC_DM_FIXED | (IPI_VECTOR_BASE + me);
	if (form == ALL_BUT_SELF) {
		apic_icr_write(APIC_DEST_ALL_BUT_SELF | icr, 0);
		return;
	}
	for (u32 to = 0; to < ncpus_sending; to++) {
		if (to == me)
			continue;
		switch (form) {
		case PHYSICAL:
		case X2APIC_PHYSICAL:
			apic_icr_write(icr, to);
			break;
		case LOGICAL_FLAT:
			apic_icr_write(APIC_DEST_LOGICAL | icr, 1u << to);
			break;
		case LOGICAL_CLUSTER:
			apic_icr_write(APIC_DEST_LOGICAL | icr, cluster_id(to));
			break;
		case X2APIC_LOGICAL: /* LDR derived from the ID: cluster ID >> 4, bit ID & 15 */
			apic_icr_write(APIC_DEST_LOGICAL | icr, (to >> 4) << 16 | 1u << (to & 15));
			break;
		case ALL_BUT_SELF:
			break;
		}
	}
}

/* Every ordered pair once: the matrix must be all ones off the diagonal, zero on it. */
static void check_all_pairs(u32 ncpus, enum dest_form form, const char *name)
{
	ncpus_sending = ncpus;
	ipi_counts_reset();
	bool called = on_each_cpu(ncpus, send_to_others, &form);
	u32 total = ipi_wait_total(ncpus * (ncpus - 1));
	bool exact = true;
	char bad[64] = "";
	for (u32 r = 0; r < ncpus; r++) {
		for (u32 s = 0; s < ncpus; s++) {
			u32 want = r != s;
			if (ipi_got[r][s] != want && exact) {
				exact = false;
				snprintf(bad, sizeof bad, ", %u->%u got %u", s, r, ipi_got[r][s]);
			}
		}
	}
	report(called && exact && total == ncpus * (ncpus - 1),
	       "ipi: %s: each of %u CPUs to each other once (%u IPIs%s)", name, ncpus, total, bad);
}

static void nmi_to_bsp(void *arg)
{
	(void)arg;
	apic_icr_write(APIC_DM_NMI, 0);
}

static void check_nmis(u32 ncpus)
{
	ipi_counts_reset();
	for (u32 cpu = 1; cpu < ncpus; cpu++)
		apic_icr_write(APIC_DM_NMI, cpu);
	for (u32 cpu = 1; cpu < ncpus; cpu++)
		smp_call(cpu, nmi_to_bsp, 0);
	ipi_wait_total(0);
	bool each = true;
	for (u32 cpu = 1; cpu < ncpus; cpu++)
		each &= nmi_got[cpu] == 1;
	report(each && nmi_got[0] == ncpus - 1,
	       "ipi: NMI to each AP runs its NMI handler once; each AP's NMI reaches the BSP (%u)",
	       nmi_got[0]);
}

static u32 lowest_total(void)
{
	u32 n = 0;
	for (u32 cpu = 0; cpu < SMP_MAX_CPUS; cpu++)
		n += lowest_got[cpu];
	return n;
}

/* The SDM lets the chipset pick any CPU of the set; exactly one must take each. */
static void check_lowest_priority(u32 ncpus)
{
	enum dest_form flat = LOGICAL_FLAT;
	on_each_cpu(ncpus, set_logical_id, &flat);
	ipi_counts_reset();
	bool one_each = true;
	for (u32 i = 0; i < LOWEST_SENDS; i++) {
		apic_icr_write(APIC_DEST_LOGICAL | APIC_DM_LOWEST | LOWEST_VECTOR,
			       (1u << ncpus) - 1);
		u64 end = rdtsc() + tsc_from_ms(SMP_WAIT_MS);
		sti();
		while (lowest_total() < i + 1 && rdtsc() < end)
			cpu_relax();
		tsc_spin_ms(2);
		cli();
		one_each &= lowest_total() == i + 1;
	}
	char who[48] = "";
	for (u32 cpu = 0; cpu < ncpus; cpu++) {
		size_t n = strlen(who);
		snprintf(who + n, sizeof who - n, " %u", lowest_got[cpu]);
	}
	report(one_each && lowest_total() == LOWEST_SENDS,
	       "ipi: lowest priority to all %u CPUs: each of %u IPIs reached exactly one (per "
	       "CPU:%s)",
	       ncpus, LOWEST_SENDS, who);
}

void test_ipis(u32 ncpus)
{
	check_all_pairs(ncpus, PHYSICAL, "physical");
	enum dest_form form = LOGICAL_FLAT;
	on_each_cpu(ncpus, set_logical_id, &form);
	check_all_pairs(ncpus, LOGICAL_FLAT, "logical flat");
	form = LOGICAL_CLUSTER;
	on_each_cpu(ncpus, set_logical_id, &form);
	check_all_pairs(ncpus, LOGICAL_CLUSTER, "logical cluster");
	check_all_pairs(ncpus, ALL_BUT_SELF, "all-but-self");
	check_nmis(ncpus);
	check_lowest_priority(ncpus);
}

static void enter_x2apic(void *arg)
{
	bool *ok = arg;
	if (!apic_enter_x2apic())
		*ok = false;
}

/* The xAPIC page of a CPU in x2APIC mode holds nothing, whatever mode the others are in. */
static void read_xapic_version(void *arg)
{
	*(u32 *)arg = *(volatile u32 *)(APIC_DEFAULT_BASE + APIC_VERSION);
}

void test_x2apic_ipis(u32 ncpus)
{
	bool ok = true;
	/* One CPU at a time (the MSR write is guarded by the global TRAP_TRY), the BSP last. */
	for (u32 cpu = 1; cpu < ncpus; cpu++)
		smp_call(cpu, enter_x2apic, &ok);
	u32 seen = 0;
	smp_call(1, read_xapic_version, &seen);
	report(seen == 0xffffffff,
	       "ipi: an AP in x2APIC mode reads its xAPIC page as all-ones while the BSP is in "
	       "xAPIC mode (0x%x)",
	       seen);
	enter_x2apic(&ok);
	apic_x2apic = true;
	report(ok, "ipi: every CPU switched to x2APIC mode");
	if (!ok)
		return;
	check_all_pairs(ncpus, X2APIC_PHYSICAL, "x2APIC physical");
	check_all_pairs(ncpus, X2APIC_LOGICAL, "x2APIC logical");
	check_all_pairs(ncpus, ALL_BUT_SELF, "x2APIC all-but-self");
}
