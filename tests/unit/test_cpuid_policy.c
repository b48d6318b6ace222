#include "kernel/guest_abi.h"
#include "tests/unit/check.h"
#include "vmx/cpuid_policy.h"

static const struct cpuid_policy pol = {.vcpu_id = 2, .tsc_khz = 4000};

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
	CHECK_EQ(r.ecx & (1u << 21), 0);       /* x2APIC */
	CHECK_EQ(r.ecx & (1u << 26), 0);       /* XSAVE */
	CHECK_EQ(r.edx & (1u << 9), 0);        /* APIC */
	CHECK_EQ(r.edx & (1u << 12), 0);       /* MTRR */
	CHECK(r.edx & (1u << 0));              /* FPU kept */
	CHECK(r.ecx & (1u << 0));              /* SSE3 kept */
	CHECK_EQ(r.eax, 0x50654);
}

TEST(leaf1_apic_id_and_count)
{
	struct cpuid_regs r = filter(1, 0, (struct cpuid_regs){0, 0xff10abcd, 0, 0});
	CHECK_EQ(r.ebx >> 24, 2);
	CHECK_EQ((r.ebx >> 16) & 0xff, 1);
	CHECK_EQ(r.ebx & 0xffff, 0xabcd);
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
	CHECK_EQ(r.ebx, 0);
}

TEST(other_hypervisor_leaves_zero)
{
	struct cpuid_regs r = filter(MHV_CPUID_LEAF_BASE + 1, 0, (struct cpuid_regs){9, 9, 9, 9});
	CHECK_EQ(r.eax | r.ebx | r.ecx | r.edx, 0);
	r = filter(MHV_CPUID_LEAF_BASE + 0x20, 0, (struct cpuid_regs){9, 9, 9, 9});
	CHECK_EQ(r.eax | r.ebx | r.ecx | r.edx, 0);
}

TEST(power_pmu_topology_xsave_leaves_zero)
{
	static const uint32_t leaves[] = {5, 6, 0xa, 0xb, 0xd, 0x15, 0x16, 0x1f};
	for (unsigned i = 0; i < sizeof leaves / sizeof leaves[0]; i++) {
		struct cpuid_regs r = filter(leaves[i], 0, (struct cpuid_regs){7, 7, 7, 7});
		CHECK_EQ(r.eax | r.ebx | r.ecx | r.edx, 0);
	}
}

TEST(leaf4_single_core)
{
	struct cpuid_regs r = filter(4, 0, (struct cpuid_regs){0xfc004121, 1, 2, 3});
	CHECK_EQ(r.eax, 0x00000121 & 0x3fff);
	CHECK_EQ(r.ebx, 1);
}

TEST(leaf7_masks)
{
	struct cpuid_regs r = filter(7, 0, (struct cpuid_regs){0, 0xffffffff, 0xffffffff, 0xffffffff});
	CHECK_EQ(r.ebx & (1u << 2), 0);  /* SGX */
	CHECK_EQ(r.ebx & (1u << 5), 0);  /* AVX2 */
	CHECK_EQ(r.ebx & (1u << 10), 0); /* INVPCID not enabled */
	CHECK_EQ(r.ebx & (1u << 16), 0); /* AVX-512F */
	CHECK(r.ebx & (1u << 0));        /* FSGSBASE kept */
	CHECK(r.ebx & (1u << 3));        /* BMI1 kept */
	CHECK_EQ(r.edx & (1u << 26), 0); /* IBRS: its MSR #GPs */
	CHECK_EQ(r.ecx & (1u << 5), 0);  /* WAITPKG */
	struct cpuid_regs s1 = filter(7, 1, (struct cpuid_regs){5, 5, 5, 5});
	CHECK_EQ(s1.eax | s1.ebx | s1.ecx | s1.edx, 0);
}

TEST(leaf7_invpcid_when_enabled)
{
	struct cpuid_policy p = {.invpcid = true};
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

CHECK_MAIN("cpuid_policy", CASE(leaf1_hides_vmx_and_sets_hypervisor), CASE(leaf1_apic_id_and_count),
	   CASE(signature_leaf), CASE(timing_leaf_reports_tsc_khz), CASE(other_hypervisor_leaves_zero),
	   CASE(power_pmu_topology_xsave_leaves_zero), CASE(leaf4_single_core), CASE(leaf7_masks),
	   CASE(leaf7_invpcid_when_enabled), CASE(extended_leaf_rdtscp_follows_policy),
	   CASE(unlisted_leaves_pass_through))
