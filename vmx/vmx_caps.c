#include "vmx/vmx_caps.h"
#include "kernel/x86.h"
#include "vmx/vmcs.h"

/* Bounded text line; silently truncates, always NUL-terminated when cap > 0. */
struct line {
	char *buf;
	size_t cap, len;
};

static void line_init(struct line *l, char *buf, size_t cap)
{
	*l = (struct line){.buf = buf, .cap = cap};
	if (cap)
		buf[0] = '\0';
}

static void line_put(struct line *l, const char *s)
{
	for (; *s && l->len + 1 < l->cap; s++)
		l->buf[l->len++] = *s;
	if (l->cap)
		l->buf[l->len] = '\0';
}

static void line_put_uint(struct line *l, unsigned v)
{
	char digits[12];
	int n = 0;
	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	char s[2] = {0};
	while (n) {
		s[0] = digits[--n];
		line_put(l, s);
	}
}

/* Appends "no <what>" to the comma-separated list of missing requirements. */
static void require(struct line *missing, bool *ok, uint64_t allowed, uint64_t bits,
		    const char *what)
{
	if ((allowed & bits) == bits)
		return;
	line_put(missing, *ok ? "no " : ", no ");
	line_put(missing, what);
	*ok = false;
}

static uint32_t must_be_1(uint64_t ctl_msr)
{
	return (uint32_t)ctl_msr;
}

static uint32_t may_be_1(uint64_t ctl_msr)
{
	return (uint32_t)(ctl_msr >> 32);
}

static uint32_t control_word(uint64_t ctl_msr, uint32_t wanted)
{
	return (wanted | must_be_1(ctl_msr)) & may_be_1(ctl_msr);
}

/* `bits` when every one of them may be 1, else 0: optional controls come in all-or-nothing
 * groups (e.g. the preemption timer needs a pin-based and an exit control). */
static uint32_t if_allowed(uint64_t ctl_msr, uint32_t bits)
{
	return (may_be_1(ctl_msr) & bits) == bits ? bits : 0;
}

bool vmx_caps_compute(const struct vmx_msrs *m, struct vmx_caps *out, char *missing,
		      size_t missing_len)
{
	/* Without TRUE_* MSRs the plain ones apply; their default1 bits read as must-be-1. */
	bool true_ctls = m->basic & VMX_BASIC_TRUE_CTLS;
	uint64_t pin_msr = true_ctls ? m->true_pinbased : m->pinbased;
	uint64_t proc_msr = true_ctls ? m->true_procbased : m->procbased;
	uint64_t exit_msr = true_ctls ? m->true_exit : m->exit;
	uint64_t entry_msr = true_ctls ? m->true_entry : m->entry;
	bool has_proc2 = m->has_procbased2 && (may_be_1(proc_msr) & PROC_SECONDARY_CONTROLS);
	uint64_t proc2_msr = has_proc2 ? m->procbased2 : 0;
	uint64_t cap = m->has_ept_vpid_cap ? m->ept_vpid_cap : 0;

	struct line why;
	bool ok = true;
	line_init(&why, missing, missing ? missing_len : 0);
	require(&why, &ok, may_be_1(pin_msr), PIN_EXT_INTR_EXITING, "external-interrupt exiting");
	require(&why, &ok, may_be_1(pin_msr), PIN_NMI_EXITING, "NMI exiting");
	require(&why, &ok, may_be_1(proc_msr), PROC_HLT_EXITING, "HLT exiting");
	require(&why, &ok, may_be_1(proc_msr), PROC_UNCOND_IO_EXITING, "unconditional I/O exiting");
	require(&why, &ok, may_be_1(proc_msr), PROC_SECONDARY_CONTROLS, "secondary controls");
	require(&why, &ok, may_be_1(proc2_msr), PROC2_EPT, "EPT");
	require(&why, &ok, may_be_1(proc2_msr), PROC2_UNRESTRICTED_GUEST, "unrestricted guest");
	require(&why, &ok, may_be_1(exit_msr), EXIT_CTL_HOST_ADDR_SPACE_SIZE,
		"64-bit host on exit");
	require(&why, &ok, may_be_1(exit_msr), EXIT_CTL_ACK_INTR_ON_EXIT,
		"acknowledge interrupt on exit");
	require(&why, &ok, may_be_1(exit_msr), EXIT_CTL_SAVE_EFER, "save EFER on exit");
	require(&why, &ok, may_be_1(exit_msr), EXIT_CTL_LOAD_EFER, "load EFER on exit");
	require(&why, &ok, may_be_1(entry_msr), ENTRY_CTL_LOAD_EFER, "load EFER on entry");
	/* EPT capabilities only matter (and are only reported) when EPT itself is available. */
	if (may_be_1(proc2_msr) & PROC2_EPT) {
		require(&why, &ok, cap, EPT_CAP_WALK_4, "4-level EPT walk");
		require(&why, &ok, cap, EPT_CAP_MEMTYPE_WB, "write-back EPT");
		/* Changed EPT entries must be flushed: single- or all-context INVEPT. */
		bool invept_type = cap & (EPT_CAP_INVEPT_SINGLE | EPT_CAP_INVEPT_ALL);
		require(&why, &ok, invept_type ? cap : 0, EPT_CAP_INVEPT, "INVEPT");
	}

	uint32_t pin = PIN_EXT_INTR_EXITING | PIN_NMI_EXITING;
	uint32_t proc = PROC_HLT_EXITING | PROC_UNCOND_IO_EXITING | PROC_SECONDARY_CONTROLS;
	uint32_t proc2 = PROC2_EPT | PROC2_UNRESTRICTED_GUEST;
	uint32_t exit_ctl = EXIT_CTL_HOST_ADDR_SPACE_SIZE | EXIT_CTL_ACK_INTR_ON_EXIT |
			    EXIT_CTL_SAVE_EFER | EXIT_CTL_LOAD_EFER;
	uint32_t entry_ctl = ENTRY_CTL_LOAD_EFER;

	if (if_allowed(pin_msr, PIN_PREEMPT_TIMER) &&
	    if_allowed(exit_msr, EXIT_CTL_SAVE_PREEMPT_TIMER)) {
		pin |= PIN_PREEMPT_TIMER;
		exit_ctl |= EXIT_CTL_SAVE_PREEMPT_TIMER;
	}
	if (if_allowed(exit_msr, EXIT_CTL_SAVE_PAT | EXIT_CTL_LOAD_PAT) &&
	    if_allowed(entry_msr, ENTRY_CTL_LOAD_PAT)) {
		exit_ctl |= EXIT_CTL_SAVE_PAT | EXIT_CTL_LOAD_PAT;
		entry_ctl |= ENTRY_CTL_LOAD_PAT;
	}
	proc |= if_allowed(proc_msr, PROC_MSR_BITMAPS);
	/* MWAIT could put the CPU in a C-state where the preemption timer stops; guests are
	 * told there is no MONITOR/MWAIT and get #UD if they try. */
	proc |= if_allowed(proc_msr, PROC_MWAIT_EXITING) | if_allowed(proc_msr, PROC_MONITOR_EXITING);
	/* Guest DR7 and IA32_DEBUGCTL survive exits (else every exit clears DR7 to 0x400). */
	if (if_allowed(exit_msr, EXIT_CTL_SAVE_DEBUG_CTLS) &&
	    if_allowed(entry_msr, ENTRY_CTL_LOAD_DEBUG_CTLS)) {
		exit_ctl |= EXIT_CTL_SAVE_DEBUG_CTLS;
		entry_ctl |= ENTRY_CTL_LOAD_DEBUG_CTLS;
	}
	/* The TPR shadow keeps CR8 in the vCPU's virtual-APIC page; without it CR8 must exit, or
	 * a guest would program the real local APIC's priority. */
	if (if_allowed(proc_msr, PROC_TPR_SHADOW))
		proc |= PROC_TPR_SHADOW;
	else
		proc |= if_allowed(proc_msr, PROC_CR8_LOAD_EXITING | PROC_CR8_STORE_EXITING);
	/* Register virtualization and virtual-interrupt delivery only together (as KVM): without
	 * delivery the CPU would not keep PPR in the virtual-APIC page current. */
	uint32_t apicv = PROC2_VIRT_APIC_ACCESSES | PROC2_APIC_REG_VIRT | PROC2_VIRT_INTR_DELIVERY;
	bool apic_virt = (proc & PROC_TPR_SHADOW) && if_allowed(proc2_msr, apicv);
	if (apic_virt)
		proc2 |= PROC2_APIC_REG_VIRT | PROC2_VIRT_INTR_DELIVERY;
	proc2 |= if_allowed(proc2_msr, PROC2_PAUSE_LOOP_EXITING);
	/* Guests may move their TSC (IA32_TSC and IA32_TSC_ADJUST writes): an offset per vCPU. */
	proc |= if_allowed(proc_msr, PROC_TSC_OFFSETTING);
	/* The performance counters are not switched between VMs (and not offered): RDPMC
	 * exits and faults. WBINVD would stall every VM on the CPU for the whole cache flush. */
	proc |= if_allowed(proc_msr, PROC_RDPMC_EXITING);
	proc2 |= if_allowed(proc2_msr, PROC2_WBINVD_EXITING);
	bool vnmi = if_allowed(pin_msr, PIN_VIRTUAL_NMIS) && if_allowed(proc_msr, PROC_NMI_WINDOW_EXITING);
	if (vnmi)
		pin |= PIN_VIRTUAL_NMIS;
	/* A VPID is useless without INVVPID to flush its stale translations, by single- or
	 * all-context invalidation (individual-address alone cannot do it). */
	if ((cap & VPID_CAP_INVVPID) && (cap & (VPID_CAP_INVVPID_SINGLE | VPID_CAP_INVVPID_ALL)))
		proc2 |= if_allowed(proc2_msr, PROC2_VPID);
	proc2 |= if_allowed(proc2_msr, PROC2_RDTSCP) | if_allowed(proc2_msr, PROC2_INVPCID) |
		 if_allowed(proc2_msr, PROC2_XSAVES);

	*out = (struct vmx_caps){
	    .pin = control_word(pin_msr, pin),
	    .proc = control_word(proc_msr, proc),
	    .proc2 = control_word(proc2_msr, proc2),
	    .exit = control_word(exit_msr, exit_ctl),
	    .entry = control_word(entry_msr, entry_ctl),
	    .preempt_timer_shift = (unsigned)(m->misc & VMX_MISC_PREEMPT_RATE_MASK),
	    .revision_id = (uint32_t)(m->basic & VMX_BASIC_REVISION_MASK),
	    .ins_outs_info = (m->basic & VMX_BASIC_INOUT_INFO) != 0,
	    .vmcs_size =
		(uint32_t)((m->basic & VMX_BASIC_VMCS_SIZE_MASK) >> VMX_BASIC_VMCS_SIZE_SHIFT),
	    .cr0_fixed0 = m->cr0_fixed0,
	    .cr0_fixed1 = m->cr0_fixed1,
	    .cr4_fixed0 = m->cr4_fixed0,
	    .cr4_fixed1 = m->cr4_fixed1,
	};
	struct vmx_caps *c = out;
	c->ept = c->proc2 & PROC2_EPT;
	/* Unrestricted guest is only valid together with EPT (VM-entry control check). */
	c->unrestricted = c->ept && (c->proc2 & PROC2_UNRESTRICTED_GUEST);
	if (c->ept) {
		c->ept_2m = cap & EPT_CAP_PAGE_2M;
		c->ept_1g = cap & EPT_CAP_PAGE_1G;
		c->ept_ad = cap & EPT_CAP_ACCESSED_DIRTY;
		c->invept_single = (cap & EPT_CAP_INVEPT) && (cap & EPT_CAP_INVEPT_SINGLE);
		c->invept_all = (cap & EPT_CAP_INVEPT) && (cap & EPT_CAP_INVEPT_ALL);
	}
	c->vpid = c->proc2 & PROC2_VPID;
	c->invvpid = cap & VPID_CAP_INVVPID;
	c->invvpid_single = c->invvpid && (cap & VPID_CAP_INVVPID_SINGLE);
	c->invvpid_all = c->invvpid && (cap & VPID_CAP_INVVPID_ALL);
	c->preempt_timer = (c->pin & PIN_PREEMPT_TIMER) && (c->exit & EXIT_CTL_SAVE_PREEMPT_TIMER);
	c->msr_bitmaps = c->proc & PROC_MSR_BITMAPS;
	c->rdtscp = c->proc2 & PROC2_RDTSCP;
	c->invpcid = c->proc2 & PROC2_INVPCID;
	c->xsaves = c->proc2 & PROC2_XSAVES;
	c->tpr_shadow = c->proc & PROC_TPR_SHADOW;
	c->cr8_exiting = if_allowed(proc_msr, PROC_CR8_LOAD_EXITING | PROC_CR8_STORE_EXITING) != 0;
	c->apic_virt = apic_virt && (c->proc2 & PROC2_VIRT_INTR_DELIVERY);
	c->x2apic_virt = c->apic_virt && if_allowed(proc2_msr, PROC2_VIRT_X2APIC);
	c->ple = c->proc2 & PROC2_PAUSE_LOOP_EXITING;
	c->tsc_offsetting = c->proc & PROC_TSC_OFFSETTING;
	c->virtual_nmis = vnmi && (c->pin & PIN_VIRTUAL_NMIS);
	c->pat = (c->exit & EXIT_CTL_SAVE_PAT) && (c->exit & EXIT_CTL_LOAD_PAT) &&
		 (c->entry & ENTRY_CTL_LOAD_PAT);
	return ok;
}

void vmx_caps_drop_preempt_timer(struct vmx_caps *c, const struct vmx_msrs *m)
{
	bool true_ctls = m->basic & VMX_BASIC_TRUE_CTLS;
	uint64_t pin_msr = true_ctls ? m->true_pinbased : m->pinbased;
	uint64_t exit_msr = true_ctls ? m->true_exit : m->exit;
	/* Only where the controls may be 0 (they always may: they are optional features). */
	if (!(must_be_1(pin_msr) & PIN_PREEMPT_TIMER))
		c->pin &= ~(uint32_t)PIN_PREEMPT_TIMER;
	if (!(must_be_1(exit_msr) & EXIT_CTL_SAVE_PREEMPT_TIMER))
		c->exit &= ~(uint32_t)EXIT_CTL_SAVE_PREEMPT_TIMER;
	c->preempt_timer = false;
}

void vmx_caps_limit_apicv(struct vmx_caps *c, enum apicv_level level)
{
	if (level < APICV_FULL) {
		c->proc2 &= ~(uint32_t)(PROC2_APIC_REG_VIRT | PROC2_VIRT_INTR_DELIVERY);
		c->apic_virt = c->x2apic_virt = false;
	}
	if (level < APICV_BASIC && c->tpr_shadow) {
		c->proc &= ~(uint32_t)PROC_TPR_SHADOW;
		c->tpr_shadow = false;
		if (c->cr8_exiting)
			c->proc |= PROC_CR8_LOAD_EXITING | PROC_CR8_STORE_EXITING;
	}
}

uint64_t vmx_guest_cr0_fixed0(const struct vmx_caps *c)
{
	return c->unrestricted ? c->cr0_fixed0 & ~(CR0_PE | CR0_PG) : c->cr0_fixed0;
}

void vmx_caps_describe(const struct vmx_caps *c, char *buf, size_t len)
{
	struct line l;
	line_init(&l, buf, len);
	line_put(&l, "VT-x:");
	const char *sep = " ";
	if (c->ept) {
		line_put(&l, " EPT");
		if (c->ept_2m || c->ept_1g) {
			line_put(&l, " (");
			line_put(&l, c->ept_2m && c->ept_1g ? "2M 1G" : c->ept_2m ? "2M" : "1G");
			line_put(&l, ")");
		}
		sep = ", ";
	}
	const struct {
		bool on;
		const char *name;
		bool show_rate;
	} features[] = {
	    {c->unrestricted, "unrestricted guest", false},
	    {c->vpid, "VPID", false},
	    {c->preempt_timer, "preemption timer", true},
	    {c->msr_bitmaps, "MSR bitmaps", false},
	    {c->rdtscp, "RDTSCP", false},
	    {c->invpcid, "INVPCID", false},
	    {c->xsaves, "XSAVES", false},
	    {c->pat, "PAT switching", false},
	    {c->tpr_shadow, "TPR shadow", false},
	    {c->apic_virt, "APIC virtualization", false},
	    {c->x2apic_virt, "x2APIC virtualization", false},
	    {c->ple, "PAUSE-loop exiting", false},
	    {c->tsc_offsetting, "TSC offsetting", false},
	    {c->virtual_nmis, "virtual NMIs", false},
	};
	for (size_t i = 0; i < sizeof features / sizeof features[0]; i++) {
		if (!features[i].on)
			continue;
		line_put(&l, sep);
		line_put(&l, features[i].name);
		if (features[i].show_rate) {
			line_put(&l, " (rate 2^");
			line_put_uint(&l, c->preempt_timer_shift);
			line_put(&l, ")");
		}
		sep = ", ";
	}
}
