#include "vmx/cpuid_features.h"
#include "vmx/xsave_policy.h"

#define F(leaf, sub, reg, bit, rule, msr, name, why) {leaf, sub, reg, bit, rule, msr, name, why}
#define L1C(bit, rule, msr, name, why)	F(1, 0, CPUID_ECX, bit, rule, msr, name, why)
#define L1D(bit, rule, msr, name, why)	F(1, 0, CPUID_EDX, bit, rule, msr, name, why)
#define L7B(bit, rule, msr, name, why)	F(7, 0, CPUID_EBX, bit, rule, msr, name, why)
#define L7C(bit, rule, msr, name, why)	F(7, 0, CPUID_ECX, bit, rule, msr, name, why)
#define L7D(bit, rule, msr, name, why)	F(7, 0, CPUID_EDX, bit, rule, msr, name, why)
#define XD1(bit, rule, name, why)	F(0xd, 1, CPUID_EAX, bit, rule, 0, name, why)
#define X1C(bit, rule, name, why)	F(0x80000001, 0, CPUID_ECX, bit, rule, 0, name, why)
#define X1D(bit, rule, msr, name, why)	F(0x80000001, 0, CPUID_EDX, bit, rule, msr, name, why)

#define NATIVE	 "unprivileged instructions the CPU runs for the guest"
#define NO_PMU	 "no PMU or debug store is offered"
#define NO_POWER "power and thermal control belong to the host"
#define AVX_WHY	 "VEX instructions: YMM state in XCR0, switched per vCPU"
#define A512_WHY "EVEX instructions: opmask/ZMM state in XCR0, switched per vCPU"
#define SPEC_MSR "its MSR #GPs: mhv owns speculation control (vmx/spec_policy.h)"

const struct cpuid_feature cpuid_features[] = {
	L1C(0, FEAT_PASS, 0, "SSE3", NATIVE),
	L1C(1, FEAT_PASS, 0, "PCLMULQDQ", NATIVE),
	L1C(2, FEAT_HIDE, 0, "DTES64", NO_PMU),
	L1C(3, FEAT_HIDE, 0, "MONITOR", "MWAIT could stop the VMX-preemption timer"),
	L1C(4, FEAT_HIDE, 0, "DS-CPL", NO_PMU),
	L1C(5, FEAT_HIDE, 0, "VMX", "no nested virtualization"),
	L1C(6, FEAT_HIDE, 0, "SMX", "no trusted execution"),
	L1C(7, FEAT_HIDE, 0x199, "EST", NO_POWER),
	L1C(8, FEAT_HIDE, 0, "TM2", NO_POWER),
	L1C(9, FEAT_PASS, 0, "SSSE3", NATIVE),
	L1C(11, FEAT_HIDE, 0xc80, "SDBG", "IA32_DEBUG_INTERFACE is not emulated"),
	L1C(12, FEAT_IF_AVX, 0, "FMA", AVX_WHY),
	L1C(13, FEAT_PASS, 0, "CMPXCHG16B", NATIVE),
	L1C(14, FEAT_HIDE, 0, "xTPR", "xTPR messages are the host's"),
	L1C(15, FEAT_HIDE, 0x345, "PDCM", NO_PMU),
	L1C(17, FEAT_PASS, 0, "PCID", "CR4.PCIDE is the guest's; VPID/EPT keep guests apart"),
	L1C(18, FEAT_HIDE, 0, "DCA", "no device DMA"),
	L1C(19, FEAT_PASS, 0, "SSE4.1", NATIVE),
	L1C(20, FEAT_PASS, 0, "SSE4.2", NATIVE),
	L1C(21, FEAT_SET, 0x800, "x2APIC", "the virtual local APIC has x2APIC mode"),
	L1C(22, FEAT_PASS, 0, "MOVBE", NATIVE),
	L1C(23, FEAT_PASS, 0, "POPCNT", NATIVE),
	L1C(24, FEAT_SET, 0x6e0, "TSC-deadline", "the virtual local APIC timer has it"),
	L1C(25, FEAT_PASS, 0, "AES", NATIVE),
	L1C(26, FEAT_IF_XSAVE, 0, "XSAVE", "XCR0 switched per vCPU, XSETBV checked"),
	L1C(27, FEAT_IF_OSXSAVE, 0, "OSXSAVE", "reflects the guest's CR4.OSXSAVE"),
	L1C(28, FEAT_IF_AVX, 0, "AVX", AVX_WHY),
	L1C(29, FEAT_IF_AVX, 0, "F16C", AVX_WHY),
	L1C(30, FEAT_PASS, 0, "RDRAND", NATIVE),
	L1C(31, FEAT_SET, 0, "hypervisor", "guests may know they are guests (leaf 0x40000000)"),

	L1D(0, FEAT_PASS, 0, "FPU", NATIVE),
	L1D(1, FEAT_PASS, 0, "VME", "virtual-8086 extensions run under unrestricted guest"),
	L1D(2, FEAT_PASS, 0, "DE", NATIVE),
	L1D(3, FEAT_PASS, 0, "PSE", "guest paging under EPT"),
	L1D(4, FEAT_PASS, 0x10, "TSC", "RDTSC offset per vCPU; IA32_TSC emulated"),
	L1D(5, FEAT_PASS, 0, "MSR", "RDMSR/WRMSR exit to the allow-list"),
	L1D(6, FEAT_PASS, 0, "PAE", "guest paging under EPT"),
	L1D(7, FEAT_HIDE, 0x17a, "MCE", "machine checks are the host's"),
	L1D(8, FEAT_PASS, 0, "CX8", NATIVE),
	L1D(9, FEAT_IF_APIC, 0x1b, "APIC", "follows IA32_APIC_BASE.EN of the virtual APIC"),
	L1D(11, FEAT_PASS, 0x174, "SEP", "SYSENTER MSRs are in the VMCS"),
	L1D(12, FEAT_HIDE, 0xfe, "MTRR", "guest RAM is write-back; no MTRRs are emulated"),
	L1D(13, FEAT_PASS, 0, "PGE", "guest paging under EPT"),
	L1D(14, FEAT_HIDE, 0x179, "MCA", "machine checks are the host's"),
	L1D(15, FEAT_PASS, 0, "CMOV", NATIVE),
	L1D(16, FEAT_PASS, 0x277, "PAT", "IA32_PAT switched on entry and exit"),
	L1D(17, FEAT_PASS, 0, "PSE-36", "guest paging under EPT"),
	L1D(19, FEAT_PASS, 0, "CLFSH", NATIVE),
	L1D(21, FEAT_HIDE, 0x600, "DS", NO_PMU),
	L1D(22, FEAT_HIDE, 0x19c, "ACPI", NO_POWER),
	L1D(23, FEAT_PASS, 0, "MMX", NATIVE),
	L1D(24, FEAT_PASS, 0, "FXSR", "x87/SSE state switched per vCPU"),
	L1D(25, FEAT_PASS, 0, "SSE", NATIVE),
	L1D(26, FEAT_PASS, 0, "SSE2", NATIVE),
	L1D(27, FEAT_PASS, 0, "SS", "cache self-snoop: a property, no state"),
	L1D(28, FEAT_SET, 0, "HTT", "EBX[23:16] counts the vCPUs"),
	L1D(29, FEAT_HIDE, 0, "TM", NO_POWER),
	L1D(31, FEAT_HIDE, 0, "PBE", NO_POWER),

	L7B(0, FEAT_PASS, 0, "FSGSBASE", "FS/GS bases are in the VMCS"),
	L7B(1, FEAT_IF_TSC_ADJUST, 0x3b, "TSC_ADJUST", "per-vCPU TSC offset"),
	L7B(2, FEAT_HIDE, 0, "SGX", "no enclaves"),
	L7B(3, FEAT_PASS, 0, "BMI1", NATIVE),
	L7B(4, FEAT_PASS, 0, "HLE", NATIVE),
	L7B(5, FEAT_IF_AVX, 0, "AVX2", AVX_WHY),
	L7B(6, FEAT_PASS, 0, "FDP_EXCPTN_ONLY", "x87 behaviour, no state"),
	L7B(7, FEAT_PASS, 0, "SMEP", "CR4.SMEP is the guest's"),
	L7B(8, FEAT_PASS, 0, "BMI2", NATIVE),
	L7B(9, FEAT_PASS, 0, "ERMS", NATIVE),
	L7B(10, FEAT_IF_INVPCID, 0, "INVPCID", "runs natively only with the control"),
	L7B(11, FEAT_PASS, 0, "RTM", NATIVE),
	L7B(12, FEAT_HIDE, 0xc8f, "RDT-M", "resource monitoring is the host's"),
	L7B(13, FEAT_PASS, 0, "FPU-CSDS", "x87 behaviour, no state"),
	L7B(14, FEAT_HIDE, 0xd90, "MPX", "its bound registers are not switched"),
	L7B(15, FEAT_HIDE, 0xc8f, "RDT-A", "resource allocation is the host's"),
	L7B(16, FEAT_IF_AVX512, 0, "AVX512F", A512_WHY),
	L7B(17, FEAT_IF_AVX512, 0, "AVX512DQ", A512_WHY),
	L7B(18, FEAT_PASS, 0, "RDSEED", NATIVE),
	L7B(19, FEAT_PASS, 0, "ADX", NATIVE),
	L7B(20, FEAT_PASS, 0, "SMAP", "CR4.SMAP is the guest's"),
	L7B(21, FEAT_IF_AVX512, 0, "AVX512_IFMA", A512_WHY),
	L7B(23, FEAT_PASS, 0, "CLFLUSHOPT", NATIVE),
	L7B(24, FEAT_PASS, 0, "CLWB", NATIVE),
	L7B(25, FEAT_HIDE, 0x570, "PT", "processor trace is not switched"),
	L7B(26, FEAT_IF_AVX512, 0, "AVX512PF", A512_WHY),
	L7B(27, FEAT_IF_AVX512, 0, "AVX512ER", A512_WHY),
	L7B(28, FEAT_IF_AVX512, 0, "AVX512CD", A512_WHY),
	L7B(29, FEAT_PASS, 0, "SHA", NATIVE),
	L7B(30, FEAT_IF_AVX512, 0, "AVX512BW", A512_WHY),
	L7B(31, FEAT_IF_AVX512, 0, "AVX512VL", A512_WHY),

	L7C(0, FEAT_PASS, 0, "PREFETCHWT1", NATIVE),
	L7C(1, FEAT_IF_AVX512, 0, "AVX512_VBMI", A512_WHY),
	L7C(2, FEAT_PASS, 0, "UMIP", "CR4.UMIP is the guest's"),
	L7C(3, FEAT_HIDE, 0, "PKU", "PKRU is not switched"),
	L7C(4, FEAT_HIDE, 0, "OSPKE", "PKRU is not switched"),
	L7C(5, FEAT_HIDE, 0xe1, "WAITPKG", "UMWAIT could stop the VMX-preemption timer"),
	L7C(6, FEAT_IF_AVX512, 0, "AVX512_VBMI2", A512_WHY),
	L7C(7, FEAT_HIDE, 0x6a0, "CET_SS", "CET state is not switched"),
	L7C(8, FEAT_PASS, 0, "GFNI", NATIVE),
	L7C(9, FEAT_IF_AVX, 0, "VAES", AVX_WHY),
	L7C(10, FEAT_IF_AVX, 0, "VPCLMULQDQ", AVX_WHY),
	L7C(11, FEAT_IF_AVX512, 0, "AVX512_VNNI", A512_WHY),
	L7C(12, FEAT_IF_AVX512, 0, "AVX512_BITALG", A512_WHY),
	L7C(13, FEAT_HIDE, 0x982, "TME", "memory encryption is the host's"),
	L7C(14, FEAT_IF_AVX512, 0, "AVX512_VPOPCNTDQ", A512_WHY),
	L7C(16, FEAT_HIDE, 0, "LA57", "57-bit addresses are not checked as canonical"),
	L7C(22, FEAT_IF_RDTSCP, 0xc0000103, "RDPID", "reads IA32_TSC_AUX, switched per vCPU"),
	L7C(23, FEAT_HIDE, 0, "KL", "key locker state is not switched"),
	L7C(25, FEAT_PASS, 0, "CLDEMOTE", NATIVE),
	L7C(27, FEAT_PASS, 0, "MOVDIRI", NATIVE),
	L7C(28, FEAT_PASS, 0, "MOVDIR64B", NATIVE),
	L7C(29, FEAT_HIDE, 0xd93, "ENQCMD", "IA32_PASID is not switched"),
	L7C(30, FEAT_HIDE, 0x8c, "SGX_LC", "no enclaves"),
	L7C(31, FEAT_HIDE, 0x6e1, "PKS", "IA32_PKRS is not switched"),

	L7D(2, FEAT_IF_AVX512, 0, "AVX512_4VNNIW", A512_WHY),
	L7D(3, FEAT_IF_AVX512, 0, "AVX512_4FMAPS", A512_WHY),
	L7D(4, FEAT_PASS, 0, "FSRM", NATIVE),
	L7D(5, FEAT_HIDE, 0, "UINTR", "user interrupts are not virtualized"),
	L7D(8, FEAT_IF_AVX512, 0, "AVX512_VP2INTERSECT", A512_WHY),
	L7D(9, FEAT_HIDE, 0x123, "SRBDS_CTRL", SPEC_MSR),
	L7D(10, FEAT_PASS, 0, "MD_CLEAR", "VERW clears buffers: guests use it too"),
	L7D(11, FEAT_PASS, 0, "RTM_ALWAYS_ABORT", "a property, no state"),
	L7D(13, FEAT_HIDE, 0x10f, "TSX_FORCE_ABORT", SPEC_MSR),
	L7D(14, FEAT_PASS, 0, "SERIALIZE", NATIVE),
	L7D(15, FEAT_HIDE, 0, "HYBRID", "vCPUs are all alike"),
	L7D(16, FEAT_PASS, 0, "TSXLDTRK", NATIVE),
	L7D(18, FEAT_HIDE, 0, "PCONFIG", "memory encryption is the host's"),
	L7D(19, FEAT_HIDE, 0x14ce, "ARCH_LBR", NO_PMU),
	L7D(20, FEAT_HIDE, 0x6a2, "CET_IBT", "CET state is not switched"),
	L7D(22, FEAT_HIDE, 0, "AMX_BF16", "AMX needs XFD, not offered"),
	L7D(23, FEAT_IF_AVX512, 0, "AVX512_FP16", A512_WHY),
	L7D(24, FEAT_HIDE, 0, "AMX_TILE", "AMX needs XFD, not offered"),
	L7D(25, FEAT_HIDE, 0, "AMX_INT8", "AMX needs XFD, not offered"),
	L7D(26, FEAT_HIDE, 0x48, "IBRS_IBPB", SPEC_MSR),
	L7D(27, FEAT_HIDE, 0x48, "STIBP", SPEC_MSR),
	L7D(28, FEAT_HIDE, 0x10b, "L1D_FLUSH", SPEC_MSR),
	L7D(29, FEAT_HIDE, 0x10a, "ARCH_CAPABILITIES", SPEC_MSR),
	L7D(30, FEAT_HIDE, 0xcf, "CORE_CAPABILITIES", "IA32_CORE_CAPABILITIES #GPs"),
	L7D(31, FEAT_HIDE, 0x48, "SSBD", SPEC_MSR),

	XD1(0, FEAT_IF_XSAVE, "XSAVEOPT", "XSAVE variants over the same switched state"),
	XD1(1, FEAT_IF_XSAVE, "XSAVEC", "XSAVE variants over the same switched state"),
	XD1(2, FEAT_IF_XSAVE, "XGETBV1", "XINUSE of the guest's own state"),
	F(0xd, 1, CPUID_EAX, 3, FEAT_IF_XSAVES, 0xda0, "XSAVES",
	  "runs natively with the control; IA32_XSS allows no supervisor state"),
	XD1(4, FEAT_HIDE, "XFD", "IA32_XFD is not switched"),

	X1C(0, FEAT_PASS, "LAHF-SAHF", NATIVE),
	X1C(2, FEAT_HIDE, "SVM", "no nested virtualization"),
	X1C(5, FEAT_PASS, "LZCNT", NATIVE),
	X1C(8, FEAT_PASS, "PREFETCHW", NATIVE),
	X1D(11, FEAT_PASS, 0xc0000081, "SYSCALL", "STAR/LSTAR/CSTAR/SFMASK switched per vCPU"),
	X1D(20, FEAT_PASS, 0, "NX", "EFER.NXE is the guest's"),
	X1D(26, FEAT_PASS, 0, "Page1GB", "guest paging under EPT"),
	X1D(27, FEAT_IF_RDTSCP, 0xc0000103, "RDTSCP", "IA32_TSC_AUX switched per vCPU"),
	X1D(29, FEAT_PASS, 0xc0000080, "LM", "EFER in the VMCS, FS/GS/KERNEL_GS bases switched"),
};

const unsigned cpuid_nfeatures = sizeof cpuid_features / sizeof cpuid_features[0];

bool cpuid_feature_on(const struct cpuid_feature *f, const struct cpuid_policy *p, bool host_has)
{
	switch (f->rule) {
	case FEAT_SET:
		return true;
	case FEAT_PASS:
		return host_has;
	case FEAT_IF_APIC:
		return p->apic_enabled;
	case FEAT_IF_XSAVE:
		return host_has && p->xsave;
	case FEAT_IF_OSXSAVE:
		return p->xsave && p->osxsave;
	case FEAT_IF_AVX:
		return host_has && (p->xcr0_mask & XFEATURE_AVX);
	case FEAT_IF_AVX512:
		return host_has && (p->xcr0_mask & XFEATURE_AVX512) == XFEATURE_AVX512;
	case FEAT_IF_XSAVES:
		return host_has && p->xsave && p->xsaves;
	case FEAT_IF_RDTSCP:
		return host_has && p->rdtscp;
	case FEAT_IF_INVPCID:
		return host_has && p->invpcid;
	case FEAT_IF_TSC_ADJUST:
		return p->tsc_adjust;
	default:
		return false;
	}
}

bool cpuid_feature_reg(uint32_t leaf, uint32_t subleaf, enum cpuid_reg reg)
{
	switch (leaf) {
	case 1:
	case 0x80000001:
		return reg == CPUID_ECX || reg == CPUID_EDX;
	case 7:
		return subleaf == 0 && reg != CPUID_EAX;
	case 0xd:
		return subleaf == 1 && reg == CPUID_EAX;
	default:
		return false;
	}
}
