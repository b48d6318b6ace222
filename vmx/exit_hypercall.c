/* VMCALL: the hypercall ABI of kernel/guest_abi.h. */
#include "drivers/tsc.h"
#include "kernel/guest_abi.h"
#include "kernel/vm.h"
#include "kernel/x86.h"
#include "vmx/exit.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_ops.h"

#define HC_CONSOLE_MAX 4096

static int64_t hc_console_write(struct vcpu *v, uint64_t gpa, uint64_t len)
{
	char buf[128];
	if (len > HC_CONSOLE_MAX)
		return MHV_HC_EINVAL;
	for (uint64_t off = 0; off < len; off += sizeof buf) {
		uint64_t n = len - off < sizeof buf ? len - off : sizeof buf;
		if (!guest_ram_read(&v->vm->ram, gpa + off, buf, n))
			return MHV_HC_EINVAL;
		for (uint64_t i = 0; i < n; i++)
			vm_console_putc(v->vm, buf[i]);
	}
	return (int64_t)len;
}

static int64_t hc_timer_oneshot(struct vcpu *v, uint64_t us, uint64_t vector)
{
	if (vector < 32 || vector > 255)
		return MHV_HC_EINVAL;
	v->hc_timer_vector = (uint8_t)vector;
	v->hc_timer_deadline = rdtsc() + tsc_from_us(us) + 1;
	v->work |= VCPU_WORK_INTR;
	return MHV_HC_OK;
}

enum exit_action handle_vmcall(struct vcpu *v, const struct exit_info *x)
{
	uint64_t *g = v->regs.gpr;
	/* CPL is SS.DPL; hypercalls are for the guest kernel only. */
	uint32_t ss_ar = (uint32_t)vmcs_read(VMCS_GUEST_SS_AR_BYTES);
	if ((ss_ar & SEG_AR_DPL_MASK) >> SEG_AR_DPL_SHIFT) {
		inject_ud(v);
		return EXIT_RESUME;
	}
	bool wide = guest_in_64bit_mode();
	uint64_t nr = wide ? g[GPR_RAX] : (uint32_t)g[GPR_RAX];
	uint64_t a1 = wide ? g[GPR_RBX] : (uint32_t)g[GPR_RBX];
	uint64_t a2 = wide ? g[GPR_RCX] : (uint32_t)g[GPR_RCX];
	int64_t ret;
	switch (nr) {
	case MHV_HC_NOP:
		ret = MHV_HC_OK;
		break;
	case MHV_HC_CONSOLE_WRITE:
		ret = hc_console_write(v, a1, a2);
		break;
	case MHV_HC_EXIT:
		vm_exit(v->vm, (uint32_t)a1, "exit hypercall");
		return EXIT_YIELD;
	case MHV_HC_TIMER_ONESHOT:
		ret = hc_timer_oneshot(v, a1, a2);
		break;
	default:
		ret = MHV_HC_ENOSYS;
		break;
	}
	g[GPR_RAX] = wide ? (uint64_t)ret : (uint32_t)ret;
	guest_skip_instruction();
	return EXIT_RESUME;
}

/* HLT parks the vCPU until it has an interrupt to take. With RFLAGS.IF=0 only an NMI,
 * INIT or SIPI can wake it; once every vCPU of the VM is parked like that, nothing ever
 * will, which is how OSes power off without ACPI (Linux "poweroff -f"; its other CPUs
 * stop the same way first): the VM ends, as a guest decision (exit code 0). */
enum exit_action handle_hlt(struct vcpu *v, const struct exit_info *x)
{
	guest_skip_instruction();
	if (!(vmcs_read(VMCS_GUEST_RFLAGS) & RFLAGS_IF)) {
		v->state = VCPU_HALTED;
		v->halted_if0 = true;
		if (vm_vcpus_all_parked(v->vm))
			vm_exit(v->vm, 0, "halted with interrupts disabled");
		return EXIT_YIELD;
	}
	if (vcpu_wakeup_due(v, rdtsc()))
		return EXIT_RESUME;
	v->state = VCPU_HALTED;
	return EXIT_YIELD;
}

/* Interrupt- and NMI-window exits: the run loop injects the waiting event before re-entry. */
enum exit_action handle_intr_window(struct vcpu *v, const struct exit_info *x)
{
	v->work |= VCPU_WORK_INTR;
	return EXIT_RESUME;
}
