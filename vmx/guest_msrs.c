#include "vmx/guest_msrs.h"
#include "kernel/x86.h"
#include "vmx/vcpu.h"

static const uint32_t lazy_msr_index[GUEST_LAZY_MSRS] = {
	0xc0000081, /* STAR: SYSCALL/SYSRET selectors */
	0xc0000082, /* LSTAR: 64-bit SYSCALL target */
	0xc0000083, /* CSTAR: compatibility-mode SYSCALL target */
	0xc0000084, /* SFMASK: RFLAGS mask on SYSCALL */
	0xc0000102, /* KERNEL_GS_BASE: swapped in by SWAPGS */
	0xc0000103, /* TSC_AUX: returned by RDTSCP */
};

#define MSR_TSC_AUX		0xc0000103
#define CPUIDX1_EDX_RDTSCP	(1u << 27) /* CPUID 0x80000001 EDX */
#define CPUID7_ECX_RDPID	(1u << 22)

/* IA32_TSC_AUX exists only with RDTSCP or RDPID: elsewhere touching it #GPs in the host. */
static bool tsc_aux_exists(void)
{
	static int exists = -1;
	if (exists < 0) {
		uint32_t a, b, c, d, max;
		cpuid(0x80000000, 0, &max, &b, &c, &d);
		bool rdtscp = false;
		if (max >= 0x80000001) {
			cpuid(0x80000001, 0, &a, &b, &c, &d);
			rdtscp = d & CPUIDX1_EDX_RDTSCP;
		}
		cpuid(0, 0, &max, &b, &c, &d);
		bool rdpid = false;
		if (max >= 7) {
			cpuid(7, 0, &a, &b, &c, &d);
			rdpid = c & CPUID7_ECX_RDPID;
		}
		exists = rdtscp || rdpid;
	}
	return exists;
}

static bool canonical(uint64_t a)
{
	return (uint64_t)((int64_t)(a << 16) >> 16) == a;
}

bool guest_msr_slot(struct vcpu *v, uint32_t msr, uint64_t *val, bool write)
{
	for (int i = 0; i < GUEST_LAZY_MSRS; i++) {
		if (lazy_msr_index[i] != msr || (msr == MSR_TSC_AUX && !tsc_aux_exists()))
			continue;
		if (!write) {
			*val = rdmsr(msr);
			return true;
		}
		bool high_reserved = lazy_msr_index[i] == 0xc0000084 || lazy_msr_index[i] == 0xc0000103;
		bool address = !high_reserved && lazy_msr_index[i] != 0xc0000081;
		/* A value the CPU would refuse must #GP in the guest, not in the hypervisor. */
		if ((high_reserved && *val >> 32) || (address && !canonical(*val)))
			return false;
		wrmsr(msr, *val);
		return true;
	}
	return false;
}

void guest_msrs_switch(struct vcpu *from, struct vcpu *to)
{
	for (int i = 0; i < GUEST_LAZY_MSRS; i++) {
		if (lazy_msr_index[i] == MSR_TSC_AUX && !tsc_aux_exists())
			continue;
		if (from)
			from->lazy_msrs[i] = rdmsr(lazy_msr_index[i]);
		wrmsr(lazy_msr_index[i], to->lazy_msrs[i]);
	}
}
