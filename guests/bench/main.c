/* Exit-cost benchmark: times N round trips of each kind of VM exit with serialized RDTSC and
 * prints one line per kind, then the local APIC's costs (apic.c). The lfence/rdtsc pair
 * around each operation is included. Run it with cpus=2 for the IPI round trip. */
#include "guests/bench/bench.h"
#include "guests/lib/div64.h"
#include "guests/lib/exit.h"
#include "guests/lib/multiboot.h"
#include "guests/lib/printf.h"
#include "guests/lib/trap.h"
#include "guests/lib/vmcall.h"
#include "guests/lib/x86.h"
#include "kernel/guest_abi.h"

#define PORT_UNCLAIMED 0x2f0

struct bench {
	const char *name;
	void (*op)(void);
	bool needs_vmcall; /* VMCALL #UDs without a hypervisor */
};

/* Calls an empty function between the same RDTSC pair: the guest's own share of each row. */
static void op_none(void)
{
	__asm__ volatile("" ::: "memory");
}

static void op_cpuid(void)
{
	cpuid(0);
}

static void op_vmcall(void)
{
	hc_nop();
}

static void op_pio(void)
{
	outb(PORT_UNCLAIMED, 0);
}

static void op_mmio(void)
{
	*(volatile u32 *)(MHV_TESTDEV_GPA + MHV_TESTDEV_SCRATCH) = 0;
}

static const struct bench benches[] = {
    {"none", op_none, false},
    {"cpuid", op_cpuid, false},
    {"vmcall", op_vmcall, true},
    {"pio", op_pio, false},
    {"mmio", op_mmio, false},
};

static void run(const struct bench *b)
{
	u64 total = 0, min = ~0ull;

	b->op(); /* warm up caches and TLBs */
	for (u32 i = 0; i < ITERS; i++) {
		u64 t0 = rdtsc_ordered();
		b->op();
		u64 dt = rdtsc_ordered() - t0;
		total += dt;
		if (dt < min)
			min = dt;
	}
	bench_print(b->name, ITERS, udiv64(total, ITERS, NULL), min);
}

void bench_print(const char *name, u32 iters, u64 avg, u64 min)
{
	printf("bench: %s %u iters, avg %llu cycles, min %llu cycles\n", name, iters, avg, min);
}

int main(u32 magic, const struct mb1_info *mbi)
{
	(void)magic;
	(void)mbi;
	bool complete = true;
	s32 ret;

	bool have_vmcall = vmcall_safe(MHV_HC_NOP, 0, 0, 0, 0, &ret);
	for (u32 i = 0; i < sizeof(benches) / sizeof(benches[0]); i++) {
		if (benches[i].needs_vmcall && !have_vmcall) {
			printf("bench: %s unavailable (vector %d)\n", benches[i].name,
			       trap_caught_vector);
			complete = false;
			continue;
		}
		run(&benches[i]);
	}
	bench_apic();
	printf("bench: done\n");
	return complete ? EXIT_PASS : EXIT_FAIL;
}
