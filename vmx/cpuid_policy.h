/* What guests see from CPUID: the host's values, filtered. Pure function, host-tested.
 *
 * | leaf            | policy                                                              |
 * |-----------------|---------------------------------------------------------------------|
 * | 0               | passed (max leaf, vendor)                                           |
 * | 1               | ECX: VMX, SMX, EST, TM2, xTPR, PDCM, DCA, x2APIC, TSC-deadline,     |
 * |                 | XSAVE, OSXSAVE, AVX, MONITOR cleared; hypervisor bit set.           |
 * |                 | EDX: APIC (no local APIC emulated yet), MCE, MCA, MTRR, DS, ACPI,   |
 * |                 | TM, PBE cleared. EBX: APIC ID = vCPU number, 1 logical CPU.         |
 * | 4               | cores/threads sharing fields zeroed (one core, one thread)          |
 * | 5, 6, 0xa       | zero: no MONITOR/MWAIT, power management or PMU                     |
 * | 7.0             | EBX: SGX, AVX2, INVPCID (unless enabled), RDT, MPX, AVX-512, PT      |
 * |                 | cleared; ECX: WAITPKG, AVX-512 VBMI etc, SGX-LC cleared; EDX: MD_CLEAR|
 * |                 | kept, IBRS/STIBP/ARCH_CAP/SSBD/core-caps cleared (their MSRs #GP)    |
 * | 0xb, 0x1f       | zero: no topology enumeration                                       |
 * | 0xd             | zero: XSAVE is not offered (guest FPU state is FXSAVE-sized)         |
 * | 0x15, 0x16      | zero: guests calibrate the TSC against the emulated PIT, the same    |
 * |                 | clock the hypervisor calibrated against (Bochs's CPUID values differ)|
 * | 0x40000000      | max hypervisor leaf 0x40000010 and the "MHVMHVMHVMHV" signature      |
 * | 0x40000001      | zero: no paravirtual features                                       |
 * | 0x40000010      | EAX = TSC frequency in kHz, EBX = 0 (the VMware/KVM timing leaf)      |
 * | other 0x400000xx| zero                                                                |
 * | 0x80000000+     | passed; 0x80000001 ECX SVM cleared, EDX RDTSCP only if enabled       |
 * | other           | passed as the host CPU answers                                      |
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

struct cpuid_policy {
	unsigned vcpu_id;
	bool rdtscp;  /* the guest may execute RDTSCP */
	bool invpcid; /* the guest may execute INVPCID */
	uint32_t tsc_khz;
};

/* Rewrites `r`, which holds the host's answer for (leaf, subleaf). */
void cpuid_filter(uint32_t leaf, uint32_t subleaf, const struct cpuid_policy *p,
		  struct cpuid_regs *r);
