/* EPT violations: guest RAM is always mapped, so an EPT violation is an access to an MMIO
 * region (decoded and sent to the VM's MMIO bus) or to an address where nothing exists,
 * which stops the VM. */
#include "devices/bus.h"
#include "kernel/format.h"
#include "kernel/vm.h"
#include "kernel/vm_virtio.h"
#include "kernel/x86.h"
#include "vmx/exit.h"
#include "vmx/guest_access.h"
#include "vmx/insn_decode.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_ops.h"

#define MAX_INSN_BYTES 15

/* The accessing vCPU's local APIC when it was moved away from its default base (the
 * window there is on the MMIO bus), else NULL. */
static struct lapic *relocated_lapic_at(struct vcpu *v, uint64_t gpa)
{
	struct lapic *l = v->lapic;
	uint64_t base = lapic_base_addr(l);
	if (lapic_mode(l) != LAPIC_MODE_XAPIC || base == LAPIC_DEFAULT_BASE ||
	    gpa - base >= LAPIC_PAGE_SIZE)
		return 0;
	return l;
}

/* Device registers: the MMIO bus, then the BARs of the PCI devices. A virtio device that
 * ran out of budget for a notification wants another go before the next entry. */
static bool vm_devices_dispatch(struct vcpu *v, struct mmio_access *a)
{
	struct vm *vm = v->vm;
	if (mmio_bus_find(&vm->mmio, a->gpa))
		return mmio_bus_dispatch(&vm->mmio, a);
	if (!pci_bus_mmio(&vm->plat.pci, a))
		return false;
	if (vm->virtio && vm_virtio_pending(vm)) {
		vm->virtio->again = true;
		v->work |= VCPU_WORK_INTR;
	}
	return true;
}

static bool vm_mmio_dispatch(struct vcpu *v, struct mmio_access *a)
{
	struct lapic *l = relocated_lapic_at(v, a->gpa);
	if (!l)
		return vm_devices_dispatch(v, a);
	uint32_t offset = (uint32_t)(a->gpa - lapic_base_addr(l));
	if (offset + a->size > LAPIC_PAGE_SIZE)
		return false;
	if (a->write)
		lapic_mmio_write(l, offset, a->size, a->value, vcpu_guest_tsc(v));
	else
		a->value = lapic_mmio_read(l, offset, a->size, vcpu_guest_tsc(v));
	v->work |= VCPU_WORK_INTR;
	return true;
}

enum exit_action exit_emulate_mmio(struct vcpu *v, const struct exit_info *x, uint64_t gpa)
{
	char why[128];
	uint8_t bytes[MAX_INSN_BYTES];
	uint64_t rip = vmcs_read(VMCS_GUEST_RIP);
	uint64_t rflags = vmcs_read(VMCS_GUEST_RFLAGS);
	uint64_t cr0 = vmcs_read(VMCS_GUEST_CR0); /* PE is not shadowed: the real value counts */
	uint64_t efer = vmcs_read(VMCS_GUEST_EFER);
	uint32_t cs_ar = (uint32_t)vmcs_read(VMCS_GUEST_CS_AR_BYTES);
	uint64_t cs_base = vmcs_read(VMCS_GUEST_CS_BASE);
	enum cpu_mode mode = cpu_mode_of(cr0, rflags, efer, cs_ar);
	uint64_t pc = mode == CPU_MODE_LONG64 ? rip : (uint32_t)(cs_base + rip);

	struct guest_paging p;
	guest_paging_current(&p);
	size_t got = guest_fetch(&p, pc, bytes, sizeof bytes, guest_phys_read, &v->vm->ram);
	struct mmio_insn in;
	if (!mmio_insn_decode(bytes, got, mode, &in)) {
		fmt_snprintf(why, sizeof why,
			     "MMIO access at 0x%llx by an instruction the decoder does not support "
			     "(%02x %02x %02x %02x)",
			     (unsigned long long)gpa, bytes[0], bytes[1], bytes[2], bytes[3]);
		return exit_unhandled(v, x, why);
	}

	v->regs.gpr[GPR_RSP] = vmcs_read(VMCS_GUEST_RSP);
	struct mmio_access a = {.gpa = gpa, .size = in.size, .write = in.write, .cpu = v->id};
	if (a.write)
		a.value = mmio_insn_write_value(&in, &v->regs);
	if (!vm_mmio_dispatch(v, &a))
		return exit_unhandled(v, x, "MMIO access straddles the end of its device region");
	if (v->vm->ended)
		return EXIT_YIELD;
	mmio_insn_complete(&in, &v->regs, rflags, a.value);
	vmcs_write(VMCS_GUEST_RSP, v->regs.gpr[GPR_RSP]);
	if (!mmio_insn_rep_pending(&in, &v->regs))
		vmcs_write(VMCS_GUEST_RIP, rip + in.length);
	return EXIT_RESUME;
}

enum exit_action handle_ept_violation(struct vcpu *v, const struct exit_info *x)
{
	char why[128];
	uint64_t gpa = vmcs_read(VMCS_GUEST_PHYSICAL_ADDR);
	if (!relocated_lapic_at(v, gpa) && !mmio_bus_find(&v->vm->mmio, gpa) &&
	    !pci_bus_mmio_claims(&v->vm->plat.pci, gpa)) {
		fmt_snprintf(why, sizeof why, "%s guest-physical 0x%llx: no RAM or device there",
			     x->qualification & EXITQ_EPT_WRITE   ? "write to"
			     : x->qualification & EXITQ_EPT_FETCH ? "instruction fetch from"
								  : "read from",
			     (unsigned long long)gpa);
		return exit_unhandled(v, x, why);
	}
	if (x->qualification & EXITQ_EPT_FETCH)
		return exit_unhandled(v, x, "instruction fetch from an MMIO region");
	/* Only a data access by the instruction at RIP can be emulated: not a page-table walk
	 * or an event delivery (IDT or stack in MMIO) that touched the region. */
	if (!(x->qualification & EXITQ_EPT_GLA_VALID) ||
	    !(x->qualification & EXITQ_EPT_GLA_TRANSLATED) ||
	    (vmcs_read(VMCS_IDT_VECTORING_INFO) & INTR_INFO_VALID))
		return exit_unhandled(v, x, "MMIO region used as page tables, IDT or stack");
	return exit_emulate_mmio(v, x, gpa);
}
