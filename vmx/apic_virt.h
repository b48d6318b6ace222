/* How each vCPU's local APIC is virtualized (SDM vol. 3C "APIC Virtualization and Virtual
 * Interrupts"), following its mode and software enable:
 * - xAPIC at the default base, with vmx_caps.apic_virt: the VM's APIC-access page is mapped
 *   at 0xfee00000; register reads come from the virtual-APIC page (the model's page), most
 *   writes complete there and exit afterwards (APIC-write exits), the CPU delivers interrupts
 *   from RVI and EOIs them, exiting only for level-triggered vectors (EOI-exit bitmap = TMR).
 * - x2APIC with vmx_caps.x2apic_virt: the same through the x2APIC MSRs (msr_bitmap_x2apic).
 * - otherwise (no APIC virtualization, relocated base, disabled APIC): every access exits
 *   (EPT violation or MSR exit) to the model, and its interrupts are injected as events.
 * - A software-disabled APIC (SVR bit 8 clear) gets neither register virtualization nor
 *   virtual-interrupt delivery (v->vid), whatever its mode: the CPU would accept its
 *   self-IPIs, which the model drops. At the default base the page stays virtualized, so
 *   its accesses (but TPR) become APIC-access exits to the model.
 * The APIC-access page is mapped only while some vCPU of the VM is in xAPIC mode at the
 * default base, so a disabled APIC's window reads all-ones through the MMIO path. While
 * one vCPU uses the page and another is in x2APIC mode or disabled, the latter reaches the
 * (VM-private) page as memory: a documented deviation. */
#pragma once
#include "vmx/vcpu.h"

struct vm;

/* Selects the controls and MSR bitmap for the vCPU's current APIC mode (VMCS current). */
void apic_virt_apply_mode(struct vcpu *v);
/* Before an entry: guest interrupt status and EOI-exit bitmap (APIC virtualization) or the
 * TPR threshold (TPR shadow only), from the model's register page (VMCS current). */
void apic_virt_sync(struct vcpu *v);
/* Maps or unmaps the VM's APIC-access page as its vCPUs' modes require. */
void apic_virt_update_access_page(struct vm *vm);
