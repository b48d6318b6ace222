/* The guest general-purpose registers the exit path saves, indexed by x86 register number
 * (the encoding used in ModRM/REX), so decoded register operands index it directly. */
#pragma once
#include <stdint.h>

enum gpr {
	GPR_RAX,
	GPR_RCX,
	GPR_RDX,
	GPR_RBX,
	GPR_RSP,
	GPR_RBP,
	GPR_RSI,
	GPR_RDI,
	GPR_R8,
	GPR_R9,
	GPR_R10,
	GPR_R11,
	GPR_R12,
	GPR_R13,
	GPR_R14,
	GPR_R15,
	GPR_COUNT,
};

struct guest_regs {
	uint64_t gpr[GPR_COUNT]; /* gpr[GPR_RSP] is synced with the VMCS by the exit path */
	/* The VMCS's HOST_RSP as last written by vmx_enter (0: not yet): rewritten only when
	 * the stack moved, since a VMWRITE exits under an outer hypervisor. */
	uint64_t host_rsp;
};
_Static_assert(sizeof(uint64_t[GPR_COUNT]) == 128, "vmx/vmx_enter.S: host_rsp at offset 128");
