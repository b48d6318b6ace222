#include "vmx/guest_access.h"
#include "devices/bus.h"
#include "ept/guest_ram.h"
#include "kernel/vm.h"
#include "kernel/vm_virtio.h"
#include "kernel/x86.h"
#include "vmx/vcpu.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_ops.h"

void guest_paging_current(struct vcpu *v, struct guest_paging *p)
{
	p->cr0 = vmcs_read(VMCS_GUEST_CR0); /* the real register: what the CPU walks with */
	p->cr3 = vmcs_read(VMCS_GUEST_CR3);
	p->cr4 = vmcs_read(VMCS_GUEST_CR4);
	p->efer = vmcs_read(VMCS_GUEST_EFER);
	p->maxphyaddr = v->lapic->phys_bits;
}

bool guest_phys_read(void *vm_ram, uint64_t gpa, void *dst, size_t n)
{
	return guest_ram_read(vm_ram, gpa, dst, n);
}

/* The vCPU's local APIC when it was moved away from its default base (the window there
 * is on the MMIO bus), else NULL. */
static struct lapic *relocated_lapic_at(struct vcpu *v, uint64_t gpa)
{
	struct lapic *l = v->lapic;
	uint64_t base = lapic_base_addr(l);
	if (lapic_mode(l) != LAPIC_MODE_XAPIC || base == LAPIC_DEFAULT_BASE ||
	    gpa - base >= LAPIC_PAGE_SIZE)
		return 0;
	return l;
}

bool vcpu_mmio_claims(struct vcpu *v, uint64_t gpa)
{
	return relocated_lapic_at(v, gpa) || mmio_bus_find(&v->vm->mmio, gpa) ||
	       pci_bus_mmio_span(&v->vm->plat.pci, gpa);
}

static void *vcpu_ram_at(void *ctx, uint64_t gpa)
{
	struct vcpu *v = ctx;
	return guest_ram_hva(&v->vm->ram, gpa);
}

static uint64_t vcpu_mmio_span(void *ctx, uint64_t gpa)
{
	struct vcpu *v = ctx;
	struct lapic *l = relocated_lapic_at(v, gpa);
	if (l)
		return lapic_base_addr(l) + LAPIC_PAGE_SIZE - gpa;
	const struct mmio_range *r = mmio_bus_find(&v->vm->mmio, gpa);
	return r ? r->base + r->size - gpa : pci_bus_mmio_span(&v->vm->plat.pci, gpa);
}

/* The MMIO bus, else a PCI BAR. A virtio device that ran out of budget for a notification
 * wants another go before the next entry. */
static void vcpu_devices(struct vcpu *v, struct mmio_access *a)
{
	struct vm *vm = v->vm;
	if (mmio_bus_find(&vm->mmio, a->gpa)) {
		mmio_bus_dispatch(&vm->mmio, a);
		return;
	}
	pci_bus_mmio(&vm->plat.pci, a);
	if (vm->virtio && vm_virtio_pending(vm)) {
		vm->virtio->again = true;
		v->work |= VCPU_WORK_INTR;
	}
}

/* guest_vmem sends only accesses inside one region (vcpu_mmio_span), which always land. */
static void vcpu_mmio(void *ctx, struct mmio_access *a)
{
	struct vcpu *v = ctx;
	struct lapic *l = relocated_lapic_at(v, a->gpa);
	if (!l) {
		vcpu_devices(v, a);
		return;
	}
	uint32_t offset = (uint32_t)(a->gpa - lapic_base_addr(l));
	if (a->write)
		lapic_mmio_write(l, offset, a->size, a->value, vcpu_guest_tsc(v));
	else
		a->value = lapic_mmio_read(l, offset, a->size, vcpu_guest_tsc(v));
	v->work |= VCPU_WORK_INTR;
}

enum cpu_mode guest_vmem_current(struct vcpu *v, uint64_t rflags, struct guest_vmem *m)
{
	unsigned cpl = (vmcs_read(VMCS_GUEST_SS_AR_BYTES) & SEG_AR_DPL_MASK) >> SEG_AR_DPL_SHIFT;
	*m = (struct guest_vmem){
	    .cpu = v->id,
	    .phys = {.ctx = v, .ram = vcpu_ram_at, .mmio_span = vcpu_mmio_span, .mmio = vcpu_mmio},
	};
	guest_paging_current(v, &m->paging);
	enum cpu_mode mode = cpu_mode_of(m->paging.cr0, rflags, m->paging.efer,
					 (uint32_t)vmcs_read(VMCS_GUEST_CS_AR_BYTES));
	m->addr64 = mode == CPU_MODE_LONG64;
	if (cpl == 3)
		m->mode_access = ACCESS_USER;
	else if (rflags & RFLAGS_AC)
		m->mode_access = ACCESS_AC;
	return mode;
}
