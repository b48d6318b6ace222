#include "vmx/spec_policy.h"

void spec_policy_decide(const struct spec_inputs *in, struct spec_policy *out)
{
	uint64_t caps = (in->cpuid7_edx & SPEC_CPUID_ARCH_CAPS) ? in->arch_capabilities : 0;
	bool l1tf = in->intel && !(caps & ARCH_CAP_RDCL_NO);
	bool l1d_cmd = in->cpuid7_edx & SPEC_CPUID_L1D_FLUSH;
	bool mds = in->intel && !(caps & ARCH_CAP_MDS_NO);
	bool taa = in->intel && !(caps & ARCH_CAP_TAA_NO);
	bool md_clear = in->cpuid7_edx & SPEC_CPUID_MD_CLEAR;
	bool eibrs = (in->cpuid7_edx & SPEC_CPUID_IBRS_IBPB) && (caps & ARCH_CAP_IBRS_ALL);

	*out = (struct spec_policy){0};
	out->l1d_flush_on_entry = l1tf && !(caps & ARCH_CAP_SKIP_L1DFL_VMENTRY) && l1d_cmd;
	out->l1tf_unmitigated = l1tf && !(caps & ARCH_CAP_SKIP_L1DFL_VMENTRY) && !l1d_cmd;
	/* The L1D flush command also overwrites the buffers VERW would clear. */
	out->verw_on_entry = (mds || taa) && md_clear && !out->l1d_flush_on_entry;
	out->mds_unmitigated = (mds || taa) && !md_clear && !out->l1d_flush_on_entry;
	out->ibpb_on_vm_switch = in->cpuid7_edx & SPEC_CPUID_IBRS_IBPB;
	out->eibrs = eibrs;
	/* With eIBRS a RET cannot use guest-trained predictions, unless the CPU may fall back
	 * to the BTB on underflow (RSBA) or keeps one post-barrier prediction (no PBRSB_NO). */
	out->rsb_fill_on_exit =
	    in->intel && !(eibrs && !(caps & ARCH_CAP_RSBA) && (caps & ARCH_CAP_PBRSB_NO));
}

static void put(char *buf, unsigned len, unsigned *at, const char *s)
{
	if (*at && *at + 2 < len) {
		buf[(*at)++] = ',';
		buf[(*at)++] = ' ';
	}
	while (*s && *at + 1 < len)
		buf[(*at)++] = *s++;
	if (len)
		buf[*at] = 0;
}

void spec_policy_describe(const struct spec_policy *p, char *buf, unsigned len)
{
	unsigned at = 0;
	if (len)
		buf[0] = 0;
	if (p->l1d_flush_on_entry)
		put(buf, len, &at, "L1D flush on entry");
	if (p->verw_on_entry)
		put(buf, len, &at, "VERW on entry");
	if (p->eibrs)
		put(buf, len, &at, "eIBRS");
	if (p->ibpb_on_vm_switch)
		put(buf, len, &at, "IBPB on VM switch");
	if (p->rsb_fill_on_exit)
		put(buf, len, &at, "RSB fill after exit");
	put(buf, len, &at, "retpolines");
	if (p->l1tf_unmitigated)
		put(buf, len, &at, "L1TF NOT mitigated (no L1D flush command)");
	if (p->mds_unmitigated)
		put(buf, len, &at, "MDS NOT mitigated (VERW does not clear buffers)");
}
