/* Emulation of a decoded instruction (vmx/insn_decode.h) whose memory operand the guest
 * could not access itself: device memory, or a string instruction crossing into it. The
 * instruction runs on a register file, RFLAGS and guest memory through vmx/guest_vmem.h, so
 * every memory operand (the ModRM one, string source and destination, the stack) is checked
 * and split as the CPU would, and a fault leaves the registers as the CPU would leave them:
 * untouched, or for string instructions showing the elements completed before it.
 *
 * LOCK (and XCHG's implicit lock) needs no atomicity here: all vCPUs run on one physical
 * CPU, which is busy in this exit, so nothing else touches the operand between the read and
 * the write of a read-modify-write. Pure C, no VMX: host-tested. */
#pragma once
#include "vmx/guest_vmem.h"
#include "vmx/guest_regs.h"
#include "vmx/insn_decode.h"

#define EMU_STRING_BATCH 256 /* REP elements per exit before the guest re-executes */

struct emu_cpu {
	struct guest_regs *regs; /* including RSP */
	uint64_t rip;		 /* of the instruction; moved past it when it completes */
	uint64_t rflags;
	enum cpu_mode mode;
	uint8_t stack_size; /* 2, 4 or 8: width of rSP (SS.B, or 64-bit mode) */
	/* Base of a segment register (not called for ES/CS/SS/DS in 64-bit mode). */
	uint64_t (*seg_base)(void *ctx, enum seg_reg seg);
	void *ctx;
};

enum emu_result {
	EMU_DONE,      /* completed: rip is past the instruction */
	EMU_REPEAT,    /* a REP string instruction did one batch: rip stays on it */
	EMU_FAULT,     /* inject m->fault */
	EMU_UNHANDLED, /* stop the VM: m->why at m->unhandled_gpa */
};

enum emu_result insn_emulate(const struct insn *in, struct emu_cpu *cpu, struct guest_vmem *m);
