#include "tests/unit/check.h"
#include "vmx/spec_policy.h"

static struct spec_policy decide(bool intel, uint32_t edx, uint64_t caps)
{
	struct spec_inputs in = {.intel = intel, .cpuid7_edx = edx, .arch_capabilities = caps};
	struct spec_policy p;
	spec_policy_decide(&in, &p);
	return p;
}

#define ALL_CPUID                                                                                  \
	(SPEC_CPUID_MD_CLEAR | SPEC_CPUID_IBRS_IBPB | SPEC_CPUID_STIBP | SPEC_CPUID_L1D_FLUSH |    \
	 SPEC_CPUID_ARCH_CAPS | SPEC_CPUID_SSBD)

/* Skylake with its microcode updates: affected by everything, every tool there. */
TEST(old_intel_gets_every_mitigation)
{
	struct spec_policy p = decide(true, ALL_CPUID, 0);
	CHECK(p.l1d_flush_on_entry);
	CHECK(!p.verw_on_entry); /* the L1D flush covers the buffers */
	CHECK(p.ibpb_on_vm_switch);
	CHECK(p.rsb_fill_on_exit);
	CHECK(!p.eibrs);
	CHECK(!p.l1tf_unmitigated && !p.mds_unmitigated);
}

/* Cascade Lake style: no L1TF, MDS_NO clear, eIBRS with RSBA. */
TEST(no_l1tf_but_mds_uses_verw)
{
	struct spec_policy p =
	    decide(true, ALL_CPUID, ARCH_CAP_RDCL_NO | ARCH_CAP_IBRS_ALL | ARCH_CAP_RSBA);
	CHECK(!p.l1d_flush_on_entry);
	CHECK(p.verw_on_entry);
	CHECK(p.eibrs);
	CHECK(p.rsb_fill_on_exit); /* RSBA: RET may use the BTB */
}

/* Ice Lake and later: not affected; eIBRS without RSBA and with PBRSB_NO needs no fill. */
TEST(unaffected_cpu_pays_nothing_per_entry)
{
	uint64_t caps = ARCH_CAP_RDCL_NO | ARCH_CAP_MDS_NO | ARCH_CAP_TAA_NO | ARCH_CAP_IBRS_ALL |
			ARCH_CAP_PBRSB_NO;
	struct spec_policy p = decide(true, ALL_CPUID, caps);
	CHECK(!p.l1d_flush_on_entry && !p.verw_on_entry && !p.rsb_fill_on_exit);
	CHECK(p.eibrs);
	CHECK(p.ibpb_on_vm_switch); /* cheap once per switch, still separates VMs' BTBs */
	/* Without PBRSB_NO one fill after exit is still due. */
	p = decide(true, ALL_CPUID, caps & ~ARCH_CAP_PBRSB_NO);
	CHECK(p.rsb_fill_on_exit);
}

TEST(skip_l1d_flush_when_the_cpu_says_so)
{
	struct spec_policy p = decide(true, ALL_CPUID, ARCH_CAP_SKIP_L1DFL_VMENTRY);
	CHECK(!p.l1d_flush_on_entry && !p.l1tf_unmitigated);
	CHECK(p.verw_on_entry); /* MDS still needs its own clearing then */
}

TEST(arch_capabilities_ignored_without_its_cpuid_bit)
{
	struct spec_policy p =
	    decide(true, ALL_CPUID & ~SPEC_CPUID_ARCH_CAPS, ARCH_CAP_RDCL_NO | ARCH_CAP_MDS_NO);
	CHECK(p.l1d_flush_on_entry);
}

TEST(affected_without_the_tools_is_reported)
{
	struct spec_policy p = decide(true, 0, 0);
	CHECK(!p.l1d_flush_on_entry && !p.verw_on_entry && !p.ibpb_on_vm_switch);
	CHECK(p.l1tf_unmitigated && p.mds_unmitigated);
	CHECK(p.rsb_fill_on_exit);
	char line[200];
	spec_policy_describe(&p, line, sizeof line);
	CHECK_STR(line, "RSB fill after exit, retpolines, L1TF NOT mitigated (no L1D flush "
			"command), MDS NOT mitigated (VERW does not clear buffers)");
}

TEST(describe_and_truncate)
{
	struct spec_policy p = decide(true, ALL_CPUID, 0);
	char line[200], small[6];
	spec_policy_describe(&p, line, sizeof line);
	CHECK_STR(line, "L1D flush on entry, IBPB on VM switch, RSB fill after exit, retpolines");
	spec_policy_describe(&p, small, sizeof small);
	CHECK_STR(small, "L1D f");
}

TEST(not_intel_no_intel_specific_mitigations)
{
	struct spec_policy p = decide(false, ALL_CPUID, 0);
	CHECK(!p.l1d_flush_on_entry && !p.verw_on_entry && !p.rsb_fill_on_exit);
}

CHECK_MAIN("spec_policy", CASE(old_intel_gets_every_mitigation), CASE(no_l1tf_but_mds_uses_verw),
	   CASE(unaffected_cpu_pays_nothing_per_entry), CASE(skip_l1d_flush_when_the_cpu_says_so),
	   CASE(arch_capabilities_ignored_without_its_cpuid_bit),
	   CASE(affected_without_the_tools_is_reported), CASE(describe_and_truncate),
	   CASE(not_intel_no_intel_specific_mitigations))
