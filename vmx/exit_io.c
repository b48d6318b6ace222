/* IN/OUT/INS/OUTS: decoded into struct io_access and sent to the VM's port bus. String
 * forms move their data through guest memory by linear address (vmx/guest_vmem.h); a REP
 * string instruction is done in batches so one exit never holds the CPU for long. */
#include "devices/bus.h"
#include "kernel/format.h"
#include "kernel/vm.h"
#include "kernel/x86.h"
#include "vmx/exit.h"
#include "vmx/guest_access.h"
#include "vmx/insn_decode.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_init.h"
#include "vmx/vmx_ops.h"

#define IO_STRING_BATCH 1024           /* elements per exit before re-executing the insn */
#define INSN_INFO_ADDR_SIZE_SHIFT 7    /* INS/OUTS instruction info: 0 16-bit, 1 32, 2 64 */
#define INSN_INFO_ADDR_SIZE_MASK  (7u << 7)

/* 0: 16-bit, 1: 32-bit, 2: 64-bit. From the exit's instruction information when the CPU
 * provides it (IA32_VMX_BASIC bit 54), else the code segment's default (an address-size
 * prefix is then not seen). */
static unsigned string_io_address_size(void)
{
	if (vmx_caps.ins_outs_info)
		return ((uint32_t)vmcs_read(VMCS_EXIT_INSTRUCTION_INFO) & INSN_INFO_ADDR_SIZE_MASK) >>
		       INSN_INFO_ADDR_SIZE_SHIFT;
	if (guest_in_64bit_mode())
		return 2;
	return (vmcs_read(VMCS_GUEST_CS_AR_BYTES) & SEG_AR_DB) ? 1 : 0; /* as cpu_mode_of() */
}

/* One element: OUTS reads guest memory then the port; INS checks the destination first,
 * so a faulting INS never consumes a byte from the device (a UART would lose it). */
static enum mem_result io_string_element(struct vcpu *v, struct guest_vmem *m, uint64_t gla,
					 struct io_access *a)
{
	uint64_t value;
	enum mem_result r;
	if (a->write) {
		r = guest_vmem_read(m, gla, a->size, 0, &value);
		if (r != MEM_OK)
			return r;
		a->value = (uint32_t)value;
		io_bus_dispatch(&v->vm->io, a);
		return MEM_OK;
	}
	r = guest_vmem_check(m, gla, a->size, ACCESS_WRITE);
	if (r != MEM_OK)
		return r;
	io_bus_dispatch(&v->vm->io, a);
	return guest_vmem_write(m, gla, a->size, 0, a->value);
}

/* Memory goes through the guest's paging rules (a user-mode INS into a supervisor page,
 * or into a page that is not present, takes #PF) and may be MMIO. A fault stops at the
 * element that faults, with rSI/rDI/rCX counting the ones done, as on the CPU. */
static enum exit_action io_string(struct vcpu *v, const struct exit_info *x, struct io_access *a)
{
	uint64_t *g = v->regs.gpr;
	bool rep = x->qualification & EXITQ_IO_REP;
	unsigned asz = string_io_address_size();
	uint64_t amask = asz == 0 ? 0xffff : asz == 1 ? 0xffffffffull : ~0ull;
	uint64_t count = rep ? g[GPR_RCX] & amask : 1;
	uint64_t rflags = vmcs_read(VMCS_GUEST_RFLAGS);
	bool down = rflags & RFLAGS_DF;
	unsigned idx = a->write ? GPR_RSI : GPR_RDI;
	struct guest_vmem m;
	enum cpu_mode mode = guest_vmem_current(v, rflags, &m);
	/* The exit gives the first element's linear address: what remains once the offset is
	 * taken away is the base of whichever segment (an override included) it used. */
	uint64_t seg_base = vmcs_read(VMCS_GUEST_LINEAR_ADDR) - (g[idx] & amask);
	enum mem_result r = MEM_OK;
	uint64_t done = 0;

	while (done < count && done < IO_STRING_BATCH) {
		uint64_t gla = seg_base + (g[idx] & amask);
		r = io_string_element(v, &m, mode == CPU_MODE_LONG64 ? gla : (uint32_t)gla, a);
		if (r != MEM_OK)
			break;
		if (v->vm->ended)
			return EXIT_YIELD;
		done++;
		g[idx] = (g[idx] & ~amask) | ((g[idx] + (down ? -(uint64_t)a->size : a->size)) & amask);
	}
	if (rep)
		g[GPR_RCX] = (g[GPR_RCX] & ~amask) | ((g[GPR_RCX] - done) & amask);
	if (r == MEM_UNHANDLED) {
		char why[112];
		fmt_snprintf(why, sizeof why, "string I/O touched guest-physical 0x%llx: %s",
			     (unsigned long long)m.unhandled_gpa, m.why);
		return exit_unhandled(v, x, why);
	}
	if (r == MEM_FAULT)
		inject_mem_fault(v, &m.fault);
	else if (!rep || done == count)
		guest_skip_instruction();
	return EXIT_RESUME;
}

enum exit_action handle_io(struct vcpu *v, const struct exit_info *x)
{
	struct io_access a = {
		.port = (uint16_t)(x->qualification >> EXITQ_IO_PORT_SHIFT),
		.size = (uint8_t)((x->qualification & EXITQ_IO_SIZE_MASK) + 1),
		.write = !(x->qualification & EXITQ_IO_IN),
	};
	if (x->qualification & EXITQ_IO_STRING)
		return io_string(v, x, &a);

	uint64_t *rax = &v->regs.gpr[GPR_RAX];
	uint32_t mask = a.size == 4 ? 0xffffffffu : (1u << (8 * a.size)) - 1;
	if (a.write)
		a.value = (uint32_t)*rax & mask;
	io_bus_dispatch(&v->vm->io, &a);
	if (v->vm->ended)
		return EXIT_YIELD;
	if (!a.write)
		*rax = a.size == 4 ? (a.value & mask) : ((*rax & ~(uint64_t)mask) | (a.value & mask));
	guest_skip_instruction();
	return EXIT_RESUME;
}
