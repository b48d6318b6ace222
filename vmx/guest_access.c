#include "vmx/guest_access.h"
#include "ept/guest_ram.h"
#include "kernel/vm.h"
#include "vmx/vcpu.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_ops.h"

void guest_paging_current(struct guest_paging *p)
{
	p->cr0 = vmcs_read(VMCS_GUEST_CR0);
	p->cr3 = vmcs_read(VMCS_GUEST_CR3);
	p->cr4 = vmcs_read(VMCS_GUEST_CR4);
	p->efer = vmcs_read(VMCS_GUEST_EFER);
}

bool guest_phys_read(void *vm_ram, uint64_t gpa, void *dst, size_t n)
{
	return guest_ram_read(vm_ram, gpa, dst, n);
}

static bool guest_linear_copy(struct vcpu *v, uint64_t gla, void *buf, size_t n, bool write)
{
	struct guest_paging p;
	struct guest_ram *ram = &v->vm->ram;
	uint8_t *b = buf;
	guest_paging_current(&p);
	while (n) {
		uint64_t gpa;
		if (guest_walk(&p, gla, guest_phys_read, ram, &gpa) != WALK_OK)
			return false;
		size_t chunk = 4096 - (gla & 4095);
		if (chunk > n)
			chunk = n;
		bool ok = write ? guest_ram_write(ram, gpa, b, chunk) : guest_ram_read(ram, gpa, b, chunk);
		if (!ok)
			return false;
		gla += chunk;
		b += chunk;
		n -= chunk;
	}
	return true;
}

bool guest_linear_read(struct vcpu *v, uint64_t gla, void *dst, size_t n)
{
	return guest_linear_copy(v, gla, dst, n, false);
}

bool guest_linear_write(struct vcpu *v, uint64_t gla, const void *src, size_t n)
{
	return guest_linear_copy(v, gla, (void *)src, n, true);
}
