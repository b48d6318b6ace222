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

static bool canonical(uint64_t a)
{
	return (uint64_t)((int64_t)(a << 16) >> 16) == a;
}

bool guest_msr_slot(struct vcpu *v, uint32_t msr, uint64_t *val, bool write)
{
	for (int i = 0; i < GUEST_LAZY_MSRS; i++) {
		if (lazy_msr_index[i] != msr)
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
		if (from)
			from->lazy_msrs[i] = rdmsr(lazy_msr_index[i]);
		wrmsr(lazy_msr_index[i], to->lazy_msrs[i]);
	}
}
