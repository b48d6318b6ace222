#include "vmx/apic_virt.h"
#include "ept/ept_flush.h"
#include "kernel/vm.h"
#include "vmx/msr_bitmap.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_init.h"
#include "vmx/vmx_ops.h"

void apic_virt_apply_mode(struct vcpu *v)
{
	const struct lapic *l = v->lapic;
	enum lapic_mode mode = lapic_mode(l);
	/* Virtual-interrupt delivery cannot refuse an interrupt: a self-IPI written to the ICR
	 * (or x2APIC SELF_IPI) goes straight into the virtual IRR, where a software-disabled
	 * APIC drops it. So register virtualization and delivery are on only while the APIC is
	 * software-enabled; meanwhile every access but TPR exits to the model. */
	bool vid = vmx_caps.apic_virt && lapic_sw_enabled(l);
	uint32_t p2 = v->proc2_ctl & ~(uint32_t)(PROC2_VIRT_APIC_ACCESSES | PROC2_VIRT_X2APIC |
						 PROC2_APIC_REG_VIRT | PROC2_VIRT_INTR_DELIVERY);
	uint64_t bitmap = msr_bitmap_all_exit();
	apic_virt_update_access_page(v->vm);
	if (v->vm->plat.apic_access_mapped) { /* so this vCPU is in xAPIC mode at the base */
		p2 |= PROC2_VIRT_APIC_ACCESSES;
	} else if (vid && vmx_caps.x2apic_virt && mode == LAPIC_MODE_X2APIC) {
		p2 |= PROC2_VIRT_X2APIC;
		bitmap = msr_bitmap_x2apic();
	}
	if (vid)
		p2 |= PROC2_APIC_REG_VIRT | PROC2_VIRT_INTR_DELIVERY;
	v->vid = vid;
	if (p2 != v->proc2_ctl) {
		v->proc2_ctl = p2;
		vmcs_write(VMCS_CTRL_PROC_BASED2, p2);
	}
	if (vmx_caps.msr_bitmaps)
		vmcs_write(VMCS_MSR_BITMAP, bitmap);
	v->cpuid.apic_enabled = mode != LAPIC_MODE_DISABLED;
}

void apic_virt_update_access_page(struct vm *vm)
{
	struct vm_platform *p = &vm->plat;
	bool want = vmx_caps.apic_virt && p->apic_access_pa;
	for (unsigned i = 0; want && i < vm->cfg.cpus; i++)
		want = lapic_mode(&p->lapic[i]) == LAPIC_MODE_XAPIC &&
		       lapic_base_addr(&p->lapic[i]) == LAPIC_DEFAULT_BASE;
	if (want == p->apic_access_mapped)
		return;
	bool ok = want ? ept_map(&vm->ept, LAPIC_DEFAULT_BASE, p->apic_access_pa, LAPIC_PAGE_SIZE,
				 EPT_R | EPT_W)
		       : ept_unmap(&vm->ept, LAPIC_DEFAULT_BASE, LAPIC_PAGE_SIZE);
	if (ok)
		p->apic_access_mapped = want;
	ept_flush(&vm->ept);
	for (unsigned i = 0; i < vm->nvcpus; i++) /* the other vCPUs before their next entry */
		vm->vcpus[i]->work |= VCPU_WORK_APIC_MODE;
}

void apic_virt_sync(struct vcpu *v)
{
	const struct lapic *l = v->lapic;
	if (v->vid) {
		/* The CPU moves RVI and SVI as it delivers and EOIs, so they are rewritten from
		 * the page every time rather than compared with a stale copy. */
		int irr = lapic_highest_irr(l), isr = lapic_highest_isr(l);
		vmcs_write(VMCS_GUEST_INTR_STATUS,
			   (uint16_t)((isr > 0 ? isr : 0) << 8 | (irr > 0 ? irr : 0)));
		uint64_t tmr[4];
		lapic_tmr_words(l, tmr);
		for (unsigned i = 0; i < 4; i++) {
			if (tmr[i] != v->eoi_exit[i]) {
				v->eoi_exit[i] = tmr[i];
				vmcs_write(VMCS_EOI_EXIT_BITMAP0 + 2 * i, tmr[i]);
			}
		}
	} else if (vmx_caps.tpr_shadow) {
		/* A vector held back by the TPR: exit when the guest lowers CR8/TPR below it.
		 * (The threshold may not exceed the current TPR class at entry.) */
		int irr = lapic_highest_irr(l);
		unsigned tpr_class = (l->regs[LAPIC_TPR / 4] >> 4) & 0xf;
		uint8_t thr = irr >= 0 && (unsigned)irr >> 4 <= tpr_class ? (uint8_t)(irr >> 4) : 0;
		if (thr != v->tpr_threshold) {
			v->tpr_threshold = thr;
			vmcs_write(VMCS_TPR_THRESHOLD, thr);
		}
	}
}
