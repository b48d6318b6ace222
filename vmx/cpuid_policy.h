/* What guests see from CPUID: the host's values, filtered, plus the platform mhv emulates
 * (local APIC, topology, timer frequencies). Pure function, host-tested.
 *
 * Feature bits (leaves 1 ECX/EDX, 7.0 EBX/ECX/EDX, 0xd.1 EAX, 0x80000001 ECX/EDX) are
 * decided bit by bit by the table in vmx/cpuid_features.c, which says for each bit what it
 * needs and why; bits not in it are cleared. The other leaves:
 *
 * | leaf            | policy                                                              |
 * |-----------------|---------------------------------------------------------------------|
 * | 0               | EAX = max(host max leaf, 0x16): leaves 0x15/0x16 always exist        |
 * | 1               | EBX: APIC ID = vCPU number, logical count = vCPUs; EAX as the host   |
 * | 4               | one package of N single-thread cores: EAX[31:26] = N-1; L1/L2 per     |
 * |                 | core, the last level shared by all N                                |
 * | 5, 0xa          | zero: no MONITOR/MWAIT, no PMU                                      |
 * | 6               | EAX = ARAT only (the LAPIC timer keeps running in idle)            |
 * | 7               | subleaf 0: EAX = 0 (no further subleaves); others zero              |
 * | 0xb, 0x1f       | SMT level (1 thread), core level (N cores); EDX = x2APIC ID          |
 * | 0xd             | without XSAVE: zero. 0: EDX:EAX = the components guests may enable   |
 * |                 | (x87, SSE, AVX, AVX-512: vmx/xsave_policy.h), EBX as the CPU says    |
 * |                 | for the live (guest's) XCR0, ECX = size for all of them; 1: EBX as   |
 * |                 | the CPU says, ECX:EDX = 0 (no supervisor states); i >= 2: the host's |
 * |                 | for offered components, zero for the others                          |
 * | 0x15            | EAX = 1, EBX = TSC/LAPIC-clock ratio, ECX = LAPIC clock Hz: Linux    |
 * |                 | then needs no timer or TSC calibration                              |
 * | 0x16            | base and max MHz = TSC MHz, bus MHz = LAPIC clock MHz                |
 * | other <= 0x16   | zero where the host has no such leaf                                 |
 * | 0x40000000      | max hypervisor leaf 0x40000010 and the "MHVMHVMHVMHV" signature      |
 * | 0x40000001      | zero: no paravirtual features                                       |
 * | 0x40000010      | EAX = TSC kHz, EBX = LAPIC clock kHz (the VMware/KVM timing leaf)    |
 * | other 0x400000xx| zero                                                                |
 * | 0x80000007      | EDX = invariant TSC only (mhv never stops or scales the guest TSC)  |
 * | other           | passed as the host CPU answers                                      |
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

struct cpuid_policy {
	unsigned vcpu_id;       /* its APIC ID */
	unsigned ncpus;         /* vCPUs in the VM: one package of ncpus single-thread cores */
	bool rdtscp;            /* the guest may execute RDTSCP */
	bool invpcid;           /* the guest may execute INVPCID */
	bool apic_enabled;      /* IA32_APIC_BASE.EN, which CPUID.1:EDX.APIC reflects */
	bool tsc_adjust;        /* IA32_TSC_ADJUST works (per-vCPU TSC offsetting) */
	bool xsave;             /* XSAVE offered, XCR0 switched per vCPU (vmx/xsave.h) */
	bool xsaves;            /* "enable XSAVES/XRSTORS" is set */
	bool osxsave;           /* the guest's CR4.OSXSAVE, set before each filtering */
	uint64_t xcr0_mask;     /* XCR0 bits guests may set */
	uint32_t xsave_size;    /* standard-form XSAVE area for all of them */
	uint32_t tsc_khz;
	uint32_t lapic_hz;      /* LAPIC timer count clock (the "crystal" of leaf 0x15) */
	uint32_t tsc_per_lapic; /* TSC ticks per LAPIC clock tick */
	uint32_t host_max_leaf; /* host CPUID.0:EAX */
};

/* The policy of vCPU `id` of `ncpus`, from the host CPU and mhv's clocks (vmx/exit_cpuid.c;
 * not part of the host-tested code). */
void cpuid_policy_init(struct cpuid_policy *p, unsigned id, unsigned ncpus);
/* Rewrites `r`, which holds the host's answer for (leaf, subleaf). */
void cpuid_filter(uint32_t leaf, uint32_t subleaf, const struct cpuid_policy *p,
		  struct cpuid_regs *r);
