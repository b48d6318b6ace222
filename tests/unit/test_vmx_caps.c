/* vmcs.h comes first on purpose: this translation unit is also the check that it stands alone. */
#include "vmx/vmcs.h"

#include "kernel/x86.h"
#include "tests/unit/check.h"
#include "vmx/exit_reason.h"
#include "vmx/vmx_caps.h"

/* MSR values Bochs 2.7 reports for cpu model corei7_skylake_x (/work/shared/notes/bochs.md). */
static struct vmx_msrs bochs_skylake_x(void)
{
	return (struct vmx_msrs){
	    .basic = 0x00d810000000002bull,
	    .pinbased = 0x0000007f00000016ull,
	    .procbased = 0xf7f9fffe0401e172ull,
	    .exit = 0x007fffff00036dffull,
	    .entry = 0x0000ffff000011ffull,
	    .true_pinbased = 0x0000007f00000016ull,
	    .true_procbased = 0xf7f9fffe04006172ull,
	    .true_exit = 0x007fffff00036dfbull,
	    .true_entry = 0x0000ffff000011fbull,
	    .misc = 0x00000000600401e0ull,
	    .procbased2 = 0x02177fff00000000ull,
	    .ept_vpid_cap = 0x00000f0106334141ull,
	    .cr0_fixed0 = 0x80000021ull,
	    .cr0_fixed1 = 0xffffffffull,
	    .cr4_fixed0 = 0x2000ull,
	    .cr4_fixed1 = 0x3727ffull,
	    .has_procbased2 = true,
	    .has_ept_vpid_cap = true,
	};
}

/* A capability MSR value: allowed-0 settings (must-be-1) low, allowed-1 (may-be-1) high. */
static uint64_t ctl(uint32_t must1, uint32_t may1)
{
	return ((uint64_t)may1 << 32) | must1;
}

static char why[128];

TEST(bochs_has_every_feature)
{
	struct vmx_msrs m = bochs_skylake_x();
	struct vmx_caps c;
	CHECK(vmx_caps_compute(&m, &c, why, sizeof why));
	CHECK_STR(why, "");
	CHECK(c.ept && c.unrestricted && c.vpid && c.preempt_timer);
	CHECK(c.ept_2m && c.ept_1g && c.ept_ad);
	CHECK(c.invept_single && c.invept_all);
	CHECK(c.invvpid && c.invvpid_single && c.invvpid_all);
	CHECK(c.msr_bitmaps && c.rdtscp && c.invpcid && c.xsaves && c.pat);
	CHECK_EQ(c.preempt_timer_shift, 0);
}

/* Expected words worked out by hand from the TRUE_* MSRs: (wanted | allowed-0) & allowed-1. */
TEST(bochs_control_words)
{
	struct vmx_msrs m = bochs_skylake_x();
	struct vmx_caps c;
	CHECK(vmx_caps_compute(&m, &c, why, sizeof why));
	CHECK_EQ(c.pin, 0x7f);         /* + virtual NMIs */
	CHECK_EQ(c.proc, 0xb5206dfa);  /* + TPR shadow, TSC offsetting, RDPMC exiting */
	CHECK_EQ(c.proc2, 0x001017ea); /* + APIC register virt., virtual-interrupt delivery, PLE,
					* WBINVD exiting */
	CHECK_EQ(c.exit, 0x007fefff);
	CHECK_EQ(c.entry, 0x0000d1ff);
}

TEST(revision_and_vmcs_size_from_basic)
{
	struct vmx_msrs m = bochs_skylake_x();
	struct vmx_caps c;
	vmx_caps_compute(&m, &c, why, sizeof why);
	CHECK_EQ(c.revision_id, 0x2b);
	CHECK_EQ(c.vmcs_size, 0x1000);
	/* Bit 31 is the shadow-VMCS indicator, not part of the revision; size is bits 44:32. */
	m.basic = 0x80000000ull | 0x12345ull | (0x1fffull << 32) | (1ull << 45);
	vmx_caps_compute(&m, &c, why, sizeof why);
	CHECK_EQ(c.revision_id, 0x12345);
	CHECK_EQ(c.vmcs_size, 0x1fff);
	CHECK(!c.ins_outs_info);
	m = bochs_skylake_x(); /* Bochs sets bit 54: INS/OUTS report their address size */
	vmx_caps_compute(&m, &c, why, sizeof why);
	CHECK(c.ins_outs_info);
}

TEST(unwanted_controls_stay_clear)
{
	struct vmx_msrs m = bochs_skylake_x();
	struct vmx_caps c;
	vmx_caps_compute(&m, &c, why, sizeof why);
	/* All allowed by Bochs, none wanted; interrupt-window exiting is toggled at run time. */
	CHECK_EQ(c.proc & PROC_INTR_WINDOW_EXITING, 0);
	CHECK_EQ(c.proc & (PROC_IO_BITMAPS | PROC_MONITOR_TRAP_FLAG | PROC_RDTSC_EXITING), 0);
	CHECK_EQ(c.proc & (PROC_CR3_LOAD_EXITING | PROC_CR3_STORE_EXITING), 0);
	CHECK_EQ(c.proc & (PROC_CR8_LOAD_EXITING | PROC_CR8_STORE_EXITING | PROC_NMI_WINDOW_EXITING), 0);
	/* The APIC-access and x2APIC modes follow each vCPU's APIC mode: never in the word. */
	CHECK_EQ(c.proc2 & (PROC2_VIRT_APIC_ACCESSES | PROC2_VIRT_X2APIC), 0);
	CHECK_EQ(c.proc2 & (PROC2_VMCS_SHADOWING | PROC2_VMFUNC | PROC2_EPT_VIOLATION_VE), 0);
	CHECK_EQ(c.entry & (ENTRY_CTL_IA32E_MODE_GUEST | ENTRY_CTL_SMM), 0);
}

TEST(missing_ept_fails_naming_ept)
{
	struct vmx_msrs m = bochs_skylake_x();
	m.procbased2 = ctl(0, 0x02177fffu & ~PROC2_EPT);
	struct vmx_caps c;
	CHECK(!vmx_caps_compute(&m, &c, why, sizeof why));
	CHECK_STR(why, "no EPT");
	CHECK(!c.ept);
	/* The CPU allows unrestricted guest, but it is invalid without EPT. */
	CHECK(!c.unrestricted);
}

TEST(no_secondary_controls_fails)
{
	struct vmx_msrs m = bochs_skylake_x();
	m.true_procbased = ctl(0x04006172, 0xf7f9fffeu & ~PROC_SECONDARY_CONTROLS);
	struct vmx_caps c;
	CHECK(!vmx_caps_compute(&m, &c, why, sizeof why));
	CHECK_STR(why, "no secondary controls, no EPT, no unrestricted guest");
	CHECK_EQ(c.proc & PROC_SECONDARY_CONTROLS, 0);
	CHECK_EQ(c.proc2, 0);

	m = bochs_skylake_x();
	m.has_procbased2 = false;
	CHECK(!vmx_caps_compute(&m, &c, why, sizeof why));
	CHECK_STR(why, "no EPT, no unrestricted guest");
	CHECK_EQ(c.proc2, 0);
}

TEST(every_missing_requirement_is_listed)
{
	struct vmx_msrs m = bochs_skylake_x();
	m.true_pinbased = ctl(0x16, 0x7fu & ~PIN_NMI_EXITING);
	m.true_exit = ctl(0x36dfb, 0x7fffffu & ~EXIT_CTL_ACK_INTR_ON_EXIT);
	m.true_entry = ctl(0x11fb, 0xffffu & ~ENTRY_CTL_LOAD_EFER);
	m.ept_vpid_cap &= ~EPT_CAP_MEMTYPE_WB;
	struct vmx_caps c;
	CHECK(!vmx_caps_compute(&m, &c, why, sizeof why));
	CHECK_STR(why, "no NMI exiting, no acknowledge interrupt on exit, no load EFER on entry, "
		       "no write-back EPT");
}

TEST(missing_ept_vpid_msr_fails_ept_caps)
{
	struct vmx_msrs m = bochs_skylake_x();
	m.has_ept_vpid_cap = false;
	struct vmx_caps c;
	CHECK(!vmx_caps_compute(&m, &c, why, sizeof why));
	CHECK_STR(why, "no 4-level EPT walk, no write-back EPT, no INVEPT");
	CHECK(!c.vpid && !c.invvpid && !c.ept_2m);
}

/* Changed EPT entries could not be flushed: refuse rather than run on stale translations. */
TEST(no_invept_type_refused)
{
	struct vmx_msrs m = bochs_skylake_x();
	m.ept_vpid_cap &= ~(EPT_CAP_INVEPT_SINGLE | EPT_CAP_INVEPT_ALL);
	struct vmx_caps c;
	CHECK(!vmx_caps_compute(&m, &c, why, sizeof why));
	CHECK_STR(why, "no INVEPT");
	m = bochs_skylake_x();
	m.ept_vpid_cap &= ~EPT_CAP_INVEPT_SINGLE; /* all-context alone will do */
	CHECK(vmx_caps_compute(&m, &c, why, sizeof why));
	CHECK(!c.invept_single && c.invept_all);
}

/* INVVPID with only the individual-address type cannot flush a VPID: no VPIDs then. */
TEST(vpid_needs_a_context_invvpid)
{
	struct vmx_msrs m = bochs_skylake_x();
	m.ept_vpid_cap &= ~(VPID_CAP_INVVPID_SINGLE | VPID_CAP_INVVPID_ALL);
	struct vmx_caps c;
	CHECK(vmx_caps_compute(&m, &c, why, sizeof why));
	CHECK(!c.vpid);
	CHECK(!(c.proc2 & PROC2_VPID));
	m = bochs_skylake_x();
	m.ept_vpid_cap &= ~VPID_CAP_INVVPID_SINGLE;
	CHECK(vmx_caps_compute(&m, &c, why, sizeof why));
	CHECK(c.vpid && !c.invvpid_single && c.invvpid_all);
}

TEST(no_2m_ept_pages_reported)
{
	struct vmx_msrs m = bochs_skylake_x();
	m.ept_vpid_cap &= ~EPT_CAP_PAGE_2M;
	struct vmx_caps c;
	CHECK(vmx_caps_compute(&m, &c, why, sizeof why));
	CHECK(!c.ept_2m);
}

TEST(preempt_timer_dropped)
{
	struct vmx_msrs m = bochs_skylake_x();
	struct vmx_caps c;
	CHECK(vmx_caps_compute(&m, &c, why, sizeof why));
	CHECK(c.preempt_timer);
	vmx_caps_drop_preempt_timer(&c, &m);
	CHECK(!c.preempt_timer);
	CHECK(!(c.pin & PIN_PREEMPT_TIMER));
	CHECK(!(c.exit & EXIT_CTL_SAVE_PREEMPT_TIMER));
}

TEST(must_be_1_bits_always_set)
{
	struct vmx_msrs m = bochs_skylake_x();
	/* A CPU forcing MWAIT, RDPMC and CR3-load exiting on, plus a secondary must-be-1. */
	uint32_t forced = PROC_MWAIT_EXITING | PROC_RDPMC_EXITING | PROC_CR3_LOAD_EXITING;
	m.true_procbased = ctl(0x04006172 | forced, 0xf7f9fffe);
	m.procbased2 = ctl(PROC2_WBINVD_EXITING, 0x02177fff);
	m.true_pinbased = ctl(0x16 | PIN_VIRTUAL_NMIS, 0x7f);
	struct vmx_caps c;
	CHECK(vmx_caps_compute(&m, &c, why, sizeof why));
	CHECK_EQ(c.proc & forced, forced);
	CHECK(c.proc2 & PROC2_WBINVD_EXITING);
	CHECK(c.pin & PIN_VIRTUAL_NMIS);
	CHECK_EQ(c.pin & 0x16, 0x16);
}

TEST(may_be_0_bits_never_set)
{
	struct vmx_msrs m = bochs_skylake_x();
	m.true_procbased = ctl(0x04006172, 0xf7f9fffeu & ~PROC_MSR_BITMAPS);
	m.procbased2 = ctl(0, 0x02177fffu & ~(PROC2_VPID | PROC2_RDTSCP | PROC2_XSAVES));
	m.true_entry = ctl(0x11fb, 0xffffu & ~ENTRY_CTL_LOAD_PAT);
	struct vmx_caps c;
	CHECK(vmx_caps_compute(&m, &c, why, sizeof why));
	CHECK_EQ(c.proc & PROC_MSR_BITMAPS, 0);
	CHECK_EQ(c.proc2 & (PROC2_VPID | PROC2_RDTSCP | PROC2_XSAVES), 0);
	CHECK(c.proc2 & PROC2_INVPCID);
	CHECK(!c.msr_bitmaps && !c.vpid && !c.rdtscp && !c.xsaves && c.invpcid);
	/* PAT switching is all-or-nothing: without entry "load PAT" the exit controls stay off. */
	CHECK_EQ(c.exit & (EXIT_CTL_SAVE_PAT | EXIT_CTL_LOAD_PAT), 0);
	CHECK(!c.pat);
}

TEST(preemption_timer_needs_save_value_exit_control)
{
	struct vmx_msrs m = bochs_skylake_x();
	m.true_exit = ctl(0x36dfb, 0x7fffffu & ~EXIT_CTL_SAVE_PREEMPT_TIMER);
	struct vmx_caps c;
	CHECK(vmx_caps_compute(&m, &c, why, sizeof why));
	CHECK_EQ(c.pin & PIN_PREEMPT_TIMER, 0);
	CHECK(!c.preempt_timer);

	m = bochs_skylake_x();
	m.true_pinbased = ctl(0x16, 0x7fu & ~PIN_PREEMPT_TIMER);
	CHECK(vmx_caps_compute(&m, &c, why, sizeof why));
	CHECK_EQ(c.exit & EXIT_CTL_SAVE_PREEMPT_TIMER, 0);
	CHECK(!c.preempt_timer);
}

TEST(vpid_needs_invvpid)
{
	struct vmx_msrs m = bochs_skylake_x();
	m.ept_vpid_cap &= ~VPID_CAP_INVVPID;
	struct vmx_caps c;
	CHECK(vmx_caps_compute(&m, &c, why, sizeof why));
	CHECK_EQ(c.proc2 & PROC2_VPID, 0);
	CHECK(!c.vpid && !c.invvpid);
}

TEST(true_msrs_only_with_basic_bit55)
{
	struct vmx_msrs m = bochs_skylake_x();
	struct vmx_caps c;
	/* The plain MSRs report default1 CR3-load/store exiting as must-be-1; the TRUE ones
	 * let it be 0. (Debug-control save/load are wanted either way.) */
	CHECK(vmx_caps_compute(&m, &c, why, sizeof why));
	CHECK_EQ(c.proc & (PROC_CR3_LOAD_EXITING | PROC_CR3_STORE_EXITING), 0);
	CHECK(c.exit & EXIT_CTL_SAVE_DEBUG_CTLS);
	CHECK(c.entry & ENTRY_CTL_LOAD_DEBUG_CTLS);

	m.basic &= ~VMX_BASIC_TRUE_CTLS;
	/* TRUE values that would fail if they were read. */
	m.true_pinbased = m.true_procbased = m.true_exit = m.true_entry = 0;
	CHECK(vmx_caps_compute(&m, &c, why, sizeof why));
	CHECK_EQ(c.proc & (PROC_CR3_LOAD_EXITING | PROC_CR3_STORE_EXITING),
		 PROC_CR3_LOAD_EXITING | PROC_CR3_STORE_EXITING);
	CHECK(c.exit & EXIT_CTL_SAVE_DEBUG_CTLS);
	CHECK(c.entry & ENTRY_CTL_LOAD_DEBUG_CTLS);
	CHECK_EQ(c.proc, 0xb521edfa);
}

TEST(preemption_timer_rate_from_misc)
{
	struct vmx_msrs m = bochs_skylake_x();
	m.misc = 0x600401e5ull;
	struct vmx_caps c;
	vmx_caps_compute(&m, &c, why, sizeof why);
	CHECK_EQ(c.preempt_timer_shift, 5);
	m.misc = 0x600401ffull; /* bits 4:0 only; bits 5-7 are other capabilities */
	vmx_caps_compute(&m, &c, why, sizeof why);
	CHECK_EQ(c.preempt_timer_shift, 31);
}

TEST(guest_cr0_fixed_bits)
{
	struct vmx_msrs m = bochs_skylake_x();
	struct vmx_caps c;
	vmx_caps_compute(&m, &c, why, sizeof why);
	CHECK_EQ(c.cr0_fixed0, 0x80000021);
	CHECK_EQ(c.cr4_fixed0, 0x2000);
	CHECK_EQ(c.cr0_fixed1, 0xffffffff);
	CHECK_EQ(c.cr4_fixed1, 0x3727ff);
	/* Unrestricted guest: only NE remains forced. */
	CHECK_EQ(vmx_guest_cr0_fixed0(&c), CR0_NE);

	m.procbased2 = ctl(0, 0x02177fffu & ~PROC2_UNRESTRICTED_GUEST);
	CHECK(!vmx_caps_compute(&m, &c, why, sizeof why));
	CHECK_STR(why, "no unrestricted guest");
	CHECK_EQ(vmx_guest_cr0_fixed0(&c), CR0_PG | CR0_NE | CR0_PE);
}

TEST(describe_bochs)
{
	struct vmx_msrs m = bochs_skylake_x();
	struct vmx_caps c;
	char line[360];
	vmx_caps_compute(&m, &c, why, sizeof why);
	vmx_caps_describe(&c, line, sizeof line);
	CHECK_STR(line, "VT-x: EPT (2M 1G), unrestricted guest, VPID, preemption timer (rate 2^0), "
			"MSR bitmaps, RDTSCP, INVPCID, XSAVES, PAT switching, TPR shadow, "
			"APIC virtualization, x2APIC virtualization, PAUSE-loop exiting, TSC offsetting, "
			"virtual NMIs");
}

TEST(apic_virtualization_on_bochs)
{
	struct vmx_msrs m = bochs_skylake_x();
	struct vmx_caps c;
	vmx_caps_compute(&m, &c, why, sizeof why);
	CHECK(c.tpr_shadow && c.cr8_exiting && c.apic_virt && c.x2apic_virt);
	CHECK(c.ple && c.virtual_nmis && c.tsc_offsetting);
}

TEST(apic_virtualization_needs_all_three_controls)
{
	struct vmx_msrs m = bochs_skylake_x();
	struct vmx_caps c;
	/* No virtual-interrupt delivery: register virtualization alone is not used. */
	m.procbased2 &= ~((uint64_t)PROC2_VIRT_INTR_DELIVERY << 32);
	CHECK(vmx_caps_compute(&m, &c, why, sizeof why));
	CHECK(!c.apic_virt && !c.x2apic_virt);
	CHECK_EQ(c.proc2 & (PROC2_APIC_REG_VIRT | PROC2_VIRT_INTR_DELIVERY), 0);
	CHECK(c.tpr_shadow);
	/* No TPR shadow: nothing of APIC virtualization, and CR8 exits instead. */
	m = bochs_skylake_x();
	m.true_procbased &= ~((uint64_t)PROC_TPR_SHADOW << 32);
	CHECK(vmx_caps_compute(&m, &c, why, sizeof why));
	CHECK(!c.tpr_shadow && !c.apic_virt);
	CHECK_EQ(c.proc & (PROC_CR8_LOAD_EXITING | PROC_CR8_STORE_EXITING),
		 PROC_CR8_LOAD_EXITING | PROC_CR8_STORE_EXITING);
	CHECK_EQ(c.proc2 & (PROC2_APIC_REG_VIRT | PROC2_VIRT_INTR_DELIVERY), 0);
}

TEST(virtual_nmis_need_nmi_window_exiting)
{
	struct vmx_msrs m = bochs_skylake_x();
	struct vmx_caps c;
	m.true_procbased &= ~((uint64_t)PROC_NMI_WINDOW_EXITING << 32);
	CHECK(vmx_caps_compute(&m, &c, why, sizeof why));
	CHECK(!c.virtual_nmis);
	CHECK_EQ(c.pin & PIN_VIRTUAL_NMIS, 0);
}

TEST(apicv_levels)
{
	struct vmx_msrs m = bochs_skylake_x();
	struct vmx_caps full, basic, off;
	vmx_caps_compute(&m, &full, why, sizeof why);
	basic = off = full;
	vmx_caps_limit_apicv(&full, APICV_FULL);
	CHECK(full.apic_virt && full.x2apic_virt && full.tpr_shadow);
	CHECK_EQ(full.proc2 & PROC2_VIRT_INTR_DELIVERY, PROC2_VIRT_INTR_DELIVERY);

	vmx_caps_limit_apicv(&basic, APICV_BASIC);
	CHECK(!basic.apic_virt && !basic.x2apic_virt && basic.tpr_shadow);
	CHECK_EQ(basic.proc2 & (PROC2_APIC_REG_VIRT | PROC2_VIRT_INTR_DELIVERY), 0);
	CHECK_EQ(basic.proc, full.proc);

	vmx_caps_limit_apicv(&off, APICV_OFF);
	CHECK(!off.apic_virt && !off.tpr_shadow);
	CHECK_EQ(off.proc & PROC_TPR_SHADOW, 0);
	CHECK_EQ(off.proc & (PROC_CR8_LOAD_EXITING | PROC_CR8_STORE_EXITING),
		 PROC_CR8_LOAD_EXITING | PROC_CR8_STORE_EXITING);
	CHECK_EQ(off.proc2, basic.proc2);
}

TEST(describe_minimal_and_rate)
{
	struct vmx_caps c = {.ept = true, .unrestricted = true};
	char line[200];
	vmx_caps_describe(&c, line, sizeof line);
	CHECK_STR(line, "VT-x: EPT, unrestricted guest");

	c = (struct vmx_caps){.ept = true,
			      .ept_2m = true,
			      .unrestricted = true,
			      .preempt_timer = true,
			      .preempt_timer_shift = 25};
	vmx_caps_describe(&c, line, sizeof line);
	CHECK_STR(line, "VT-x: EPT (2M), unrestricted guest, preemption timer (rate 2^25)");
}

TEST(text_truncates_safely)
{
	struct vmx_msrs m = bochs_skylake_x();
	struct vmx_caps c;
	char small[8];
	vmx_caps_compute(&m, &c, why, sizeof why);
	vmx_caps_describe(&c, small, sizeof small);
	CHECK_STR(small, "VT-x: E");
	vmx_caps_describe(&c, small, 0); /* must not write */

	m.has_procbased2 = false;
	CHECK(!vmx_caps_compute(&m, &c, small, sizeof small));
	CHECK_STR(small, "no EPT,");
	CHECK(!vmx_caps_compute(&m, &c, NULL, 0));
}

TEST(exit_reason_names)
{
	CHECK_STR(exit_reason_name(EXIT_REASON_CPUID), "CPUID");
	CHECK_STR(exit_reason_name(10), "CPUID");
	CHECK_STR(exit_reason_name(0), "exception or NMI");
	CHECK_STR(exit_reason_name(12), "HLT");
	CHECK_STR(exit_reason_name(30), "I/O instruction");
	CHECK_STR(exit_reason_name(48), "EPT violation");
	CHECK_STR(exit_reason_name(49), "EPT misconfiguration");
	CHECK_STR(exit_reason_name(52), "preemption timer");
	CHECK_STR(exit_reason_name(33), "entry failure: invalid guest state");
	CHECK_STR(exit_reason_name(79), "WRMSRLIST");
}

TEST(exit_reason_unknown)
{
	CHECK_STR(exit_reason_name(35), "unknown"); /* gaps in appendix C */
	CHECK_STR(exit_reason_name(38), "unknown");
	CHECK_STR(exit_reason_name(42), "unknown");
	CHECK_STR(exit_reason_name(80), "unknown");
	CHECK_STR(exit_reason_name(0xffff), "unknown");
	CHECK_STR(exit_reason_name(~0u), "unknown");
	CHECK_STR(exit_reason_name(EXIT_REASON_ENTRY_FAILURE_BIT | 33), "unknown");
}

TEST(vmcs_encodings_match_sdm)
{
	CHECK_EQ(VMCS_VPID, 0x0000);
	CHECK_EQ(VMCS_GUEST_CS_SELECTOR, 0x0802);
	CHECK_EQ(VMCS_HOST_TR_SELECTOR, 0x0C0C);
	CHECK_EQ(VMCS_EPT_POINTER, 0x201A);
	CHECK_EQ(VMCS_MSR_BITMAP, 0x2004);
	CHECK_EQ(VMCS_GUEST_PHYSICAL_ADDR, 0x2400);
	CHECK_EQ(VMCS_LINK_POINTER, 0x2800);
	CHECK_EQ(VMCS_HOST_EFER, 0x2C02);
	CHECK_EQ(VMCS_CTRL_PIN_BASED, 0x4000);
	CHECK_EQ(VMCS_CTRL_PROC_BASED2, 0x401E);
	CHECK_EQ(VMCS_VM_INSTRUCTION_ERROR, 0x4400);
	CHECK_EQ(VMCS_EXIT_REASON, 0x4402);
	CHECK_EQ(VMCS_GUEST_CS_AR_BYTES, 0x4816);
	CHECK_EQ(VMCS_GUEST_ACTIVITY_STATE, 0x4826);
	CHECK_EQ(VMCS_PREEMPTION_TIMER_VALUE, 0x482E);
	CHECK_EQ(VMCS_EXIT_QUALIFICATION, 0x6400);
	CHECK_EQ(VMCS_GUEST_RIP, 0x681E);
	CHECK_EQ(VMCS_HOST_RIP, 0x6C16);
	CHECK_EQ(MSR_IA32_VMX_BASIC, 0x480);
	CHECK_EQ(MSR_IA32_VMX_PROCBASED_CTLS2, 0x48B);
	CHECK_EQ(MSR_IA32_VMX_TRUE_ENTRY_CTLS, 0x490);
	CHECK_EQ(MSR_IA32_VMX_VMFUNC, 0x491);
	CHECK_EQ(MSR_IA32_FEATURE_CONTROL, 0x3A);
	CHECK_EQ(FEATURE_CONTROL_LOCKED | FEATURE_CONTROL_VMX_OUTSIDE_SMX, 0x5);
	CHECK_EQ(EPT_CAP_WALK_4 | EPT_CAP_MEMTYPE_WB | EPT_CAP_PAGE_2M | EPT_CAP_PAGE_1G, 0x34040);
	CHECK_EQ(EPT_CAP_INVEPT | EPT_CAP_INVEPT_SINGLE | EPT_CAP_INVEPT_ALL, 0x6100000);
	CHECK_EQ(VPID_CAP_INVVPID, 1ull << 32);
}

/* The encoding's own width and type bits must agree with the appendix B table it sits in. */
TEST(vmcs_encodings_carry_width_and_type)
{
	static const struct {
		uint32_t enc;
		enum vmcs_field_width width;
		enum vmcs_field_type type;
	} f[] = {
	    {VMCS_EPTP_INDEX, VMCS_WIDTH_16, VMCS_TYPE_CONTROL},
	    {VMCS_GUEST_TR_SELECTOR, VMCS_WIDTH_16, VMCS_TYPE_GUEST},
	    {VMCS_HOST_ES_SELECTOR, VMCS_WIDTH_16, VMCS_TYPE_HOST},
	    {VMCS_TSC_OFFSET, VMCS_WIDTH_64, VMCS_TYPE_CONTROL},
	    {VMCS_SPEC_CTRL_SHADOW, VMCS_WIDTH_64, VMCS_TYPE_CONTROL},
	    {VMCS_GUEST_PHYSICAL_ADDR, VMCS_WIDTH_64, VMCS_TYPE_READ_ONLY},
	    {VMCS_GUEST_EFER, VMCS_WIDTH_64, VMCS_TYPE_GUEST},
	    {VMCS_HOST_PAT, VMCS_WIDTH_64, VMCS_TYPE_HOST},
	    {VMCS_CTRL_ENTRY_CONTROLS, VMCS_WIDTH_32, VMCS_TYPE_CONTROL},
	    {VMCS_EXIT_INSTRUCTION_LEN, VMCS_WIDTH_32, VMCS_TYPE_READ_ONLY},
	    {VMCS_GUEST_INTERRUPTIBILITY, VMCS_WIDTH_32, VMCS_TYPE_GUEST},
	    {VMCS_HOST_SYSENTER_CS, VMCS_WIDTH_32, VMCS_TYPE_HOST},
	    {VMCS_CR4_READ_SHADOW, VMCS_WIDTH_NATURAL, VMCS_TYPE_CONTROL},
	    {VMCS_GUEST_LINEAR_ADDR, VMCS_WIDTH_NATURAL, VMCS_TYPE_READ_ONLY},
	    {VMCS_GUEST_RFLAGS, VMCS_WIDTH_NATURAL, VMCS_TYPE_GUEST},
	    {VMCS_HOST_RSP, VMCS_WIDTH_NATURAL, VMCS_TYPE_HOST},
	};
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		CHECK_EQ(vmcs_field_width(f[i].enc), f[i].width);
		CHECK_EQ(vmcs_field_type(f[i].enc), f[i].type);
		CHECK_EQ(f[i].enc & VMCS_ENC_HIGH, 0);
	}
}

TEST(event_and_qualification_layouts)
{
	/* #PF with error code: valid | type 3 (hardware exception) | deliver-EC | vector 14. */
	CHECK_EQ(intr_info(14, INTR_TYPE_HW_EXCEPTION, true), 0x80000b0e);
	CHECK_EQ(intr_info(0x20, INTR_TYPE_EXT_INTR, false), 0x80000020);
	CHECK_EQ(intr_info(2, INTR_TYPE_NMI, false), 0x80000202);
	/* "in al, 0x71": port 0x71, IN, immediate operand, 1 byte. */
	uint64_t q = 0x00710048;
	CHECK_EQ((q & EXITQ_IO_PORT_MASK) >> EXITQ_IO_PORT_SHIFT, 0x71);
	CHECK(q & EXITQ_IO_IN);
	CHECK(q & EXITQ_IO_IMMEDIATE);
	CHECK_EQ(q & EXITQ_IO_SIZE_MASK, 0);
	/* "mov cr3, rbx": MOV to CR3 from GPR 3 (RBX). */
	q = 0x303;
	CHECK_EQ(q & EXITQ_CR_NUM_MASK, 3);
	CHECK_EQ((q & EXITQ_CR_ACCESS_MASK) >> EXITQ_CR_ACCESS_SHIFT, EXITQ_CR_MOV_TO_CR);
	CHECK_EQ((q & EXITQ_CR_GPR_MASK) >> EXITQ_CR_GPR_SHIFT, 3);
	CHECK_EQ(EXITQ_EPT_WRITE | EXITQ_EPT_READABLE | EXITQ_EPT_GLA_VALID, 0x8a);
	/* 64-bit ring-0 code segment as a GDT descriptor would have it (bytes 5-6: 0x9b, 0xa0). */
	CHECK_EQ(SEG_AR_G | SEG_AR_L | SEG_AR_P | SEG_AR_S | SEG_TYPE_CODE_RX_ACCESSED, 0xa09b);
	CHECK_EQ(SEG_AR_UNUSABLE, 0x10000);
	CHECK_EQ(GUEST_INTR_BLOCK_STI | GUEST_INTR_BLOCK_NMI, 0x9);
	CHECK_EQ(GUEST_ACTIVITY_WAIT_SIPI, 3);
}

CHECK_MAIN("vmx_caps", CASE(bochs_has_every_feature), CASE(bochs_control_words),
	   CASE(revision_and_vmcs_size_from_basic), CASE(unwanted_controls_stay_clear),
	   CASE(missing_ept_fails_naming_ept), CASE(no_secondary_controls_fails),
	   CASE(every_missing_requirement_is_listed), CASE(missing_ept_vpid_msr_fails_ept_caps), CASE(no_invept_type_refused),
	   CASE(vpid_needs_a_context_invvpid), CASE(no_2m_ept_pages_reported),
	   CASE(preempt_timer_dropped),
	   CASE(must_be_1_bits_always_set), CASE(may_be_0_bits_never_set),
	   CASE(preemption_timer_needs_save_value_exit_control), CASE(vpid_needs_invvpid),
	   CASE(true_msrs_only_with_basic_bit55), CASE(preemption_timer_rate_from_misc),
	   CASE(guest_cr0_fixed_bits), CASE(describe_bochs), CASE(describe_minimal_and_rate),
	   CASE(text_truncates_safely), CASE(exit_reason_names), CASE(exit_reason_unknown),
	   CASE(vmcs_encodings_match_sdm), CASE(vmcs_encodings_carry_width_and_type),
	   CASE(event_and_qualification_layouts), CASE(apic_virtualization_on_bochs),
	   CASE(apic_virtualization_needs_all_three_controls),
	   CASE(virtual_nmis_need_nmi_window_exiting), CASE(apicv_levels))
