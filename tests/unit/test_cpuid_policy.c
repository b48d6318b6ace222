#include "kernel/guest_abi.h"
#include "tests/unit/check.h"
#include "vmx/cpuid_features.h"
#include "vmx/cpuid_policy.h"
#include "vmx/xsave_policy.h"

static const struct cpuid_policy pol = {.vcpu_id = 2,
					.ncpus = 3,
					.tsc_khz = 4000,
					.lapic_hz = 4000000,
					.tsc_per_lapic = 1,
					.host_max_leaf = 0x16};

static struct cpuid_regs filter(uint32_t leaf, uint32_t sub, struct cpuid_regs host)
{
	cpuid_filter(leaf, sub, &pol, &host);
	return host;
}

TEST(leaf1_hides_vmx_and_sets_hypervisor)
{
	struct cpuid_regs r = filter(1, 0, (struct cpuid_regs){0x50654, 0x12345678, 0x77faf3bf, 0xbfebfbff});
	CHECK_EQ(r.ecx & (1u << 5), 0);        /* VMX */
	CHECK_EQ(r.ecx & (1u << 6), 0);        /* SMX */
	CHECK(r.ecx & (1u << 31));             /* hypervisor */
	CHECK(r.ecx & (1u << 21));             /* x2APIC */
	CHECK(r.ecx & (1u << 24));             /* TSC deadline */
	CHECK_EQ(r.ecx & (1u << 26), 0);       /* XSAVE */
	CHECK_EQ(r.edx & (1u << 9), 0);        /* APIC: disabled in this policy */
	CHECK_EQ(r.edx & (1u << 12), 0);       /* MTRR */
	CHECK(r.edx & (1u << 0));              /* FPU kept */
	CHECK(r.ecx & (1u << 0));              /* SSE3 kept */
	CHECK_EQ(r.eax, 0x50654);
}

TEST(leaf1_apic_id_and_count)
{
	struct cpuid_regs r = filter(1, 0, (struct cpuid_regs){0, 0xff10abcd, 0, 0});
	CHECK_EQ(r.ebx >> 24, 2);
	CHECK_EQ((r.ebx >> 16) & 0xff, 3);
	CHECK_EQ(r.ebx & 0xffff, 0xabcd);
	CHECK(r.edx & (1u << 28)); /* HTT: the count is valid */
}

TEST(leaf1_apic_bit_follows_apic_base)
{
	struct cpuid_policy p = pol;
	struct cpuid_regs r = {0, 0, 0, 0};
	p.apic_enabled = true;
	cpuid_filter(1, 0, &p, &r);
	CHECK(r.edx & (1u << 9));
	r = (struct cpuid_regs){0, 0, 0, 1u << 9};
	p.apic_enabled = false;
	cpuid_filter(1, 0, &p, &r);
	CHECK_EQ(r.edx & (1u << 9), 0);
}

TEST(leaf0_max_leaf_covers_timing_leaves)
{
	struct cpuid_policy p = pol;
	p.host_max_leaf = 0xd;
	struct cpuid_regs r = {0xd, 0x756e6547, 0x6c65746e, 0x49656e69};
	cpuid_filter(0, 0, &p, &r);
	CHECK_EQ(r.eax, 0x16);
	CHECK_EQ(r.ebx, 0x756e6547);
	/* A host without leaf 0x10 repeats its highest leaf there: zero it. */
	r = (struct cpuid_regs){7, 7, 7, 7};
	cpuid_filter(0x10, 0, &p, &r);
	CHECK_EQ(r.eax | r.ebx | r.ecx | r.edx, 0);
	r = (struct cpuid_regs){7, 7, 7, 7};
	cpuid_filter(0x15, 0, &p, &r);
	CHECK_EQ(r.ecx, 4000000);
	r = (struct cpuid_regs){0x20, 0, 0, 0};
	cpuid_filter(0, 0, &pol, &r);
	CHECK_EQ(r.eax, 0x20); /* a higher host maximum stays */
}

TEST(timing_leaves_describe_tsc_and_lapic_clock)
{
	struct cpuid_policy p = pol;
	p.tsc_khz = 5000000; /* 5 GHz: the LAPIC clock is TSC / 2 to fit 32 bits */
	p.lapic_hz = 2500000000u;
	p.tsc_per_lapic = 2;
	struct cpuid_regs r = {9, 9, 9, 9};
	cpuid_filter(0x15, 0, &p, &r);
	CHECK_EQ(r.eax, 1);
	CHECK_EQ(r.ebx, 2);
	CHECK_EQ(r.ecx, 2500000000u);
	/* What Linux computes: crystal kHz * EBX / EAX is the TSC in kHz. */
	CHECK_EQ((uint64_t)(r.ecx / 1000) * r.ebx / r.eax, 5000000);
	r = (struct cpuid_regs){9, 9, 9, 9};
	cpuid_filter(0x16, 0, &p, &r);
	CHECK_EQ(r.eax, 5000);
	CHECK_EQ(r.ebx, 5000);
	CHECK_EQ(r.ecx, 2500);
	CHECK_EQ(r.edx, 0);
	r = (struct cpuid_regs){9, 9, 9, 9};
	cpuid_filter(MHV_CPUID_LEAF_TIMING, 0, &p, &r);
	CHECK_EQ(r.eax, 5000000);
	CHECK_EQ(r.ebx, 2500000);
}

TEST(topology_leaves)
{
	for (uint32_t leaf = 0xb; leaf <= 0x1f; leaf += 0x14) {
		struct cpuid_regs r = filter(leaf, 0, (struct cpuid_regs){7, 7, 7, 7});
		CHECK_EQ(r.eax, 0);
		CHECK_EQ(r.ebx, 1);
		CHECK_EQ(r.ecx, 0x100); /* level 0, SMT */
		CHECK_EQ(r.edx, 2);
		r = filter(leaf, 1, (struct cpuid_regs){7, 7, 7, 7});
		CHECK_EQ(r.eax, 2); /* 3 cores need 2 ID bits */
		CHECK_EQ(r.ebx, 3);
		CHECK_EQ(r.ecx, 0x201); /* level 1, core */
		CHECK_EQ(r.edx, 2);
		r = filter(leaf, 2, (struct cpuid_regs){7, 7, 7, 7});
		CHECK_EQ(r.eax | r.ebx, 0);
		CHECK_EQ(r.ecx, 2); /* invalid level ends the list */
		CHECK_EQ(r.edx, 2);
	}
	struct cpuid_policy p = pol;
	p.ncpus = 8;
	struct cpuid_regs r = {0, 0, 0, 0};
	cpuid_filter(0xb, 1, &p, &r);
	CHECK_EQ(r.eax, 3);
	p.ncpus = 1;
	r = (struct cpuid_regs){0, 0, 0, 0};
	cpuid_filter(0xb, 1, &p, &r);
	CHECK_EQ(r.eax, 0);
	CHECK_EQ(r.ebx, 1);
}

TEST(thermal_leaf_has_only_arat)
{
	struct cpuid_regs r = filter(6, 0, (struct cpuid_regs){0xffffffff, 7, 7, 7});
	CHECK_EQ(r.eax, 1u << 2);
	CHECK_EQ(r.ebx | r.ecx | r.edx, 0);
}

TEST(invariant_tsc)
{
	struct cpuid_regs r = filter(0x80000007, 0, (struct cpuid_regs){7, 7, 7, 0});
	CHECK_EQ(r.edx, 1u << 8);
	CHECK_EQ(r.eax | r.ebx | r.ecx, 0);
}

TEST(signature_leaf)
{
	struct cpuid_regs r = filter(MHV_CPUID_LEAF_BASE, 0, (struct cpuid_regs){1, 2, 3, 4});
	char sig[13];
	memcpy(sig, &r.ebx, 4);
	memcpy(sig + 4, &r.ecx, 4);
	memcpy(sig + 8, &r.edx, 4);
	sig[12] = 0;
	CHECK_STR(sig, MHV_CPUID_SIGNATURE);
	CHECK_EQ(r.eax, MHV_CPUID_LEAF_TIMING);
}

TEST(timing_leaf_reports_tsc_khz)
{
	struct cpuid_regs r = filter(MHV_CPUID_LEAF_TIMING, 0, (struct cpuid_regs){9, 9, 9, 9});
	CHECK_EQ(r.eax, 4000);
	CHECK_EQ(r.ebx, 4000); /* LAPIC clock kHz */
}

TEST(other_hypervisor_leaves_zero)
{
	struct cpuid_regs r = filter(MHV_CPUID_LEAF_BASE + 1, 0, (struct cpuid_regs){9, 9, 9, 9});
	CHECK_EQ(r.eax | r.ebx | r.ecx | r.edx, 0);
	r = filter(MHV_CPUID_LEAF_BASE + 0x20, 0, (struct cpuid_regs){9, 9, 9, 9});
	CHECK_EQ(r.eax | r.ebx | r.ecx | r.edx, 0);
}

TEST(monitor_pmu_xsave_leaves_zero)
{
	static const uint32_t leaves[] = {5, 0xa, 0xd};
	for (unsigned i = 0; i < sizeof leaves / sizeof leaves[0]; i++) {
		struct cpuid_regs r = filter(leaves[i], 0, (struct cpuid_regs){7, 7, 7, 7});
		CHECK_EQ(r.eax | r.ebx | r.ecx | r.edx, 0);
	}
}

TEST(leaf4_cores_share_only_the_last_level)
{
	/* L1 data cache (level 1): per core; 3 cores in the package. */
	struct cpuid_regs r = filter(4, 0, (struct cpuid_regs){0xfc004121, 1, 2, 3});
	CHECK_EQ(r.eax, (0x00000121u & 0x3fff) | (2u << 26));
	CHECK_EQ(r.ebx, 1);
	/* L3 (level 3): shared by all 3. */
	r = filter(4, 3, (struct cpuid_regs){0xfc0fc163, 1, 2, 3});
	CHECK_EQ(r.eax, (0x163u & 0x3fff) | (2u << 14) | (2u << 26));
	/* The terminating subleaf (type 0) stays empty. */
	r = filter(4, 4, (struct cpuid_regs){0, 0, 0, 0});
	CHECK_EQ(r.eax, 0);
}

TEST(leaf7_masks)
{
	struct cpuid_regs r = filter(7, 0, (struct cpuid_regs){0, 0xffffffff, 0xffffffff, 0xffffffff});
	CHECK_EQ(r.ebx & (1u << 1), 0);  /* TSC_ADJUST: its MSR #GPs without TSC offsetting */
	CHECK_EQ(r.ebx & (1u << 2), 0);  /* SGX */
	CHECK_EQ(r.ebx & (1u << 5), 0);  /* AVX2 */
	CHECK_EQ(r.ebx & (1u << 10), 0); /* INVPCID not enabled */
	CHECK_EQ(r.ebx & (1u << 16), 0); /* AVX-512F */
	CHECK(r.ebx & (1u << 0));        /* FSGSBASE kept */
	CHECK(r.ebx & (1u << 3));        /* BMI1 kept */
	CHECK_EQ(r.edx & (1u << 26), 0); /* IBRS: its MSR #GPs */
	CHECK_EQ(r.ecx & (1u << 5), 0);  /* WAITPKG */
	CHECK_EQ(r.ecx & (3u << 3), 0);  /* PKU, OSPKE: PKRU is not switched */
	CHECK_EQ(r.ecx & (1u << 16), 0); /* LA57 */
	CHECK_EQ(r.ecx & (1u << 7), 0);  /* CET shadow stacks */
	CHECK_EQ(r.edx & (1u << 20), 0); /* CET IBT */
	CHECK(r.ecx & (1u << 2));        /* UMIP kept */
	struct cpuid_regs s1 = filter(7, 1, (struct cpuid_regs){5, 5, 5, 5});
	CHECK_EQ(s1.eax | s1.ebx | s1.ecx | s1.edx, 0);
}

TEST(leaf7_tsc_adjust_with_offsetting)
{
	struct cpuid_policy p = pol;
	p.tsc_adjust = true;
	struct cpuid_regs r = {0, 1u << 1, 0, 0};
	cpuid_filter(7, 0, &p, &r);
	CHECK(r.ebx & (1u << 1));
}

TEST(leaf7_invpcid_when_enabled)
{
	struct cpuid_policy p = pol;
	p.invpcid = true;
	struct cpuid_regs r = {0, 1u << 10, 0, 0};
	cpuid_filter(7, 0, &p, &r);
	CHECK(r.ebx & (1u << 10));
}

TEST(extended_leaf_rdtscp_follows_policy)
{
	struct cpuid_regs r = filter(0x80000001, 0, (struct cpuid_regs){0, 0, 0xffffffff, 0xffffffff});
	CHECK_EQ(r.edx & (1u << 27), 0);
	CHECK_EQ(r.ecx & (1u << 2), 0);
	CHECK(r.edx & (1u << 29)); /* long mode kept */
	struct cpuid_policy p = {.rdtscp = true};
	struct cpuid_regs q = {0, 0, 0, 1u << 27};
	cpuid_filter(0x80000001, 0, &p, &q);
	CHECK(q.edx & (1u << 27));
}

TEST(unlisted_leaves_pass_through)
{
	struct cpuid_regs r = filter(0, 0, (struct cpuid_regs){0x16, 0x756e6547, 0x6c65746e, 0x49656e69});
	CHECK_EQ(r.eax, 0x16);
	CHECK_EQ(r.ebx, 0x756e6547);
	r = filter(0x80000008, 0, (struct cpuid_regs){0x3027, 0, 0, 0});
	CHECK_EQ(r.eax, 0x3027);
}

/* The MSRs vmx/exit_msr.c, vmx/guest_msrs.c and the virtual local APIC answer. */
static bool msr_emulated(uint32_t msr)
{
	static const uint32_t msrs[] = {
	    0x10,	  /* IA32_TSC */
	    0x1b,	  /* IA32_APIC_BASE */
	    0x3a,	  /* IA32_FEATURE_CONTROL (locked, VMX off) */
	    0x3b,	  /* IA32_TSC_ADJUST */
	    0x174,	  /* IA32_SYSENTER_CS (and ESP, EIP) */
	    0x277,	  /* IA32_PAT */
	    0x6e0,	  /* IA32_TSC_DEADLINE */
	    0x800,	  /* the x2APIC range */
	    0xda0,	  /* IA32_XSS */
	    0xc0000080, /* EFER */
	    0xc0000081, /* STAR (and LSTAR, CSTAR, SFMASK) */
	    0xc0000103, /* TSC_AUX */
	};
	for (unsigned i = 0; i < sizeof msrs / sizeof msrs[0]; i++)
		if (msrs[i] == msr)
			return true;
	return false;
}

static struct cpuid_policy everything(void)
{
	struct cpuid_policy p = pol;
	p.rdtscp = p.invpcid = p.apic_enabled = p.tsc_adjust = true;
	p.xsave = p.xsaves = p.osxsave = true;
	p.xcr0_mask = XFEATURE_X87 | XFEATURE_SSE | XFEATURE_AVX | XFEATURE_AVX512;
	return p;
}

/* Every bit the table can show whose feature implies an MSR: that MSR is emulated. */
TEST(every_exposed_bit_has_its_msr)
{
	struct cpuid_policy p = everything();
	for (unsigned i = 0; i < cpuid_nfeatures; i++) {
		const struct cpuid_feature *f = &cpuid_features[i];
		if (f->msr && cpuid_feature_on(f, &p, true) && !msr_emulated(f->msr)) {
			fprintf(stderr, "    %s exposed but MSR %#x is not emulated\n", f->name, f->msr);
			CHECK(false);
		}
	}
}

/* Conditional bits follow their control: on with it, off without it, never without the host. */
TEST(every_conditional_bit_follows_its_control)
{
	struct cpuid_policy on = everything();
	struct cpuid_policy off = {0};
	for (unsigned i = 0; i < cpuid_nfeatures; i++) {
		const struct cpuid_feature *f = &cpuid_features[i];
		bool set = f->rule == FEAT_SET, pass = f->rule == FEAT_PASS;
		bool hide = f->rule == FEAT_HIDE;
		CHECK_EQ(cpuid_feature_on(f, &on, true), !hide);
		CHECK_EQ(cpuid_feature_on(f, &off, true), set || pass);
		if (f->rule != FEAT_SET && f->rule != FEAT_IF_APIC && f->rule != FEAT_IF_OSXSAVE &&
		    f->rule != FEAT_IF_TSC_ADJUST)
			CHECK(!cpuid_feature_on(f, &on, false));
		CHECK(cpuid_feature_reg(f->leaf, f->subleaf, f->reg));
	}
}

TEST(rows_are_unique)
{
	for (unsigned i = 0; i < cpuid_nfeatures; i++)
		for (unsigned j = i + 1; j < cpuid_nfeatures; j++)
			CHECK(!(cpuid_features[i].leaf == cpuid_features[j].leaf &&
				cpuid_features[i].subleaf == cpuid_features[j].subleaf &&
				cpuid_features[i].reg == cpuid_features[j].reg &&
				cpuid_features[i].bit == cpuid_features[j].bit));
}

TEST(bits_without_a_row_are_cleared)
{
	struct cpuid_policy p = everything();
	struct cpuid_regs r = {0, 0, 0xffffffff, 0xffffffff};
	cpuid_filter(1, 0, &p, &r);
	CHECK_EQ(r.ecx & (1u << 16), 0); /* reserved */
	CHECK_EQ(r.edx & (1u << 10), 0); /* reserved */
	CHECK_EQ(r.edx & (1u << 30), 0); /* IA-64 */
	r = (struct cpuid_regs){0, 0xffffffff, 0xffffffff, 0xffffffff};
	cpuid_filter(7, 0, &p, &r);
	CHECK_EQ(r.edx & (1u << 30), 0); /* CORE_CAPABILITIES: its MSR #GPs */
	CHECK_EQ(r.ecx & (1u << 16), 0); /* LA57 */
	CHECK_EQ(r.ecx & (1u << 24), 0); /* no row */
	CHECK(r.ebx & (1u << 5));	 /* AVX2 with AVX state */
	CHECK(r.ebx & (1u << 16));	 /* AVX-512F with its states */
	CHECK(r.ebx & (1u << 1));	 /* TSC_ADJUST emulated */
}

TEST(xsave_family_with_xcr0_switching)
{
	struct cpuid_policy p = everything();
	p.xcr0_mask = XFEATURE_X87 | XFEATURE_SSE | XFEATURE_AVX; /* a CPU without AVX-512 */
	p.xsave_size = 832;
	struct cpuid_regs r = {0, 0, 0xffffffff, 0};
	cpuid_filter(1, 0, &p, &r);
	CHECK(r.ecx & (1u << 26)); /* XSAVE */
	CHECK(r.ecx & (1u << 27)); /* OSXSAVE: the guest set CR4.OSXSAVE */
	CHECK(r.ecx & (1u << 28)); /* AVX */
	p.osxsave = false;
	r = (struct cpuid_regs){0, 0, 0xffffffff, 0};
	cpuid_filter(1, 0, &p, &r);
	CHECK_EQ(r.ecx & (1u << 27), 0);
	r = (struct cpuid_regs){0, 0xffffffff, 0xffffffff, 0xffffffff};
	cpuid_filter(7, 0, &p, &r);
	CHECK_EQ(r.ebx & (1u << 16), 0); /* no AVX-512 state: no AVX-512 */
	r = (struct cpuid_regs){0x2ff, 0x340, 0xa88, 0};
	cpuid_filter(0xd, 0, &p, &r);
	CHECK_EQ(r.eax, 7);
	CHECK_EQ(r.edx, 0);
	CHECK_EQ(r.ecx, 832);
	CHECK_EQ(r.ebx, 0x340); /* the CPU's own answer for the live XCR0 */
	r = (struct cpuid_regs){0x1f, 0x340, 0x1900, 0};
	cpuid_filter(0xd, 1, &p, &r);
	CHECK_EQ(r.eax, 0xf); /* XSAVEOPT XSAVEC XGETBV1 XSAVES, not XFD */
	CHECK_EQ(r.ecx | r.edx, 0);
	r = (struct cpuid_regs){256, 576, 0, 0};
	cpuid_filter(0xd, 2, &p, &r);
	CHECK_EQ(r.eax, 256);
	r = (struct cpuid_regs){8, 2688, 0, 0};
	cpuid_filter(0xd, 9, &p, &r); /* PKRU: not offered */
	CHECK_EQ(r.eax | r.ebx, 0);
	p.xsaves = false;
	r = (struct cpuid_regs){0x1f, 0, 0, 0};
	cpuid_filter(0xd, 1, &p, &r);
	CHECK_EQ(r.eax, 7);
}

TEST(xcr0_rules)
{
	uint64_t all = XFEATURE_X87 | XFEATURE_SSE | XFEATURE_AVX | XFEATURE_AVX512;
	CHECK_EQ(xsave_guest_mask(0x2ff), all);     /* Skylake-SP: MPX and PKRU dropped */
	CHECK_EQ(xsave_guest_mask(0x7), 0x7);       /* AVX only */
	CHECK_EQ(xsave_guest_mask(0x67), 0x7);      /* a partial AVX-512 set is none */
	CHECK_EQ(xsave_guest_mask(0x60207), 0x7);   /* AMX tiles dropped */
	CHECK(xcr0_valid(1, all));
	CHECK(xcr0_valid(7, all));
	CHECK(xcr0_valid(0xe7, all));
	CHECK(!xcr0_valid(0, all));	   /* x87 is mandatory */
	CHECK(!xcr0_valid(5, all));	   /* AVX without SSE */
	CHECK(!xcr0_valid(0x67, all));	   /* part of AVX-512 */
	CHECK(!xcr0_valid(0xe3, all));	   /* AVX-512 without AVX */
	CHECK(!xcr0_valid(0x207, all));	   /* PKRU: not offered */
	CHECK(!xcr0_valid(0xe7, 0x7));	   /* beyond this CPU's mask */
}

CHECK_MAIN("cpuid_policy", CASE(every_exposed_bit_has_its_msr),
	   CASE(every_conditional_bit_follows_its_control), CASE(rows_are_unique),
	   CASE(bits_without_a_row_are_cleared), CASE(xsave_family_with_xcr0_switching),
	   CASE(xcr0_rules), CASE(leaf1_hides_vmx_and_sets_hypervisor), CASE(leaf1_apic_id_and_count),
	   CASE(leaf1_apic_bit_follows_apic_base), CASE(leaf0_max_leaf_covers_timing_leaves),
	   CASE(timing_leaves_describe_tsc_and_lapic_clock), CASE(topology_leaves),
	   CASE(thermal_leaf_has_only_arat), CASE(invariant_tsc),
	   CASE(signature_leaf), CASE(timing_leaf_reports_tsc_khz), CASE(other_hypervisor_leaves_zero),
	   CASE(monitor_pmu_xsave_leaves_zero), CASE(leaf4_cores_share_only_the_last_level), CASE(leaf7_masks),
	   CASE(leaf7_tsc_adjust_with_offsetting), CASE(leaf7_invpcid_when_enabled), CASE(extended_leaf_rdtscp_follows_policy),
	   CASE(unlisted_leaves_pass_through))
