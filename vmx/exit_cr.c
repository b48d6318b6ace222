/* MOV to CR0/CR4 that touch a bit the hypervisor owns (CR0.NE, CR4.VMXE; see
 * vmcs_setup.c). The guest's view lives in the read shadow; the real register keeps the
 * bits VMX requires. Paging transitions of an unrestricted guest update EFER.LMA and the
 * "IA-32e mode guest" entry control, as the CPU would on a real MOV to CR0. */
#include "ept/guest_ram.h"
#include "kernel/vm.h"
#include "kernel/x86.h"
#include "vmx/exit.h"
#include "vmx/vmcs.h"
#include "vmx/vmcs_setup.h"
#include "vmx/vmx_init.h"
#include "vmx/vmx_ops.h"

#define CR0_RESERVED_HIGH 0xffffffff00000000ull

#define PDPTE_P        1ull                   /* present */
#define PDPTE_RESERVED 0xfff00000000001e6ull  /* bits 2:1, 8:5 and 63:52 must be 0 */

/* With EPT, entering PAE paging (not IA-32e) takes the four PDPTEs from the VMCS: load them
 * from the table at CR3 as the CPU would on a MOV to CR0. False (#GP) if one is invalid. */
static bool load_pae_pdptes(struct vcpu *v)
{
	uint64_t pdpte[4];
	uint64_t cr3 = vmcs_read(VMCS_GUEST_CR3) & 0xffffffe0ull;
	if (!guest_ram_read(&v->vm->ram, cr3, pdpte, sizeof pdpte))
		return false;
	for (int i = 0; i < 4; i++) {
		if ((pdpte[i] & PDPTE_P) && (pdpte[i] & PDPTE_RESERVED))
			return false;
		vmcs_write(VMCS_GUEST_PDPTE0 + 2 * i, pdpte[i]);
	}
	return true;
}

static bool cr0_write(struct vcpu *v, uint64_t val)
{
	uint64_t old = vmcs_read(VMCS_CR0_READ_SHADOW) & v->cr0_shadow_mask;
	old |= vmcs_read(VMCS_GUEST_CR0) & ~v->cr0_shadow_mask;
	if (val & CR0_RESERVED_HIGH)
		return false;
	if ((val & CR0_PG) && !(val & CR0_PE))
		return false;
	if ((val & CR0_NW) && !(val & CR0_CD))
		return false;
	if (!(val & CR0_PG) && guest_in_64bit_mode())
		return false; /* paging cannot be turned off in 64-bit code */
	uint64_t efer = vmcs_read(VMCS_GUEST_EFER);
	uint64_t entry = vmcs_read(VMCS_CTRL_ENTRY_CONTROLS);
	bool pae = vmcs_read(VMCS_GUEST_CR4) & CR4_PAE;
	if ((val & CR0_PG) && (efer & EFER_LME)) {
		if (!pae)
			return false;
		efer |= EFER_LMA;
		entry |= ENTRY_CTL_IA32E_MODE_GUEST;
	} else {
		efer &= ~EFER_LMA;
		entry &= ~(uint64_t)ENTRY_CTL_IA32E_MODE_GUEST;
		if ((val & CR0_PG) && !(old & CR0_PG) && pae && !load_pae_pdptes(v))
			return false;
	}
	/* A MOV to CR0 that changes PG or PE flushes the TLB; VM entry with a VPID does not. */
	if (((val ^ old) & (CR0_PG | CR0_PE | CR0_WP)) && v->vpid)
		invvpid_single(v->vpid, vmx_caps.invvpid_single);
	vmcs_write(VMCS_GUEST_EFER, efer);
	vmcs_write(VMCS_CTRL_ENTRY_CONTROLS, entry);
	vmcs_write(VMCS_CR0_READ_SHADOW, val);
	vmcs_write(VMCS_GUEST_CR0,
		   (val | vmx_guest_cr0_fixed0(&vmx_caps)) & vmx_caps.cr0_fixed1);
	return true;
}

static bool cr4_write(struct vcpu *v, uint64_t val)
{
	/* Features not offered: setting their bits faults as on a CPU without them. */
	if (val & CR4_HIDDEN_FEATURES)
		return false;
	if (val & ~vmx_caps.cr4_fixed1)
		return false;
	if ((vmcs_read(VMCS_GUEST_EFER) & EFER_LMA) && !(val & CR4_PAE))
		return false;
	vmcs_write(VMCS_CR4_READ_SHADOW, val);
	vmcs_write(VMCS_GUEST_CR4, (val | vmx_caps.cr4_fixed0) & vmx_caps.cr4_fixed1);
	return true;
}

#define CR8_RESERVED (~0xfull) /* CR8 holds the task-priority class only */

/* CR8 exits only on CPUs without the TPR shadow (apicv=off): it is the local APIC's TPR. */
static enum exit_action cr8_access(struct vcpu *v, unsigned type, unsigned gpr)
{
	uint64_t *reg = &v->regs.gpr[gpr];
	if (type == EXITQ_CR_MOV_FROM_CR) {
		*reg = lapic_cr8_read(v->lapic);
	} else {
		if (*reg & CR8_RESERVED) {
			inject_gp(v);
			return EXIT_RESUME;
		}
		lapic_cr8_write(v->lapic, (uint8_t)*reg);
		v->work |= VCPU_WORK_INTR;
	}
	guest_skip_instruction();
	return EXIT_RESUME;
}

enum exit_action handle_cr_access(struct vcpu *v, const struct exit_info *x)
{
	unsigned cr = x->qualification & EXITQ_CR_NUM_MASK;
	unsigned type = (x->qualification & EXITQ_CR_ACCESS_MASK) >> EXITQ_CR_ACCESS_SHIFT;
	unsigned gpr = (x->qualification & EXITQ_CR_GPR_MASK) >> EXITQ_CR_GPR_SHIFT;
	if (cr == 8 && (type == EXITQ_CR_MOV_TO_CR || type == EXITQ_CR_MOV_FROM_CR) &&
	    gpr != GPR_RSP)
		return cr8_access(v, type, gpr);
	if (type != EXITQ_CR_MOV_TO_CR || (cr != 0 && cr != 4))
		return exit_unhandled(v, x, "unexpected control-register access");
	uint64_t val = gpr == GPR_RSP ? vmcs_read(VMCS_GUEST_RSP) : v->regs.gpr[gpr];
	if (!guest_in_64bit_mode())
		val = (uint32_t)val;
	bool ok = cr == 0 ? cr0_write(v, val) : cr4_write(v, val);
	if (!ok) {
		inject_gp(v);
		return EXIT_RESUME;
	}
	guest_skip_instruction();
	return EXIT_RESUME;
}
