/* VT-x capability evaluation: turns the raw VMX capability MSRs into the control words the
 * hypervisor runs with. Pure computation (the caller does the RDMSRs), so it is host-tested. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Raw MSR values. has_procbased2 is false when IA32_VMX_PROCBASED_CTLS allows no secondary
 * controls (the MSR then does not exist); has_ept_vpid_cap when neither EPT nor VPID may be set. */
struct vmx_msrs {
	uint64_t basic, pinbased, procbased, exit, entry;
	uint64_t true_pinbased, true_procbased, true_exit, true_entry; /* read if BASIC bit 55 */
	uint64_t misc, procbased2, ept_vpid_cap;
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	bool has_procbased2, has_ept_vpid_cap;
};

struct vmx_caps {
	uint32_t pin, proc, proc2, exit, entry; /* computed control words */
	bool ept, unrestricted;			/* required: always true on success */
	bool ept_2m, ept_1g, ept_ad;		/* large EPT pages, EPT accessed/dirty flags */
	bool invept_single, invept_all;		/* INVEPT types */
	bool vpid;				/* PROC2_VPID set (implies invvpid) */
	bool invvpid, invvpid_single, invvpid_all;
	bool preempt_timer;	      /* PIN_PREEMPT_TIMER + EXIT_CTL_SAVE_PREEMPT_TIMER */
	bool msr_bitmaps;	      /* PROC_MSR_BITMAPS: VMCS_MSR_BITMAP must be set */
	bool rdtscp, invpcid, xsaves; /* guest may execute these instead of #UD */
	bool pat;		      /* guest/host IA32_PAT switched on entry/exit */
	unsigned preempt_timer_shift; /* IA32_VMX_MISC bits 4:0: timer counts TSC >> shift */
	uint32_t revision_id;	      /* from IA32_VMX_BASIC, first dword of a VMCS */
	bool ins_outs_info;	      /* INS/OUTS exits report instruction info (BASIC bit 54) */
	/* Local APIC virtualization (SDM vol. 3C ch. 30). The always-on parts are in the
	 * control words; VIRT_APIC_ACCESSES and VIRT_X2APIC follow each vCPU's APIC mode. */
	bool tpr_shadow;	 /* PROC_TPR_SHADOW set: CR8 and TPR live in the virtual-APIC page */
	bool cr8_exiting;	 /* CR8 load/store exiting may be set (needed without the shadow) */
	bool apic_virt;		 /* APIC-access page + register virtualization + virtual-interrupt
				  * delivery (PROC2_APIC_REG_VIRT and _VIRT_INTR_DELIVERY set) */
	bool x2apic_virt;	 /* with apic_virt: x2APIC MSRs virtualized (PROC2_VIRT_X2APIC) */
	bool ple;		 /* PAUSE-loop exiting set: spinning vCPUs give the CPU away */
	bool tsc_offsetting;	 /* PROC_TSC_OFFSETTING set: per-vCPU TSC (IA32_TSC_ADJUST) */
	bool virtual_nmis;	 /* PIN_VIRTUAL_NMIS set; NMI-window exiting may be toggled */
	uint32_t vmcs_size;	      /* bytes of a VMCS region */
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
};

/* Computes each control word as (wanted | must_be_1) & may_be_1 using the TRUE_* MSRs when
 * BASIC bit 55 is set (allowed-0 settings in bits 31:0 = must-be-1, allowed-1 in bits 63:32 =
 * may-be-1). Required controls the CPU cannot set make it fail, writing a one-line reason that
 * lists everything missing (e.g. "no EPT, no unrestricted guest") to `missing`. *out is filled
 * either way. Returns true on success. */
bool vmx_caps_compute(const struct vmx_msrs *m, struct vmx_caps *out, char *missing,
		      size_t missing_len);

/* How much local-APIC virtualization to use (hypervisor option apicv=): FULL takes all the CPU
 * offers; BASIC keeps only the TPR shadow (APIC registers emulated on MMIO exits, interrupts
 * injected as events); OFF also drops the shadow (CR8 accesses exit). The lower levels are
 * the paths of CPUs without the features, selectable so they are tested on any CPU. */
enum apicv_level { APICV_OFF, APICV_BASIC, APICV_FULL };
/* Stops using the VMX-preemption timer (an erratum, or slicetimer=lapic). */
void vmx_caps_drop_preempt_timer(struct vmx_caps *c, const struct vmx_msrs *m);
void vmx_caps_limit_apicv(struct vmx_caps *c, enum apicv_level level);

/* CR0 bits the guest must keep set. With unrestricted guest, PE and PG are exempt from
 * IA32_VMX_CR0_FIXED0 (SDM vol. 3, VM-entry checks on guest control registers), so the guest
 * may run in real mode or unpaged. */
uint64_t vmx_guest_cr0_fixed0(const struct vmx_caps *c);

/* One line such as "VT-x: EPT (2M 1G), unrestricted guest, VPID, preemption timer (rate 2^5),
 * MSR bitmaps". */
void vmx_caps_describe(const struct vmx_caps *c, char *buf, size_t len);
