#include "vmx/cpuid_policy.h"
#include "kernel/guest_abi.h"
#include "vmx/cpuid_features.h"

#define C6_EAX_ARAT      (1u << 2)  /* APIC timer always running */
#define CX7_EDX_INVARIANT_TSC (1u << 8)
#define CPUID_XSAVE_LEAF 0xd
#define MAX_BASIC_LEAF   0x16
#define TOPO_LEVEL_SMT   1u /* CPUID 0xb/0x1f ECX[15:8] level types */
#define TOPO_LEVEL_CORE  2u
#define C4_CACHE_LEVEL(eax) (((eax) >> 5) & 7)

/* The feature registers of (leaf, subleaf), rebuilt from the table: only its bits survive. */
static void apply_features(uint32_t leaf, uint32_t subleaf, const struct cpuid_policy *p,
			   struct cpuid_regs *r)
{
	uint32_t *regs[4] = {&r->eax, &r->ebx, &r->ecx, &r->edx};
	uint32_t out[4] = {0};
	for (unsigned i = 0; i < cpuid_nfeatures; i++) {
		const struct cpuid_feature *f = &cpuid_features[i];
		if (f->leaf != leaf || f->subleaf != subleaf)
			continue;
		bool host = *regs[f->reg] >> f->bit & 1;
		if (cpuid_feature_on(f, p, host))
			out[f->reg] |= 1u << f->bit;
	}
	for (unsigned reg = CPUID_EAX; reg <= CPUID_EDX; reg++)
		if (cpuid_feature_reg(leaf, subleaf, reg))
			*regs[reg] = out[reg];
}

/* Leaf 0xd: only the components guests may enable (vmx/xsave_policy.h). */
static void xsave_leaf(uint32_t subleaf, const struct cpuid_policy *p, struct cpuid_regs *r)
{
	if (!p->xsave) {
		r->eax = r->ebx = r->ecx = r->edx = 0;
		return;
	}
	if (subleaf == 0) {
		r->eax = (uint32_t)p->xcr0_mask;
		r->edx = (uint32_t)(p->xcr0_mask >> 32);
		r->ecx = p->xsave_size;
	} else if (subleaf == 1) {
		apply_features(CPUID_XSAVE_LEAF, 1, p, r);
		r->ecx = r->edx = 0;
	} else if (subleaf >= 64 || !(p->xcr0_mask >> subleaf & 1)) {
		r->eax = r->ebx = r->ecx = r->edx = 0;
	}
}

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
		apply_features(1, 0, p, r);
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
		r->eax = r->ebx = r->ecx = r->edx = 0;
		break;
	case CPUID_XSAVE_LEAF:
		xsave_leaf(subleaf, p, r);
		break;
	case 7:
		if (subleaf != 0) {
			r->eax = r->ebx = r->ecx = r->edx = 0;
			break;
		}
		apply_features(7, 0, p, r);
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
		apply_features(0x80000001, 0, p, r);
		break;
	default:
		if (leaf > MHV_CPUID_LEAF_BASE && leaf <= MHV_CPUID_LEAF_BASE + 0xff)
			r->eax = r->ebx = r->ecx = r->edx = 0;
		break;
	}
}
