/* VMX architectural constants: VMCS field encodings (SDM vol. 3 appendix B), the VM-execution,
 * VM-exit and VM-entry control bits (SDM vol. 3 ch. 25), exit reasons (appendix C), exit
 * qualification and event-information layouts, and the VMX capability MSRs (appendix A). */
#pragma once
#include <stdbool.h>
#include <stdint.h>

/* --- VMCS field encodings ---
 * An encoding is bit 0 access type (1 = high 32 bits of a 64-bit field), bits 9:1 index,
 * bits 11:10 type, bits 14:13 width. 64-bit fields are listed by their "full" encoding. */
#define VMCS_ENC_HIGH	     1u /* add to a 64-bit field to access bits 63:32 */
#define VMCS_ENC_TYPE_SHIFT  10 /* 0 control, 1 read-only data, 2 guest, 3 host */
#define VMCS_ENC_TYPE_MASK   (3u << 10)
#define VMCS_ENC_WIDTH_SHIFT 13 /* 0 16-bit, 1 64-bit, 2 32-bit, 3 natural */
#define VMCS_ENC_WIDTH_MASK  (3u << 13)

enum vmcs_field_type {
	VMCS_TYPE_CONTROL = 0,
	VMCS_TYPE_READ_ONLY = 1,
	VMCS_TYPE_GUEST = 2,
	VMCS_TYPE_HOST = 3,
};

enum vmcs_field_width {
	VMCS_WIDTH_16 = 0,
	VMCS_WIDTH_64 = 1,
	VMCS_WIDTH_32 = 2,
	VMCS_WIDTH_NATURAL = 3,
};

static inline enum vmcs_field_type vmcs_field_type(uint32_t enc)
{
	return (enum vmcs_field_type)((enc & VMCS_ENC_TYPE_MASK) >> VMCS_ENC_TYPE_SHIFT);
}

static inline enum vmcs_field_width vmcs_field_width(uint32_t enc)
{
	return (enum vmcs_field_width)((enc & VMCS_ENC_WIDTH_MASK) >> VMCS_ENC_WIDTH_SHIFT);
}

enum vmcs_field {
	/* B.1.1 16-bit control fields */
	VMCS_VPID = 0x0000,
	VMCS_POSTED_INTR_NOTIFY_VECTOR = 0x0002,
	VMCS_EPTP_INDEX = 0x0004,
	VMCS_HLAT_PREFIX_SIZE = 0x0006,
	VMCS_LAST_PID_POINTER_INDEX = 0x0008,

	/* B.1.2 16-bit guest-state fields */
	VMCS_GUEST_ES_SELECTOR = 0x0800,
	VMCS_GUEST_CS_SELECTOR = 0x0802,
	VMCS_GUEST_SS_SELECTOR = 0x0804,
	VMCS_GUEST_DS_SELECTOR = 0x0806,
	VMCS_GUEST_FS_SELECTOR = 0x0808,
	VMCS_GUEST_GS_SELECTOR = 0x080A,
	VMCS_GUEST_LDTR_SELECTOR = 0x080C,
	VMCS_GUEST_TR_SELECTOR = 0x080E,
	VMCS_GUEST_INTR_STATUS = 0x0810,
	VMCS_GUEST_PML_INDEX = 0x0812,
	VMCS_GUEST_UINV = 0x0814,

	/* B.1.3 16-bit host-state fields */
	VMCS_HOST_ES_SELECTOR = 0x0C00,
	VMCS_HOST_CS_SELECTOR = 0x0C02,
	VMCS_HOST_SS_SELECTOR = 0x0C04,
	VMCS_HOST_DS_SELECTOR = 0x0C06,
	VMCS_HOST_FS_SELECTOR = 0x0C08,
	VMCS_HOST_GS_SELECTOR = 0x0C0A,
	VMCS_HOST_TR_SELECTOR = 0x0C0C,

	/* B.2.1 64-bit control fields */
	VMCS_IO_BITMAP_A = 0x2000,
	VMCS_IO_BITMAP_B = 0x2002,
	VMCS_MSR_BITMAP = 0x2004,
	VMCS_EXIT_MSR_STORE_ADDR = 0x2006,
	VMCS_EXIT_MSR_LOAD_ADDR = 0x2008,
	VMCS_ENTRY_MSR_LOAD_ADDR = 0x200A,
	VMCS_EXECUTIVE_VMCS_POINTER = 0x200C,
	VMCS_PML_ADDR = 0x200E,
	VMCS_TSC_OFFSET = 0x2010,
	VMCS_VIRTUAL_APIC_ADDR = 0x2012,
	VMCS_APIC_ACCESS_ADDR = 0x2014,
	VMCS_POSTED_INTR_DESC_ADDR = 0x2016,
	VMCS_VMFUNC_CONTROLS = 0x2018,
	VMCS_EPT_POINTER = 0x201A,
	VMCS_EOI_EXIT_BITMAP0 = 0x201C,
	VMCS_EOI_EXIT_BITMAP1 = 0x201E,
	VMCS_EOI_EXIT_BITMAP2 = 0x2020,
	VMCS_EOI_EXIT_BITMAP3 = 0x2022,
	VMCS_EPTP_LIST_ADDR = 0x2024,
	VMCS_VMREAD_BITMAP_ADDR = 0x2026,
	VMCS_VMWRITE_BITMAP_ADDR = 0x2028,
	VMCS_VE_INFO_ADDR = 0x202A,
	VMCS_XSS_EXITING_BITMAP = 0x202C,
	VMCS_ENCLS_EXITING_BITMAP = 0x202E,
	VMCS_SPP_TABLE_POINTER = 0x2030,
	VMCS_TSC_MULTIPLIER = 0x2032,
	VMCS_CTRL_PROC_BASED3 = 0x2034,
	VMCS_ENCLV_EXITING_BITMAP = 0x2036,
	VMCS_PASID_DIR_LOW_ADDR = 0x2038,
	VMCS_PASID_DIR_HIGH_ADDR = 0x203A,
	VMCS_SHARED_EPT_POINTER = 0x203C,
	VMCS_PCONFIG_EXITING_BITMAP = 0x203E,
	VMCS_HLAT_POINTER = 0x2040,
	VMCS_PID_POINTER_TABLE_ADDR = 0x2042,
	VMCS_CTRL_EXIT_CONTROLS2 = 0x2044,
	VMCS_SPEC_CTRL_MASK = 0x204A,
	VMCS_SPEC_CTRL_SHADOW = 0x204C,

	/* B.2.2 64-bit read-only data field */
	VMCS_GUEST_PHYSICAL_ADDR = 0x2400,

	/* B.2.3 64-bit guest-state fields */
	VMCS_LINK_POINTER = 0x2800,
	VMCS_GUEST_DEBUGCTL = 0x2802,
	VMCS_GUEST_PAT = 0x2804,
	VMCS_GUEST_EFER = 0x2806,
	VMCS_GUEST_PERF_GLOBAL_CTRL = 0x2808,
	VMCS_GUEST_PDPTE0 = 0x280A,
	VMCS_GUEST_PDPTE1 = 0x280C,
	VMCS_GUEST_PDPTE2 = 0x280E,
	VMCS_GUEST_PDPTE3 = 0x2810,
	VMCS_GUEST_BNDCFGS = 0x2812,
	VMCS_GUEST_RTIT_CTL = 0x2814,
	VMCS_GUEST_LBR_CTL = 0x2816,
	VMCS_GUEST_PKRS = 0x2818,

	/* B.2.4 64-bit host-state fields */
	VMCS_HOST_PAT = 0x2C00,
	VMCS_HOST_EFER = 0x2C02,
	VMCS_HOST_PERF_GLOBAL_CTRL = 0x2C04,
	VMCS_HOST_PKRS = 0x2C06,

	/* B.3.1 32-bit control fields */
	VMCS_CTRL_PIN_BASED = 0x4000,
	VMCS_CTRL_PROC_BASED = 0x4002,
	VMCS_EXCEPTION_BITMAP = 0x4004,
	VMCS_PF_ERROR_CODE_MASK = 0x4006,
	VMCS_PF_ERROR_CODE_MATCH = 0x4008,
	VMCS_CR3_TARGET_COUNT = 0x400A,
	VMCS_CTRL_EXIT_CONTROLS = 0x400C,
	VMCS_EXIT_MSR_STORE_COUNT = 0x400E,
	VMCS_EXIT_MSR_LOAD_COUNT = 0x4010,
	VMCS_CTRL_ENTRY_CONTROLS = 0x4012,
	VMCS_ENTRY_MSR_LOAD_COUNT = 0x4014,
	VMCS_ENTRY_INTR_INFO = 0x4016,
	VMCS_ENTRY_EXCEPTION_ERROR_CODE = 0x4018,
	VMCS_ENTRY_INSTRUCTION_LEN = 0x401A,
	VMCS_TPR_THRESHOLD = 0x401C,
	VMCS_CTRL_PROC_BASED2 = 0x401E,
	VMCS_PLE_GAP = 0x4020,
	VMCS_PLE_WINDOW = 0x4022,
	VMCS_INSTRUCTION_TIMEOUT = 0x4024,

	/* B.3.2 32-bit read-only data fields */
	VMCS_VM_INSTRUCTION_ERROR = 0x4400,
	VMCS_EXIT_REASON = 0x4402,
	VMCS_EXIT_INTR_INFO = 0x4404,
	VMCS_EXIT_INTR_ERROR_CODE = 0x4406,
	VMCS_IDT_VECTORING_INFO = 0x4408,
	VMCS_IDT_VECTORING_ERROR_CODE = 0x440A,
	VMCS_EXIT_INSTRUCTION_LEN = 0x440C,
	VMCS_EXIT_INSTRUCTION_INFO = 0x440E,

	/* B.3.3 32-bit guest-state fields */
	VMCS_GUEST_ES_LIMIT = 0x4800,
	VMCS_GUEST_CS_LIMIT = 0x4802,
	VMCS_GUEST_SS_LIMIT = 0x4804,
	VMCS_GUEST_DS_LIMIT = 0x4806,
	VMCS_GUEST_FS_LIMIT = 0x4808,
	VMCS_GUEST_GS_LIMIT = 0x480A,
	VMCS_GUEST_LDTR_LIMIT = 0x480C,
	VMCS_GUEST_TR_LIMIT = 0x480E,
	VMCS_GUEST_GDTR_LIMIT = 0x4810,
	VMCS_GUEST_IDTR_LIMIT = 0x4812,
	VMCS_GUEST_ES_AR_BYTES = 0x4814,
	VMCS_GUEST_CS_AR_BYTES = 0x4816,
	VMCS_GUEST_SS_AR_BYTES = 0x4818,
	VMCS_GUEST_DS_AR_BYTES = 0x481A,
	VMCS_GUEST_FS_AR_BYTES = 0x481C,
	VMCS_GUEST_GS_AR_BYTES = 0x481E,
	VMCS_GUEST_LDTR_AR_BYTES = 0x4820,
	VMCS_GUEST_TR_AR_BYTES = 0x4822,
	VMCS_GUEST_INTERRUPTIBILITY = 0x4824,
	VMCS_GUEST_ACTIVITY_STATE = 0x4826,
	VMCS_GUEST_SMBASE = 0x4828,
	VMCS_GUEST_SYSENTER_CS = 0x482A,
	VMCS_PREEMPTION_TIMER_VALUE = 0x482E,

	/* B.3.4 32-bit host-state field */
	VMCS_HOST_SYSENTER_CS = 0x4C00,

	/* B.4.1 natural-width control fields */
	VMCS_CR0_GUEST_HOST_MASK = 0x6000,
	VMCS_CR4_GUEST_HOST_MASK = 0x6002,
	VMCS_CR0_READ_SHADOW = 0x6004,
	VMCS_CR4_READ_SHADOW = 0x6006,
	VMCS_CR3_TARGET_VALUE0 = 0x6008,
	VMCS_CR3_TARGET_VALUE1 = 0x600A,
	VMCS_CR3_TARGET_VALUE2 = 0x600C,
	VMCS_CR3_TARGET_VALUE3 = 0x600E,

	/* B.4.2 natural-width read-only data fields */
	VMCS_EXIT_QUALIFICATION = 0x6400,
	VMCS_IO_RCX = 0x6402,
	VMCS_IO_RSI = 0x6404,
	VMCS_IO_RDI = 0x6406,
	VMCS_IO_RIP = 0x6408,
	VMCS_GUEST_LINEAR_ADDR = 0x640A,

	/* B.4.3 natural-width guest-state fields */
	VMCS_GUEST_CR0 = 0x6800,
	VMCS_GUEST_CR3 = 0x6802,
	VMCS_GUEST_CR4 = 0x6804,
	VMCS_GUEST_ES_BASE = 0x6806,
	VMCS_GUEST_CS_BASE = 0x6808,
	VMCS_GUEST_SS_BASE = 0x680A,
	VMCS_GUEST_DS_BASE = 0x680C,
	VMCS_GUEST_FS_BASE = 0x680E,
	VMCS_GUEST_GS_BASE = 0x6810,
	VMCS_GUEST_LDTR_BASE = 0x6812,
	VMCS_GUEST_TR_BASE = 0x6814,
	VMCS_GUEST_GDTR_BASE = 0x6816,
	VMCS_GUEST_IDTR_BASE = 0x6818,
	VMCS_GUEST_DR7 = 0x681A,
	VMCS_GUEST_RSP = 0x681C,
	VMCS_GUEST_RIP = 0x681E,
	VMCS_GUEST_RFLAGS = 0x6820,
	VMCS_GUEST_PENDING_DBG_EXCEPTIONS = 0x6822,
	VMCS_GUEST_SYSENTER_ESP = 0x6824,
	VMCS_GUEST_SYSENTER_EIP = 0x6826,
	VMCS_GUEST_S_CET = 0x6828,
	VMCS_GUEST_SSP = 0x682A,
	VMCS_GUEST_INTR_SSP_TABLE_ADDR = 0x682C,

	/* B.4.4 natural-width host-state fields */
	VMCS_HOST_CR0 = 0x6C00,
	VMCS_HOST_CR3 = 0x6C02,
	VMCS_HOST_CR4 = 0x6C04,
	VMCS_HOST_FS_BASE = 0x6C06,
	VMCS_HOST_GS_BASE = 0x6C08,
	VMCS_HOST_TR_BASE = 0x6C0A,
	VMCS_HOST_GDTR_BASE = 0x6C0C,
	VMCS_HOST_IDTR_BASE = 0x6C0E,
	VMCS_HOST_SYSENTER_ESP = 0x6C10,
	VMCS_HOST_SYSENTER_EIP = 0x6C12,
	VMCS_HOST_RSP = 0x6C14,
	VMCS_HOST_RIP = 0x6C16,
	VMCS_HOST_S_CET = 0x6C18,
	VMCS_HOST_SSP = 0x6C1A,
	VMCS_HOST_INTR_SSP_TABLE_ADDR = 0x6C1C,
};

/* --- Pin-based VM-execution controls (VMCS_CTRL_PIN_BASED) --- */
#define PIN_EXT_INTR_EXITING (1u << 0) /* external interrupts cause VM exits */
#define PIN_NMI_EXITING	     (1u << 3) /* NMIs cause VM exits */
#define PIN_VIRTUAL_NMIS     (1u << 5) /* track virtual-NMI blocking; needs NMI exiting */
#define PIN_PREEMPT_TIMER    (1u << 6) /* VMX-preemption timer counts down in the guest */
#define PIN_POSTED_INTR	     (1u << 7) /* process posted interrupts on the notify vector */

/* --- Primary processor-based VM-execution controls (VMCS_CTRL_PROC_BASED) --- */
#define PROC_INTR_WINDOW_EXITING (1u << 2)  /* exit as soon as the guest can take an interrupt */
#define PROC_TSC_OFFSETTING	 (1u << 3)  /* RDTSC/RDTSCP/TSC MSR reads add VMCS_TSC_OFFSET */
#define PROC_HLT_EXITING	 (1u << 7)  /* HLT exits */
#define PROC_INVLPG_EXITING	 (1u << 9)  /* INVLPG exits */
#define PROC_MWAIT_EXITING	 (1u << 10) /* MWAIT exits */
#define PROC_RDPMC_EXITING	 (1u << 11) /* RDPMC exits */
#define PROC_RDTSC_EXITING	 (1u << 12) /* RDTSC/RDTSCP exit */
#define PROC_CR3_LOAD_EXITING	 (1u << 15) /* MOV to CR3 exits unless the value is a CR3 target */
#define PROC_CR3_STORE_EXITING	 (1u << 16) /* MOV from CR3 exits */
#define PROC_TERTIARY_CONTROLS	 (1u << 17) /* VMCS_CTRL_PROC_BASED3 is used */
#define PROC_CR8_LOAD_EXITING	 (1u << 19) /* MOV to CR8 exits */
#define PROC_CR8_STORE_EXITING	 (1u << 20) /* MOV from CR8 exits */
#define PROC_TPR_SHADOW		 (1u << 21) /* CR8 accesses use the virtual-APIC page TPR */
#define PROC_NMI_WINDOW_EXITING	 (1u << 22) /* exit as soon as there is no virtual-NMI blocking */
#define PROC_MOV_DR_EXITING	 (1u << 23) /* MOV to/from debug registers exits */
#define PROC_UNCOND_IO_EXITING	 (1u << 24) /* every IN/OUT/INS/OUTS exits (ignored w/ bitmaps) */
#define PROC_IO_BITMAPS		 (1u << 25) /* I/O bitmaps A/B select which ports exit */
#define PROC_MONITOR_TRAP_FLAG	 (1u << 27) /* exit after each guest instruction */
#define PROC_MSR_BITMAPS	 (1u << 28) /* MSR bitmap selects which RDMSR/WRMSR exit */
#define PROC_MONITOR_EXITING	 (1u << 29) /* MONITOR exits */
#define PROC_PAUSE_EXITING	 (1u << 30) /* PAUSE exits */
#define PROC_SECONDARY_CONTROLS	 (1u << 31) /* VMCS_CTRL_PROC_BASED2 is used */

/* --- Secondary processor-based VM-execution controls (VMCS_CTRL_PROC_BASED2) --- */
#define PROC2_VIRT_APIC_ACCESSES  (1u << 0) /* accesses to the APIC-access page are virtualized */
#define PROC2_EPT		  (1u << 1) /* guest-physical addresses go through EPT */
#define PROC2_DESC_TABLE_EXITING  (1u << 2) /* LGDT/LIDT/LLDT/LTR/SGDT/SIDT/SLDT/STR exit */
#define PROC2_RDTSCP		  (1u << 3) /* RDTSCP allowed in the guest (else #UD) */
#define PROC2_VIRT_X2APIC	  (1u << 4) /* x2APIC MSR accesses to the TPR are virtualized */
#define PROC2_VPID		  (1u << 5) /* TLB entries are tagged with VMCS_VPID */
#define PROC2_WBINVD_EXITING	  (1u << 6) /* WBINVD/WBNOINVD exit */
#define PROC2_UNRESTRICTED_GUEST  (1u << 7) /* guest may run unpaged/real mode; requires EPT */
#define PROC2_APIC_REG_VIRT	  (1u << 8) /* APIC register reads come from the virtual-APIC page */
#define PROC2_VIRT_INTR_DELIVERY  (1u << 9)  /* evaluate and deliver virtual interrupts */
#define PROC2_PAUSE_LOOP_EXITING  (1u << 10) /* exit on PAUSE loops longer than PLE_Window */
#define PROC2_RDRAND_EXITING	  (1u << 11) /* RDRAND exits */
#define PROC2_INVPCID		  (1u << 12) /* INVPCID allowed in the guest (else #UD) */
#define PROC2_VMFUNC		  (1u << 13) /* VMFUNC allowed in the guest */
#define PROC2_VMCS_SHADOWING	  (1u << 14) /* guest VMREAD/VMWRITE may use a shadow VMCS */
#define PROC2_ENCLS_EXITING	  (1u << 15) /* ENCLS leaves in the ENCLS-exiting bitmap exit */
#define PROC2_RDSEED_EXITING	  (1u << 16) /* RDSEED exits */
#define PROC2_PML		  (1u << 17) /* page-modification logging of EPT dirty pages */
#define PROC2_EPT_VIOLATION_VE	  (1u << 18) /* some EPT violations raise #VE in the guest */
#define PROC2_CONCEAL_VMX_FROM_PT (1u << 19) /* Intel PT packets hide non-root operation */
#define PROC2_XSAVES		  (1u << 20) /* XSAVES/XRSTORS allowed in the guest (else #UD) */
#define PROC2_PASID_TRANSLATION	  (1u << 21) /* ENQCMD(S) PASIDs are translated */
#define PROC2_MODE_BASED_EPT_EXEC (1u << 22) /* EPT execute rights split user/supervisor */
#define PROC2_EPT_SPP		  (1u << 23) /* EPT sub-page write permissions */
#define PROC2_PT_USES_GPA	  (1u << 24) /* Intel PT output addresses are guest-physical */
#define PROC2_TSC_SCALING	  (1u << 25) /* guest TSC reads are scaled by VMCS_TSC_MULTIPLIER */
#define PROC2_USER_WAIT_PAUSE	  (1u << 26) /* TPAUSE/UMONITOR/UMWAIT allowed (else #UD) */
#define PROC2_PCONFIG		  (1u << 27) /* PCONFIG allowed in the guest (else #UD) */
#define PROC2_ENCLV_EXITING	  (1u << 28) /* ENCLV leaves in the ENCLV-exiting bitmap exit */
#define PROC2_EPC_VIRT_EXT	  (1u << 29) /* EPC virtualization extensions */
#define PROC2_BUS_LOCK_DETECTION  (1u << 30) /* exit after an instruction that took a bus lock */
#define PROC2_INSTRUCTION_TIMEOUT (1u << 31) /* exit if no event window opens in the timeout */

/* --- Primary VM-exit controls (VMCS_CTRL_EXIT_CONTROLS) --- */
#define EXIT_CTL_SAVE_DEBUG_CTLS       (1u << 2)  /* save guest DR7 and IA32_DEBUGCTL */
#define EXIT_CTL_HOST_ADDR_SPACE_SIZE  (1u << 9)  /* host runs in 64-bit mode after the exit */
#define EXIT_CTL_LOAD_PERF_GLOBAL_CTRL (1u << 12) /* load host IA32_PERF_GLOBAL_CTRL */
#define EXIT_CTL_ACK_INTR_ON_EXIT      (1u << 15) /* ack the interrupt; vector in exit info */
#define EXIT_CTL_SAVE_PAT	       (1u << 18) /* save guest IA32_PAT */
#define EXIT_CTL_LOAD_PAT	       (1u << 19) /* load host IA32_PAT */
#define EXIT_CTL_SAVE_EFER	       (1u << 20) /* save guest IA32_EFER */
#define EXIT_CTL_LOAD_EFER	       (1u << 21) /* load host IA32_EFER */
#define EXIT_CTL_SAVE_PREEMPT_TIMER    (1u << 22) /* store the remaining timer value in the VMCS */
#define EXIT_CTL_CLEAR_BNDCFGS	       (1u << 23) /* clear IA32_BNDCFGS */
#define EXIT_CTL_CONCEAL_VMX_FROM_PT   (1u << 24) /* Intel PT packets hide the VM exit */
#define EXIT_CTL_CLEAR_RTIT_CTL	       (1u << 25) /* clear IA32_RTIT_CTL */
#define EXIT_CTL_CLEAR_LBR_CTL	       (1u << 26) /* clear IA32_LBR_CTL */
#define EXIT_CTL_CLEAR_UINV	       (1u << 27) /* clear the user-interrupt notification vector */
#define EXIT_CTL_LOAD_CET	       (1u << 28) /* load host CET state */
#define EXIT_CTL_LOAD_PKRS	       (1u << 29) /* load host IA32_PKRS */
#define EXIT_CTL_SAVE_PERF_GLOBAL_CTRL (1u << 30) /* save guest IA32_PERF_GLOBAL_CTRL */
#define EXIT_CTL_SECONDARY	       (1u << 31) /* VMCS_CTRL_EXIT_CONTROLS2 is used */

/* --- VM-entry controls (VMCS_CTRL_ENTRY_CONTROLS) --- */
#define ENTRY_CTL_LOAD_DEBUG_CTLS	  (1u << 2) /* load guest DR7 and IA32_DEBUGCTL */
#define ENTRY_CTL_IA32E_MODE_GUEST	  (1u << 9) /* guest is in IA-32e mode after entry (EFER.LMA) */
#define ENTRY_CTL_SMM			  (1u << 10) /* entry into SMM (dual-monitor treatment only) */
#define ENTRY_CTL_DEACTIVATE_DUAL_MONITOR (1u << 11) /* leave dual-monitor SMM treatment */
#define ENTRY_CTL_LOAD_PERF_GLOBAL_CTRL	  (1u << 13) /* load guest IA32_PERF_GLOBAL_CTRL */
#define ENTRY_CTL_LOAD_PAT		  (1u << 14) /* load guest IA32_PAT */
#define ENTRY_CTL_LOAD_EFER		  (1u << 15) /* load guest IA32_EFER */
#define ENTRY_CTL_LOAD_BNDCFGS		  (1u << 16) /* load guest IA32_BNDCFGS */
#define ENTRY_CTL_CONCEAL_VMX_FROM_PT	  (1u << 17) /* Intel PT packets hide the VM entry */
#define ENTRY_CTL_LOAD_RTIT_CTL		  (1u << 18) /* load guest IA32_RTIT_CTL */
#define ENTRY_CTL_LOAD_UINV		  (1u << 19) /* load the guest user-interrupt notification vector */
#define ENTRY_CTL_LOAD_CET		  (1u << 20) /* load guest CET state */
#define ENTRY_CTL_LOAD_LBR_CTL		  (1u << 21) /* load guest IA32_LBR_CTL */
#define ENTRY_CTL_LOAD_PKRS		  (1u << 22) /* load guest IA32_PKRS */

/* --- Exit reason field (VMCS_EXIT_REASON) --- */
#define EXIT_REASON_BASIC_MASK	      0xffffu	 /* basic exit reason, enum exit_reason */
#define EXIT_REASON_ENCLAVE_BIT	      (1u << 27) /* the exit interrupted an SGX enclave */
#define EXIT_REASON_PENDING_MTF_BIT   (1u << 28) /* an MTF exit was pending (SMM exits) */
#define EXIT_REASON_FROM_ROOT_BIT     (1u << 29) /* exit from VMX root operation (SMM) */
#define EXIT_REASON_ENTRY_FAILURE_BIT (1u << 31) /* VM entry failed; guest state not loaded */

/* Basic exit reasons (SDM vol. 3 appendix C); missing numbers are not defined. */
enum exit_reason {
	EXIT_REASON_EXCEPTION_NMI = 0,
	EXIT_REASON_EXTERNAL_INTR = 1,
	EXIT_REASON_TRIPLE_FAULT = 2,
	EXIT_REASON_INIT = 3,
	EXIT_REASON_SIPI = 4,
	EXIT_REASON_IO_SMI = 5,
	EXIT_REASON_OTHER_SMI = 6,
	EXIT_REASON_INTR_WINDOW = 7,
	EXIT_REASON_NMI_WINDOW = 8,
	EXIT_REASON_TASK_SWITCH = 9,
	EXIT_REASON_CPUID = 10,
	EXIT_REASON_GETSEC = 11,
	EXIT_REASON_HLT = 12,
	EXIT_REASON_INVD = 13,
	EXIT_REASON_INVLPG = 14,
	EXIT_REASON_RDPMC = 15,
	EXIT_REASON_RDTSC = 16,
	EXIT_REASON_RSM = 17,
	EXIT_REASON_VMCALL = 18,
	EXIT_REASON_VMCLEAR = 19,
	EXIT_REASON_VMLAUNCH = 20,
	EXIT_REASON_VMPTRLD = 21,
	EXIT_REASON_VMPTRST = 22,
	EXIT_REASON_VMREAD = 23,
	EXIT_REASON_VMRESUME = 24,
	EXIT_REASON_VMWRITE = 25,
	EXIT_REASON_VMXOFF = 26,
	EXIT_REASON_VMXON = 27,
	EXIT_REASON_CR_ACCESS = 28,
	EXIT_REASON_DR_ACCESS = 29,
	EXIT_REASON_IO_INSTRUCTION = 30,
	EXIT_REASON_RDMSR = 31,
	EXIT_REASON_WRMSR = 32,
	EXIT_REASON_ENTRY_FAIL_GUEST_STATE = 33,
	EXIT_REASON_ENTRY_FAIL_MSR_LOAD = 34,
	EXIT_REASON_MWAIT = 36,
	EXIT_REASON_MONITOR_TRAP_FLAG = 37,
	EXIT_REASON_MONITOR = 39,
	EXIT_REASON_PAUSE = 40,
	EXIT_REASON_ENTRY_FAIL_MACHINE_CHECK = 41,
	EXIT_REASON_TPR_BELOW_THRESHOLD = 43,
	EXIT_REASON_APIC_ACCESS = 44,
	EXIT_REASON_VIRTUALIZED_EOI = 45,
	EXIT_REASON_GDTR_IDTR_ACCESS = 46,
	EXIT_REASON_LDTR_TR_ACCESS = 47,
	EXIT_REASON_EPT_VIOLATION = 48,
	EXIT_REASON_EPT_MISCONFIG = 49,
	EXIT_REASON_INVEPT = 50,
	EXIT_REASON_RDTSCP = 51,
	EXIT_REASON_PREEMPTION_TIMER = 52,
	EXIT_REASON_INVVPID = 53,
	EXIT_REASON_WBINVD = 54,
	EXIT_REASON_XSETBV = 55,
	EXIT_REASON_APIC_WRITE = 56,
	EXIT_REASON_RDRAND = 57,
	EXIT_REASON_INVPCID = 58,
	EXIT_REASON_VMFUNC = 59,
	EXIT_REASON_ENCLS = 60,
	EXIT_REASON_RDSEED = 61,
	EXIT_REASON_PML_FULL = 62,
	EXIT_REASON_XSAVES = 63,
	EXIT_REASON_XRSTORS = 64,
	EXIT_REASON_PCONFIG = 65,
	EXIT_REASON_SPP_EVENT = 66,
	EXIT_REASON_UMWAIT = 67,
	EXIT_REASON_TPAUSE = 68,
	EXIT_REASON_LOADIWKEY = 69,
	EXIT_REASON_ENCLV = 70,
	EXIT_REASON_ENQCMD_PASID_FAIL = 72,
	EXIT_REASON_ENQCMDS_PASID_FAIL = 73,
	EXIT_REASON_BUS_LOCK = 74,
	EXIT_REASON_INSTRUCTION_TIMEOUT = 75,
	EXIT_REASON_SEAMCALL = 76,
	EXIT_REASON_TDCALL = 77,
	EXIT_REASON_RDMSRLIST = 78,
	EXIT_REASON_WRMSRLIST = 79,
	EXIT_REASON_COUNT, /* one past the highest defined basic reason */
};

/* --- Exit qualification: control-register access (exit reason 28) --- */
#define EXITQ_CR_NUM_MASK     0xfull /* CR number; 0 for CLTS and LMSW */
#define EXITQ_CR_ACCESS_SHIFT 4
#define EXITQ_CR_ACCESS_MASK  (3ull << 4) /* enum exitq_cr_access */
#define EXITQ_CR_LMSW_MEMORY  (1ull << 6) /* LMSW operand was memory (else a register) */
#define EXITQ_CR_GPR_SHIFT    8
/* MOV CR operand register: 0 RAX, 1 RCX, 2 RDX, 3 RBX, 4 RSP, 5 RBP, 6 RSI, 7 RDI, 8-15 R8-R15 */
#define EXITQ_CR_GPR_MASK	 (0xfull << 8)
#define EXITQ_CR_LMSW_DATA_SHIFT 16
#define EXITQ_CR_LMSW_DATA_MASK	 (0xffffull << 16) /* LMSW source operand */

enum exitq_cr_access {
	EXITQ_CR_MOV_TO_CR = 0,
	EXITQ_CR_MOV_FROM_CR = 1,
	EXITQ_CR_CLTS = 2,
	EXITQ_CR_LMSW = 3,
};

/* --- Exit qualification: I/O instruction (exit reason 30) --- */
#define EXITQ_IO_SIZE_MASK  0x7ull	/* access size minus 1: 0, 1 or 3 */
#define EXITQ_IO_IN	    (1ull << 3) /* IN/INS (else OUT/OUTS) */
#define EXITQ_IO_STRING	    (1ull << 4) /* INS/OUTS */
#define EXITQ_IO_REP	    (1ull << 5) /* REP prefixed */
#define EXITQ_IO_IMMEDIATE  (1ull << 6) /* port was an immediate (else DX) */
#define EXITQ_IO_PORT_SHIFT 16
#define EXITQ_IO_PORT_MASK  (0xffffull << 16)

/* --- Exit qualification: EPT violation (exit reason 48) --- */
#define EXITQ_EPT_READ		      (1ull << 0) /* the access was a data read */
#define EXITQ_EPT_WRITE		      (1ull << 1) /* the access was a data write */
#define EXITQ_EPT_FETCH		      (1ull << 2) /* the access was an instruction fetch */
#define EXITQ_EPT_READABLE	      (1ull << 3) /* the GPA was readable (AND over the EPT walk) */
#define EXITQ_EPT_WRITABLE	      (1ull << 4) /* the GPA was writable */
#define EXITQ_EPT_EXECUTABLE	      (1ull << 5) /* the GPA was executable (supervisor) */
#define EXITQ_EPT_USER_EXECUTABLE     (1ull << 6) /* executable for user mode (mode-based exec) */
#define EXITQ_EPT_GLA_VALID	      (1ull << 7) /* VMCS_GUEST_LINEAR_ADDR is valid */
#define EXITQ_EPT_GLA_TRANSLATED      (1ull << 8) /* access to the final GPA, not a paging entry */
#define EXITQ_EPT_GLA_USER	      (1ull << 9) /* linear address was user-mode (advanced info) */
#define EXITQ_EPT_GLA_WRITABLE	      (1ull << 10) /* linear address was writable (advanced info) */
#define EXITQ_EPT_GLA_NX	      (1ull << 11) /* linear address was execute-disable */
#define EXITQ_EPT_NMI_UNBLOCKED	      (1ull << 12) /* IRET unblocked NMIs before the fault */
#define EXITQ_EPT_SHADOW_STACK	      (1ull << 13) /* the access was a shadow-stack access */
#define EXITQ_EPT_SUPERVISOR_SS	      (1ull << 14) /* supervisor shadow-stack page */
#define EXITQ_EPT_GUEST_PAGING_VERIFY (1ull << 15) /* guest-paging verification failed */
#define EXITQ_EPT_ASYNC		      (1ull << 16) /* asynchronous to instruction execution */

/* --- Interruption information: VM-entry, VM-exit and IDT-vectoring info fields --- */
#define INTR_INFO_VECTOR_MASK	     0xffu
#define INTR_INFO_TYPE_SHIFT	     8
#define INTR_INFO_TYPE_MASK	     (7u << 8)	/* enum intr_type */
#define INTR_INFO_DELIVER_ERROR_CODE (1u << 11) /* push VMCS_ENTRY_EXCEPTION_ERROR_CODE */
#define INTR_INFO_NMI_UNBLOCKED	     (1u << 12) /* exit info: IRET unblocked NMIs first */
#define INTR_INFO_VALID		     (1u << 31)

enum intr_type {
	INTR_TYPE_EXT_INTR = 0,
	INTR_TYPE_NMI = 2,
	INTR_TYPE_HW_EXCEPTION = 3,
	INTR_TYPE_SW_INTR = 4,		 /* INT n; needs VMCS_ENTRY_INSTRUCTION_LEN */
	INTR_TYPE_PRIV_SW_EXCEPTION = 5, /* INT1 (ICEBP) */
	INTR_TYPE_SW_EXCEPTION = 6,	 /* INT3, INTO */
	INTR_TYPE_OTHER_EVENT = 7,	 /* MTF on entry */
};

static inline uint32_t intr_info(uint8_t vector, enum intr_type type, bool error_code)
{
	return INTR_INFO_VALID | ((uint32_t)type << INTR_INFO_TYPE_SHIFT) | vector |
	       (error_code ? INTR_INFO_DELIVER_ERROR_CODE : 0);
}

/* --- Guest activity state (VMCS_GUEST_ACTIVITY_STATE) --- */
enum guest_activity {
	GUEST_ACTIVITY_ACTIVE = 0,
	GUEST_ACTIVITY_HLT = 1,
	GUEST_ACTIVITY_SHUTDOWN = 2,
	GUEST_ACTIVITY_WAIT_SIPI = 3,
};

/* --- Guest interruptibility state (VMCS_GUEST_INTERRUPTIBILITY) --- */
#define GUEST_INTR_BLOCK_STI	(1u << 0) /* one-instruction shadow after STI */
#define GUEST_INTR_BLOCK_MOV_SS (1u << 1) /* one-instruction shadow after MOV SS/POP SS */
#define GUEST_INTR_BLOCK_SMI	(1u << 2) /* SMIs blocked (guest is in SMM) */
#define GUEST_INTR_BLOCK_NMI	(1u << 3) /* NMIs blocked until the next IRET */
#define GUEST_INTR_ENCLAVE	(1u << 4) /* the exit interrupted an enclave */

/* --- Segment access rights (VMCS_GUEST_*_AR_BYTES): descriptor bits 47:40 and 55:52 --- */
#define SEG_AR_TYPE_MASK 0xfu	   /* descriptor type */
#define SEG_AR_S	 (1u << 4) /* code/data (else system) */
#define SEG_AR_DPL_SHIFT 5
#define SEG_AR_DPL_MASK	 (3u << 5)  /* descriptor privilege level */
#define SEG_AR_P	 (1u << 7)  /* present */
#define SEG_AR_AVL	 (1u << 12) /* available to software */
#define SEG_AR_L	 (1u << 13) /* 64-bit code segment */
#define SEG_AR_DB	 (1u << 14) /* default operation size 32-bit */
#define SEG_AR_G	 (1u << 15) /* limit in 4 KiB units */
#define SEG_AR_UNUSABLE	 (1u << 16) /* segment unusable (null selector) */

#define SEG_TYPE_DATA_RW_ACCESSED 0x3u /* read/write data, accessed */
#define SEG_TYPE_CODE_RX_ACCESSED 0xbu /* execute/read code, accessed */
#define SEG_TYPE_LDT		  0x2u /* system: LDT */
#define SEG_TYPE_TSS16_BUSY	  0x3u /* system: busy 16-bit TSS */
#define SEG_TYPE_TSS_BUSY	  0xbu /* system: busy 32/64-bit TSS (entry requires busy) */

/* --- VMX capability MSRs (SDM vol. 3 appendix A) --- */
#define MSR_IA32_FEATURE_CONTROL	0x3a
#define FEATURE_CONTROL_LOCKED		(1ull << 0) /* further writes #GP until reset */
#define FEATURE_CONTROL_VMX_IN_SMX	(1ull << 1) /* VMXON allowed inside SMX operation */
#define FEATURE_CONTROL_VMX_OUTSIDE_SMX (1ull << 2) /* VMXON allowed outside SMX operation */

#define MSR_IA32_VMX_BASIC		 0x480
#define MSR_IA32_VMX_PINBASED_CTLS	 0x481
#define MSR_IA32_VMX_PROCBASED_CTLS	 0x482
#define MSR_IA32_VMX_EXIT_CTLS		 0x483
#define MSR_IA32_VMX_ENTRY_CTLS		 0x484
#define MSR_IA32_VMX_MISC		 0x485
#define MSR_IA32_VMX_CR0_FIXED0		 0x486
#define MSR_IA32_VMX_CR0_FIXED1		 0x487
#define MSR_IA32_VMX_CR4_FIXED0		 0x488
#define MSR_IA32_VMX_CR4_FIXED1		 0x489
#define MSR_IA32_VMX_VMCS_ENUM		 0x48a
#define MSR_IA32_VMX_PROCBASED_CTLS2	 0x48b
#define MSR_IA32_VMX_EPT_VPID_CAP	 0x48c
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS	 0x48d
#define MSR_IA32_VMX_TRUE_PROCBASED_CTLS 0x48e
#define MSR_IA32_VMX_TRUE_EXIT_CTLS	 0x48f
#define MSR_IA32_VMX_TRUE_ENTRY_CTLS	 0x490
#define MSR_IA32_VMX_VMFUNC		 0x491
#define MSR_IA32_VMX_PROCBASED_CTLS3	 0x492
#define MSR_IA32_VMX_EXIT_CTLS2		 0x493

/* Control-capability MSRs: bits 31:0 are the allowed 0-settings (a 1 there means the control
 * must be 1), bits 63:32 the allowed 1-settings (a 0 there means the control must be 0). */

/* IA32_VMX_BASIC */
#define VMX_BASIC_REVISION_MASK	  0x7fffffffull /* VMCS revision identifier */
#define VMX_BASIC_VMCS_SIZE_SHIFT 32
#define VMX_BASIC_VMCS_SIZE_MASK  (0x1fffull << 32) /* bytes to allocate for a VMCS region */
#define VMX_BASIC_ADDR_32BIT	  (1ull << 48)	    /* VMXON/VMCS addresses limited to 32 bits */
#define VMX_BASIC_DUAL_MONITOR	  (1ull << 49)	    /* dual-monitor SMM treatment supported */
#define VMX_BASIC_MEMTYPE_SHIFT	  50
#define VMX_BASIC_MEMTYPE_MASK	  (0xfull << 50) /* VMCS access memory type; 6 = write-back */
#define VMX_BASIC_INOUT_INFO	  (1ull << 54)	 /* INS/OUTS exits report instruction info */
#define VMX_BASIC_TRUE_CTLS	  (1ull << 55) /* IA32_VMX_TRUE_*_CTLS exist (default1 may be 0) */
#define VMX_BASIC_ANY_ERROR_CODE  (1ull << 56) /* entry may inject any exception with/without EC */

/* IA32_VMX_MISC */
#define VMX_MISC_PREEMPT_RATE_MASK  0x1full	 /* timer ticks every 2^N TSC cycles */
#define VMX_MISC_STORE_LMA	    (1ull << 5)	 /* exits store EFER.LMA in "IA-32e mode guest" */
#define VMX_MISC_ACTIVITY_HLT	    (1ull << 6)	 /* activity state HLT supported */
#define VMX_MISC_ACTIVITY_SHUTDOWN  (1ull << 7)	 /* activity state shutdown supported */
#define VMX_MISC_ACTIVITY_WAIT_SIPI (1ull << 8)	 /* activity state wait-for-SIPI supported */
#define VMX_MISC_PT_IN_VMX	    (1ull << 14) /* Intel PT usable in VMX operation */
#define VMX_MISC_SMBASE_RDMSR	    (1ull << 15) /* RDMSR of IA32_SMBASE allowed in SMM */
#define VMX_MISC_CR3_TARGETS_SHIFT  16
#define VMX_MISC_CR3_TARGETS_MASK   (0x1ffull << 16) /* number of CR3-target values */
#define VMX_MISC_MSR_LIST_SHIFT	    25
#define VMX_MISC_MSR_LIST_MASK	    (7ull << 25) /* MSR lists hold up to 512 * (N + 1) entries */
#define VMX_MISC_SMM_MONITOR_CTL_B2 (1ull << 28) /* IA32_SMM_MONITOR_CTL bit 2 may be set */
#define VMX_MISC_VMWRITE_ANY	    (1ull << 29) /* VMWRITE may write read-only exit info fields */
#define VMX_MISC_INJECT_ZERO_LEN    (1ull << 30) /* soft events may be injected with length 0 */

/* IA32_VMX_EPT_VPID_CAP */
#define EPT_CAP_EXECUTE_ONLY		  (1ull << 0) /* EPT entries may be execute-only */
#define EPT_CAP_WALK_4			  (1ull << 6) /* 4-level EPT page walk */
#define EPT_CAP_WALK_5			  (1ull << 7) /* 5-level EPT page walk */
#define EPT_CAP_MEMTYPE_UC		  (1ull << 8) /* EPT paging structures may be uncacheable */
#define EPT_CAP_MEMTYPE_WB		  (1ull << 14) /* EPT paging structures may be write-back */
#define EPT_CAP_PAGE_2M			  (1ull << 16) /* PDEs may map 2 MiB pages */
#define EPT_CAP_PAGE_1G			  (1ull << 17) /* PDPTEs may map 1 GiB pages */
#define EPT_CAP_INVEPT			  (1ull << 20) /* INVEPT supported */
#define EPT_CAP_ACCESSED_DIRTY		  (1ull << 21) /* EPT accessed and dirty flags */
#define EPT_CAP_ADV_EXIT_INFO		  (1ull << 22) /* EPT violations report advanced exit info */
#define EPT_CAP_SUPERVISOR_SS		  (1ull << 23) /* supervisor shadow-stack control */
#define EPT_CAP_INVEPT_SINGLE		  (1ull << 25) /* INVEPT single-context type */
#define EPT_CAP_INVEPT_ALL		  (1ull << 26) /* INVEPT all-context type */
#define VPID_CAP_INVVPID		  (1ull << 32) /* INVVPID supported */
#define VPID_CAP_INVVPID_ADDR		  (1ull << 40) /* INVVPID individual-address type */
#define VPID_CAP_INVVPID_SINGLE		  (1ull << 41) /* INVVPID single-context type */
#define VPID_CAP_INVVPID_ALL		  (1ull << 42) /* INVVPID all-context type */
#define VPID_CAP_INVVPID_SINGLE_NONGLOBAL (1ull << 43) /* single-context, keeping globals */

/* INVEPT / INVVPID type operands */
enum invept_type {
	INVEPT_SINGLE_CONTEXT = 1,
	INVEPT_ALL_CONTEXT = 2,
};

enum invvpid_type {
	INVVPID_ADDRESS = 0,
	INVVPID_SINGLE_CONTEXT = 1,
	INVVPID_ALL_CONTEXT = 2,
	INVVPID_SINGLE_CONTEXT_NONGLOBAL = 3,
};
