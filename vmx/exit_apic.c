/* Exits of local-APIC virtualization (vmx/apic_virt.h) and of spinning vCPUs. */
#include "kernel/vm.h"
#include "kernel/x86.h"
#include "vmx/exit.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_ops.h"

#define EXITQ_APIC_OFFSET_MASK 0xfffull   /* APIC-access/-write: offset in the APIC page */
#define EXITQ_APIC_ACCESS_TYPE_SHIFT 12   /* APIC-access: how the page was touched */
#define EXITQ_APIC_ACCESS_TYPE_MASK  (0xfull << 12)
#define APIC_ACCESS_LINEAR_READ  0        /* data read by the instruction at RIP */
#define APIC_ACCESS_LINEAR_WRITE 1        /* data write by the instruction at RIP */
#define EXITQ_EOI_VECTOR_MASK 0xffull     /* virtualized EOI: the vector */

/* A fault-like access the CPU does not virtualize (e.g. the timer's current count, or
 * any access without register virtualization): emulate the instruction. */
enum exit_action handle_apic_access(struct vcpu *v, const struct exit_info *x)
{
	unsigned type = (unsigned)((x->qualification & EXITQ_APIC_ACCESS_TYPE_MASK) >>
				   EXITQ_APIC_ACCESS_TYPE_SHIFT);
	if (type != APIC_ACCESS_LINEAR_READ && type != APIC_ACCESS_LINEAR_WRITE)
		return exit_unhandled(v, x, "APIC page used as page tables, IDT, stack or code");
	return exit_emulate_mmio(v, x, LAPIC_DEFAULT_BASE +
					   (x->qualification & EXITQ_APIC_OFFSET_MASK));
}

/* Trap-like: the write already landed in the virtual-APIC page and RIP moved on. */
enum exit_action handle_apic_write(struct vcpu *v, const struct exit_info *x)
{
	lapic_write_trapped(v->lapic, (uint32_t)(x->qualification & EXITQ_APIC_OFFSET_MASK),
			    vcpu_guest_tsc(v));
	v->work |= VCPU_WORK_INTR;
	return v->vm->ended ? EXIT_YIELD : EXIT_RESUME;
}

/* The CPU did the EOI of a vector in the EOI-exit bitmap (a level-triggered one). */
enum exit_action handle_virtualized_eoi(struct vcpu *v, const struct exit_info *x)
{
	lapic_eoi_done(v->lapic, (uint8_t)(x->qualification & EXITQ_EOI_VECTOR_MASK));
	v->work |= VCPU_WORK_INTR;
	return EXIT_RESUME;
}

/* The guest lowered CR8/TPR below a pending vector's class (TPR shadow, software APIC). */
enum exit_action handle_tpr_below_threshold(struct vcpu *v, const struct exit_info *x)
{
	v->work |= VCPU_WORK_INTR;
	return EXIT_RESUME;
}

/* PAUSE-loop exiting: the vCPU spins on a lock or waits for another vCPU (an IPI's answer,
 * a TLB shootdown). Give the CPU to the others, who may hold what it waits for. */
enum exit_action handle_pause(struct vcpu *v, const struct exit_info *x)
{
	guest_skip_instruction();
	v->yielded = true;
	return EXIT_YIELD;
}
