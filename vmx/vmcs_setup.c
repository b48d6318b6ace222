/* Filling a new vCPU's VMCS: host state from this CPU's tables, the control words computed
 * at boot, and the guest's initial state from the image loader. */
#include "vmx/vmcs_setup.h"
#include "ept/ept.h"
#include "kernel/percpu.h"
#include "kernel/vm.h"
#include "kernel/x86.h"
#include "vmx/msr_bitmap.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_init.h"
#include "vmx/vmx_ops.h"

#define PAT_POWER_ON_DEFAULT 0x0007040600070406ull /* WB WT UC- UC, twice */
#define DR7_POWER_ON         0x400ull

/* PAUSE-loop exiting (SDM vol. 3C): PAUSEs at most PLE_GAP apart form one loop, and a loop
 * longer than PLE_WINDOW exits. KVM's defaults, in TSC ticks. */
#define PLE_GAP_TSC    128
#define PLE_WINDOW_TSC 4096

#define VEC_DB 1  /* debug exception */
#define VEC_AC 17 /* alignment check */
#define VEC_MC 18 /* machine check */

extern char vmx_exit_landing[];

enum seg { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_LDTR, SEG_TR, SEG_COUNT };

static void guest_segment(enum seg s, uint16_t sel, uint64_t base, uint32_t limit, uint32_t ar)
{
	vmcs_write(VMCS_GUEST_ES_SELECTOR + 2 * s, sel);
	vmcs_write(VMCS_GUEST_ES_BASE + 2 * s, base);
	vmcs_write(VMCS_GUEST_ES_LIMIT + 2 * s, limit);
	vmcs_write(VMCS_GUEST_ES_AR_BYTES + 2 * s, ar);
}

static void setup_host_state(void)
{
	struct cpu *c = this_cpu();
	vmcs_write(VMCS_HOST_CR0, read_cr0());
	vmcs_write(VMCS_HOST_CR3, read_cr3());
	vmcs_write(VMCS_HOST_CR4, read_cr4());
	vmcs_write(VMCS_HOST_CS_SELECTOR, GDT_KERNEL_CS);
	vmcs_write(VMCS_HOST_SS_SELECTOR, GDT_KERNEL_DS);
	vmcs_write(VMCS_HOST_DS_SELECTOR, GDT_KERNEL_DS);
	vmcs_write(VMCS_HOST_ES_SELECTOR, GDT_KERNEL_DS);
	vmcs_write(VMCS_HOST_FS_SELECTOR, 0);
	vmcs_write(VMCS_HOST_GS_SELECTOR, 0);
	vmcs_write(VMCS_HOST_TR_SELECTOR, GDT_TSS);
	vmcs_write(VMCS_HOST_FS_BASE, 0);
	vmcs_write(VMCS_HOST_GS_BASE, (uint64_t)c); /* this_cpu() after an exit */
	vmcs_write(VMCS_HOST_TR_BASE, (uint64_t)&c->tss);
	vmcs_write(VMCS_HOST_GDTR_BASE, (uint64_t)c->gdt);
	vmcs_write(VMCS_HOST_IDTR_BASE, host_idt_base());
	vmcs_write(VMCS_HOST_SYSENTER_CS, 0);
	vmcs_write(VMCS_HOST_SYSENTER_ESP, 0);
	vmcs_write(VMCS_HOST_SYSENTER_EIP, 0);
	vmcs_write(VMCS_HOST_EFER, rdmsr(MSR_IA32_EFER));
	if (vmx_caps.pat)
		vmcs_write(VMCS_HOST_PAT, rdmsr(MSR_IA32_PAT));
	vmcs_write(VMCS_HOST_RIP, (uint64_t)vmx_exit_landing);
}

/* The virtual-APIC page is the model's register page (devices/lapic.h); the mode-dependent
 * controls are chosen before the first entry (VCPU_WORK_APIC_MODE, vmx/apic_virt.c). */
static void setup_apic_controls(struct vcpu *v)
{
	if (vmx_caps.tpr_shadow) {
		vmcs_write(VMCS_VIRTUAL_APIC_ADDR, v->lapic_page_pa);
		vmcs_write(VMCS_TPR_THRESHOLD, 0);
		v->tpr_threshold = 0;
	}
	if (vmx_caps.apic_virt) {
		vmcs_write(VMCS_APIC_ACCESS_ADDR, v->vm->plat.apic_access_pa);
		for (unsigned i = 0; i < 4; i++) {
			vmcs_write(VMCS_EOI_EXIT_BITMAP0 + 2 * i, 0);
			v->eoi_exit[i] = 0;
		}
		vmcs_write(VMCS_GUEST_INTR_STATUS, 0);
	}
	if (vmx_caps.ple) {
		vmcs_write(VMCS_PLE_GAP, PLE_GAP_TSC);
		vmcs_write(VMCS_PLE_WINDOW, PLE_WINDOW_TSC);
	}
	v->work |= VCPU_WORK_APIC_MODE | VCPU_WORK_INTR;
}

static void setup_controls(struct vcpu *v, bool long_mode)
{
	v->proc_ctl = vmx_caps.proc;
	v->proc2_ctl = vmx_caps.proc2 & (v->vpid ? ~0u : ~(uint32_t)PROC2_VPID);
	vmcs_write(VMCS_CTRL_PIN_BASED, vmx_caps.pin);
	vmcs_write(VMCS_CTRL_PROC_BASED, v->proc_ctl);
	vmcs_write(VMCS_CTRL_PROC_BASED2, v->proc2_ctl);
	vmcs_write(VMCS_CTRL_EXIT_CONTROLS, vmx_caps.exit);
	vmcs_write(VMCS_CTRL_ENTRY_CONTROLS,
		   vmx_caps.entry | (long_mode ? ENTRY_CTL_IA32E_MODE_GUEST : 0));
	/* #DB and #AC are intercepted only to be reflected: a guest can make their delivery
	 * fault endlessly (CVE-2015-5307/8104) and never reach an instruction boundary. A
	 * machine check during the guest is the host's (vmx/exit.c). */
	vmcs_write(VMCS_EXCEPTION_BITMAP, 1u << VEC_DB | 1u << VEC_AC | 1u << VEC_MC);
	vmcs_write(VMCS_PF_ERROR_CODE_MASK, 0);
	vmcs_write(VMCS_PF_ERROR_CODE_MATCH, 0);
	vmcs_write(VMCS_CR3_TARGET_COUNT, 0);
	vmcs_write(VMCS_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write(VMCS_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write(VMCS_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write(VMCS_ENTRY_INTR_INFO, 0);
	vmcs_write(VMCS_LINK_POINTER, ~0ull);
	vmcs_write(VMCS_EPT_POINTER, ept_eptp(&v->vm->ept));
	if (vmx_caps.tsc_offsetting)
		vmcs_write(VMCS_TSC_OFFSET, v->tsc_offset);
	if (v->vpid)
		vmcs_write(VMCS_VPID, v->vpid);
	if (vmx_caps.msr_bitmaps)
		vmcs_write(VMCS_MSR_BITMAP, msr_bitmap_all_exit());
	/* With XSAVES enabled the CPU consults this bitmap (SDM 25.6.20): no XSS bit exits, the
	 * guest's IA32_XSS itself is policed by WRMSR (vmx/exit_msr.c). */
	if (vmx_caps.xsaves)
		vmcs_write(VMCS_XSS_EXITING_BITMAP, 0);
	setup_apic_controls(v);

	/* The guest owns every CR0/CR4 bit except those VMX forces (CR0.NE must stay 1 in VMX
	 * operation) and CR4_HIDDEN_FEATURES. Reads of those bits come from the shadows, writes
	 * that change them exit. */
	v->cr0_shadow_mask = vmx_guest_cr0_fixed0(&vmx_caps) | CR0_NE;
	v->cr4_shadow_mask = vmx_caps.cr4_fixed0 | CR4_HIDDEN_FEATURES;
	vmcs_write(VMCS_CR0_GUEST_HOST_MASK, v->cr0_shadow_mask);
	vmcs_write(VMCS_CR4_GUEST_HOST_MASK, v->cr4_shadow_mask);
}

static void setup_guest_state(struct vcpu *v, const struct guest_entry *e)
{
	uint64_t cr0 = CR0_ET, cr4 = 0, efer = 0;
	uint32_t code_ar, data_ar = SEG_AR_P | SEG_AR_S | SEG_TYPE_DATA_RW_ACCESSED;
	uint64_t gdt_base = 0;
	uint32_t gdt_limit = 0, flat = 0xffffffff;

	switch (e->mode) {
	case GUEST_REAL16:
		code_ar = SEG_AR_P | SEG_AR_S | SEG_TYPE_CODE_RX_ACCESSED;
		guest_segment(SEG_CS, e->cs_selector, (uint64_t)e->cs_selector << 4, 0xffff, code_ar);
		for (enum seg s = SEG_ES; s <= SEG_GS; s++)
			if (s != SEG_CS)
				guest_segment(s, 0, 0, 0xffff, data_ar);
		gdt_limit = 0xffff;
		vmcs_write(VMCS_GUEST_IDTR_LIMIT, 0x3ff); /* real-mode IVT */
		break;
	case GUEST_PROT32:
		cr0 |= CR0_PE;
		code_ar = SEG_AR_P | SEG_AR_S | SEG_AR_DB | SEG_AR_G | SEG_TYPE_CODE_RX_ACCESSED;
		data_ar |= SEG_AR_DB | SEG_AR_G;
		guest_segment(SEG_CS, 0x08, 0, flat, code_ar);
		for (enum seg s = SEG_ES; s <= SEG_GS; s++)
			if (s != SEG_CS)
				guest_segment(s, 0x10, 0, flat, data_ar);
		vmcs_write(VMCS_GUEST_IDTR_LIMIT, 0);
		break;
	case GUEST_LONG64:
		cr0 |= CR0_PE | CR0_PG | CR0_WP;
		cr4 |= CR4_PAE;
		efer = EFER_LME | EFER_LMA;
		code_ar = SEG_AR_P | SEG_AR_S | SEG_AR_L | SEG_AR_G | SEG_TYPE_CODE_RX_ACCESSED;
		data_ar |= SEG_AR_DB | SEG_AR_G;
		guest_segment(SEG_CS, e->code_sel ? e->code_sel : 0x08, 0, flat, code_ar);
		for (enum seg s = SEG_ES; s <= SEG_GS; s++)
			if (s != SEG_CS)
				guest_segment(s, e->data_sel ? e->data_sel : 0x10, 0, flat, data_ar);
		gdt_base = e->gdt_base;
		gdt_limit = e->gdt_limit;
		vmcs_write(VMCS_GUEST_IDTR_LIMIT, 0);
		break;
	}
	/* No LDT; TR must be a busy TSS even in real mode with unrestricted guest. */
	guest_segment(SEG_LDTR, 0, 0, 0xffff, SEG_AR_UNUSABLE);
	guest_segment(SEG_TR, 0, 0, 0xffff, SEG_AR_P | SEG_TYPE_TSS_BUSY);
	vmcs_write(VMCS_GUEST_GDTR_BASE, gdt_base);
	vmcs_write(VMCS_GUEST_GDTR_LIMIT, gdt_limit);
	vmcs_write(VMCS_GUEST_IDTR_BASE, 0);

	vmcs_write(VMCS_CR0_READ_SHADOW, cr0);
	vmcs_write(VMCS_CR4_READ_SHADOW, cr4);
	vmcs_write(VMCS_GUEST_CR0, (cr0 | vmx_guest_cr0_fixed0(&vmx_caps)) & vmx_caps.cr0_fixed1);
	vmcs_write(VMCS_GUEST_CR4, (cr4 | vmx_caps.cr4_fixed0) & vmx_caps.cr4_fixed1);
	vmcs_write(VMCS_GUEST_CR3, e->cr3);
	vmcs_write(VMCS_GUEST_EFER, efer);
	if (vmx_caps.pat)
		vmcs_write(VMCS_GUEST_PAT, PAT_POWER_ON_DEFAULT);
	vmcs_write(VMCS_GUEST_DR7, DR7_POWER_ON);
	vmcs_write(VMCS_GUEST_DEBUGCTL, 0);
	vmcs_write(VMCS_GUEST_RSP, e->rsp);
	vmcs_write(VMCS_GUEST_RIP, e->rip);
	vmcs_write(VMCS_GUEST_RFLAGS, RFLAGS_FIXED);
	vmcs_write(VMCS_GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmcs_write(VMCS_GUEST_SYSENTER_CS, 0);
	vmcs_write(VMCS_GUEST_SYSENTER_ESP, 0);
	vmcs_write(VMCS_GUEST_SYSENTER_EIP, 0);
	vmcs_write(VMCS_GUEST_INTERRUPTIBILITY, 0);
	vmcs_write(VMCS_GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);

	v->regs.gpr[GPR_RAX] = e->rax;
	v->regs.gpr[GPR_RBX] = e->rbx;
	v->regs.gpr[GPR_RCX] = e->rcx;
	v->regs.gpr[GPR_RDX] = e->rdx;
	v->regs.gpr[GPR_RSI] = e->rsi;
	v->regs.gpr[GPR_RDI] = e->rdi;
	v->regs.gpr[GPR_RBP] = e->rbp;
	v->regs.gpr[GPR_RSP] = e->rsp;
}

bool vmcs_setup(struct vcpu *v, const struct guest_entry *e)
{
	vmcs_failed = false;
	setup_host_state();
	setup_controls(v, e->mode == GUEST_LONG64);
	setup_guest_state(v, e);
	return !vmcs_failed;
}
