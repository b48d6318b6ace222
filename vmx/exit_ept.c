/* EPT violations: guest RAM is always mapped, so an EPT violation is an access to an MMIO
 * region (the instruction is decoded and emulated, its device accesses going to the VM's
 * MMIO bus) or to an address where nothing exists, which stops the VM. */
#include "kernel/format.h"
#include "kernel/vm.h"
#include "kernel/x86.h"
#include "vmx/exit.h"
#include "vmx/guest_access.h"
#include "vmx/insn_decode.h"
#include "vmx/insn_emulate.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_ops.h"

#define MAX_INSN_BYTES 15

static uint64_t vmcs_seg_base(void *ctx, enum seg_reg seg)
{
	return vmcs_read(VMCS_GUEST_ES_BASE + 2 * (unsigned)seg); /* bases are in ES..GS order */
}

/* The width of rSP: SS.B outside 64-bit mode. */
static uint8_t stack_size_of(enum cpu_mode mode)
{
	if (mode == CPU_MODE_LONG64)
		return 8;
	if (mode == CPU_MODE_REAL16)
		return 2;
	return (vmcs_read(VMCS_GUEST_SS_AR_BYTES) & SEG_AR_DB) ? 4 : 2;
}

enum exit_action exit_emulate_mmio(struct vcpu *v, const struct exit_info *x, uint64_t gpa)
{
	char why[128];
	uint8_t bytes[MAX_INSN_BYTES];
	uint64_t rip = vmcs_read(VMCS_GUEST_RIP);
	uint64_t rflags = vmcs_read(VMCS_GUEST_RFLAGS);
	struct guest_vmem m;
	enum cpu_mode mode = guest_vmem_current(v, rflags, &m);
	uint64_t pc =
	    mode == CPU_MODE_LONG64 ? rip : (uint32_t)(vmcs_read(VMCS_GUEST_CS_BASE) + rip);
	size_t got = guest_fetch(&m.paging, pc, bytes, sizeof bytes, guest_phys_read, &v->vm->ram);
	struct insn in;
	if (!insn_decode(bytes, got, mode, &in)) {
		fmt_snprintf(why, sizeof why,
			     "MMIO access at 0x%llx by an instruction the decoder does not support "
			     "(%02x %02x %02x %02x)",
			     (unsigned long long)gpa, bytes[0], bytes[1], bytes[2], bytes[3]);
		return exit_unhandled(v, x, why);
	}

	v->regs.gpr[GPR_RSP] = vmcs_read(VMCS_GUEST_RSP);
	struct emu_cpu cpu = {
	    .regs = &v->regs,
	    .rip = rip,
	    .rflags = rflags,
	    .mode = mode,
	    .stack_size = stack_size_of(mode),
	    .seg_base = vmcs_seg_base,
	};
	enum emu_result r = insn_emulate(&in, &cpu, &m);
	if (v->vm->ended)
		return EXIT_YIELD;
	if (r == EMU_UNHANDLED) {
		fmt_snprintf(why, sizeof why, "MMIO instruction touched guest-physical 0x%llx: %s",
			     (unsigned long long)m.unhandled_gpa, m.why);
		return exit_unhandled(v, x, why);
	}
	vmcs_write(VMCS_GUEST_RSP, v->regs.gpr[GPR_RSP]);
	vmcs_write(VMCS_GUEST_RFLAGS, cpu.rflags);
	if (r == EMU_FAULT)
		inject_mem_fault(v, &m.fault);
	else if (r == EMU_DONE)
		guest_set_rip(cpu.rip);
	return EXIT_RESUME;
}

enum exit_action handle_ept_violation(struct vcpu *v, const struct exit_info *x)
{
	char why[128];
	uint64_t gpa = vmcs_read(VMCS_GUEST_PHYSICAL_ADDR);
	if (!vcpu_mmio_claims(v, gpa)) {
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
