/* How each vCPU's local APIC is virtualized (SDM vol. 3C "APIC Virtualization and Virtual
 * Interrupts"), following its mode and software enable:
 * - xAPIC at the default base, with vmx_caps.apic_virt, while every vCPU of the VM is so:
 *   the VM's APIC-access page is mapped at 0xfee00000; register reads come from the
 *   virtual-APIC page (the model's page), most writes complete there and exit afterwards
 *   (APIC-write exits), the CPU delivers interrupts from RVI and EOIs them, exiting only for
 *   level-triggered vectors (EOI-exit bitmap = TMR).
 * - x2APIC with vmx_caps.x2apic_virt: the same through the x2APIC MSRs (msr_bitmap_x2apic).
 * - otherwise (no APIC virtualization, a relocated base, a disabled APIC, or xAPIC while
 *   another vCPU is not): every register access exits (EPT violation or MSR exit) to the
 *   model; virtual-interrupt delivery, where the CPU has it, still delivers from RVI.
 * - A software-disabled APIC (SVR bit 8 clear) gets neither register virtualization nor
 *   virtual-interrupt delivery (v->vid), whatever its mode: the CPU would accept its
 *   self-IPIs, which the model drops. Where the page is mapped its accesses (but TPR)
 *   become APIC-access exits to the model; its interrupts are injected.
 * The APIC-access page is mapped only while every vCPU is in xAPIC mode at the default
 * base: the EPT is the VM's, and a vCPU in another mode must find nothing there (all-ones,
 * through the MMIO path), not the page as memory. */
#pragma once
#include "vmx/vcpu.h"

struct vm;

/* Selects the controls and MSR bitmap for the vCPU's current APIC mode (VMCS current). */
void apic_virt_apply_mode(struct vcpu *v);
/* Before an entry: guest interrupt status and EOI-exit bitmap (APIC virtualization) or the
 * TPR threshold (TPR shadow only), from the model's register page (VMCS current). */
void apic_virt_sync(struct vcpu *v);
/* Maps or unmaps the VM's APIC-access page as its vCPUs' modes require; when that changes,
 * every vCPU re-selects its controls before its next entry (VCPU_WORK_APIC_MODE). */
void apic_virt_update_access_page(struct vm *vm);
