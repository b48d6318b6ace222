#include "vmx/cpuid_policy.h"
#include "kernel/guest_abi.h"

#define C1_ECX_MONITOR   (1u << 3)
#define C1_ECX_DSCPL     (1u << 4)
#define C1_ECX_VMX       (1u << 5)
#define C1_ECX_SMX       (1u << 6)
#define C1_ECX_EST       (1u << 7)
#define C1_ECX_TM2       (1u << 8)
#define C1_ECX_XTPR      (1u << 14)
#define C1_ECX_PDCM      (1u << 15)
#define C1_ECX_DCA       (1u << 18)
#define C1_ECX_X2APIC    (1u << 21)
#define C1_ECX_TSC_DL    (1u << 24)
#define C1_ECX_XSAVE     (1u << 26)
#define C1_ECX_OSXSAVE   (1u << 27)
#define C1_ECX_AVX       (1u << 28)
#define C1_ECX_HYPERVISOR (1u << 31)
#define C1_EDX_MCE       (1u << 7)
#define C1_EDX_HTT       (1u << 28) /* EBX[23:16] (logical processor count) is valid */
#define C1_EDX_APIC      (1u << 9)
#define C1_EDX_MTRR      (1u << 12)
#define C1_EDX_MCA       (1u << 14)
#define C1_EDX_DS        (1u << 21)
#define C1_EDX_ACPI      (1u << 22)
#define C1_EDX_TM        (1u << 29)
#define C1_EDX_PBE       (1u << 31)
#define C7_EBX_TSC_ADJUST (1u << 1) /* IA32_TSC_ADJUST MSR */
#define C7_EBX_SGX       (1u << 2)
#define C7_EBX_AVX2      (1u << 5)
#define C7_EBX_INVPCID   (1u << 10)
#define C7_EBX_RDT_M     (1u << 12)
#define C7_EBX_MPX       (1u << 14)
#define C7_EBX_RDT_A     (1u << 15)
#define C7_EBX_AVX512    0xdc230000u /* F DQ IFMA PF ER CD BW VL */
#define C7_EBX_PT        (1u << 25)
#define C7_ECX_AVX512    0x00005842u /* VBMI VBMI2 VNNI BITALG VPOPCNTDQ */
#define C7_ECX_PKU       (1u << 3)  /* protection keys: PKRU is not switched */
#define C7_ECX_OSPKE     (1u << 4)
#define C7_ECX_WAITPKG   (1u << 5)
#define C7_ECX_CET_SS    (1u << 7)  /* CET: its state is not switched */
#define C7_ECX_LA57      (1u << 16) /* 5-level paging: canonical checks are 48-bit */
#define C7_ECX_SGX_LC    (1u << 30)
#define C7_EDX_SPEC_MSRS 0xbc000000u /* IBRS/IBPB STIBP L1D_FLUSH ARCH_CAP CORE_CAP SSBD */
#define C7_EDX_AVX512    0x0080010cu /* 4VNNIW 4FMAPS VP2INTERSECT FP16 */
#define C7_EDX_CET_IBT   (1u << 20)
#define CX1_ECX_SVM      (1u << 2)
#define CX1_EDX_RDTSCP   (1u << 27)
#define C6_EAX_ARAT      (1u << 2)  /* APIC timer always running */
#define CX7_EDX_INVARIANT_TSC (1u << 8)
#define MAX_BASIC_LEAF   0x16
#define TOPO_LEVEL_SMT   1u /* CPUID 0xb/0x1f ECX[15:8] level types */
#define TOPO_LEVEL_CORE  2u
#define C4_CACHE_LEVEL(eax) (((eax) >> 5) & 7)

static unsigned bits_for(unsigned n)
{
	unsigned b = 0;
	while ((1u << b) < n)
		b++;
	return b;
}

/* Leaf 4: one package of ncpus single-thread cores; caches below the last level per core. */
static void cache_topology(const struct cpuid_policy *p, struct cpuid_regs *r)
{
	unsigned n = p->ncpus ? p->ncpus : 1;
	uint32_t sharing = C4_CACHE_LEVEL(r->eax) >= 3 ? n - 1 : 0;
	if ((r->eax & 0x1f) == 0) /* no more caches */
		return;
	r->eax = (r->eax & 0x00003fffu) | (sharing << 14) | ((n - 1) << 26);
}

static void topology_leaf(const struct cpuid_policy *p, struct cpuid_regs *r, uint32_t subleaf)
{
	unsigned n = p->ncpus ? p->ncpus : 1;
	r->edx = p->vcpu_id;
	r->ecx = subleaf & 0xff;
	if (subleaf == 0) {
		r->eax = 0; /* one thread per core: no bits of the ID select a thread */
		r->ebx = 1;
		r->ecx |= TOPO_LEVEL_SMT << 8;
	} else if (subleaf == 1) {
		r->eax = bits_for(n);
		r->ebx = n;
		r->ecx |= TOPO_LEVEL_CORE << 8;
	} else {
		r->eax = r->ebx = 0;
	}
}

void cpuid_filter(uint32_t leaf, uint32_t subleaf, const struct cpuid_policy *p,
		  struct cpuid_regs *r)
{
	if (leaf > p->host_max_leaf && leaf <= MAX_BASIC_LEAF) /* the host repeats its last leaf */
		r->eax = r->ebx = r->ecx = r->edx = 0;
	switch (leaf) {
	case 0:
		r->eax = r->eax > MAX_BASIC_LEAF ? r->eax : MAX_BASIC_LEAF;
		break;
	case 1:
		r->ecx &= ~(C1_ECX_MONITOR | C1_ECX_DSCPL | C1_ECX_VMX | C1_ECX_SMX | C1_ECX_EST |
			    C1_ECX_TM2 | C1_ECX_XTPR | C1_ECX_PDCM | C1_ECX_DCA | C1_ECX_XSAVE |
			    C1_ECX_OSXSAVE | C1_ECX_AVX);
		r->ecx |= C1_ECX_HYPERVISOR | C1_ECX_X2APIC | C1_ECX_TSC_DL;
		r->edx &= ~(C1_EDX_MCE | C1_EDX_APIC | C1_EDX_MTRR | C1_EDX_MCA | C1_EDX_DS |
			    C1_EDX_ACPI | C1_EDX_TM | C1_EDX_PBE);
		r->edx |= (p->apic_enabled ? C1_EDX_APIC : 0) | C1_EDX_HTT;
		r->ebx = (r->ebx & 0x0000ffffu) | ((p->ncpus ? p->ncpus : 1) << 16) |
			 (p->vcpu_id << 24);
		break;
	case 4:
		cache_topology(p, r);
		break;
	case 6:
		r->eax = C6_EAX_ARAT;
		r->ebx = r->ecx = r->edx = 0;
		break;
	case 0xb:
	case 0x1f:
		topology_leaf(p, r, subleaf);
		break;
	case 0x15:
		r->eax = 1;
		r->ebx = p->tsc_per_lapic;
		r->ecx = p->lapic_hz;
		r->edx = 0;
		break;
	case 0x16:
		r->eax = r->ebx = p->tsc_khz / 1000;
		r->ecx = p->lapic_hz / 1000000;
		r->edx = 0;
		break;
	case 5:
	case 0xa:
	case 0xd:
		r->eax = r->ebx = r->ecx = r->edx = 0;
		break;
	case 7:
		if (subleaf != 0) {
			r->eax = r->ebx = r->ecx = r->edx = 0;
			break;
		}
		r->ebx &= ~((p->tsc_adjust ? 0 : C7_EBX_TSC_ADJUST) | C7_EBX_SGX | C7_EBX_AVX2 | C7_EBX_RDT_M | C7_EBX_MPX | C7_EBX_RDT_A |
			    C7_EBX_AVX512 | C7_EBX_PT | (p->invpcid ? 0 : C7_EBX_INVPCID));
		r->ecx &= ~(C7_ECX_AVX512 | C7_ECX_WAITPKG | C7_ECX_SGX_LC | C7_ECX_PKU | C7_ECX_OSPKE |
			    C7_ECX_CET_SS | C7_ECX_LA57);
		r->edx &= ~(C7_EDX_SPEC_MSRS | C7_EDX_AVX512 | C7_EDX_CET_IBT);
		r->eax = 0;
		break;
	case MHV_CPUID_LEAF_BASE:
		r->eax = MHV_CPUID_LEAF_TIMING;
		r->ebx = MHV_CPUID_SIG_EBX;
		r->ecx = MHV_CPUID_SIG_ECX;
		r->edx = MHV_CPUID_SIG_EDX;
		break;
	case MHV_CPUID_LEAF_TIMING:
		r->eax = p->tsc_khz;
		r->ebx = p->lapic_hz / 1000;
		r->ecx = r->edx = 0;
		break;
	case 0x80000007:
		r->eax = r->ebx = r->ecx = 0;
		r->edx = CX7_EDX_INVARIANT_TSC;
		break;
	case 0x80000001:
		r->ecx &= ~CX1_ECX_SVM;
		if (!p->rdtscp)
			r->edx &= ~CX1_EDX_RDTSCP;
		break;
	default:
		if (leaf > MHV_CPUID_LEAF_BASE && leaf <= MHV_CPUID_LEAF_BASE + 0xff)
			r->eax = r->ebx = r->ecx = r->edx = 0;
		break;
	}
}
