/* Decoding of the guest instruction behind an MMIO exit. An EPT violation reports the
 * guest-physical address but not the width, direction or value of the access, so the
 * handler fetches the instruction bytes and decodes them here. Only the data-movement
 * forms compilers emit for device registers are accepted: MOV r/m<->r, MOV r/m,imm,
 * MOV accumulator<->moffs, MOVZX, MOVSX, MOVSXD and (REP) STOS. Pure C, no VMX. */
#pragma once
#include "vmx/guest_regs.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum cpu_mode {
	CPU_MODE_REAL16, /* real or virtual-8086 mode */
	CPU_MODE_PROT16, /* protected mode, CS.D = 0 (also compatibility mode) */
	CPU_MODE_PROT32, /* protected mode, CS.D = 1 (also compatibility mode) */
	CPU_MODE_LONG64, /* 64-bit mode: EFER.LMA and CS.L */
};

/* Mode that sets default operand and address sizes, from guest CR0, RFLAGS, EFER and the
 * CS access rights in VMCS format (SEG_AR_L, SEG_AR_DB). */
enum cpu_mode cpu_mode_of(uint64_t cr0, uint64_t rflags, uint64_t efer, uint32_t cs_ar);

enum mmio_operand {
	MMIO_OPERAND_REG, /* a GPR: source of a write, destination of a read */
	MMIO_OPERAND_IMM, /* an immediate: source of a write */
};

enum mmio_extend {
	MMIO_EXTEND_NONE, /* register width == access size */
	MMIO_EXTEND_ZERO, /* MOVZX */
	MMIO_EXTEND_SIGN, /* MOVSX, MOVSXD */
};

struct mmio_insn {
	uint8_t length;		   /* bytes including prefixes: how far RIP advances */
	uint8_t size;		   /* memory access width: 1, 2, 4 or 8 */
	bool write;		   /* the guest stores to the MMIO address */
	enum mmio_operand operand; /* where a write's value comes from / a read's goes to */
	uint8_t reg;		   /* enum gpr, for MMIO_OPERAND_REG */
	bool high_byte;		   /* AH/CH/DH/BH: bits 15:8 of gpr[reg] */
	uint8_t reg_size;	   /* register width written by a read (>= size when extending) */
	enum mmio_extend extend;
	uint64_t imm;	   /* for MMIO_OPERAND_IMM, already sign-extended to size */
	bool string;	   /* STOS: stores rAX to ES:[rDI], then steps rDI */
	bool rep;	   /* F3 prefix on a string instruction: count in rCX */
	uint8_t addr_size; /* 2, 4 or 8: width of rDI/rCX updates and of moffs */
};

/* Decodes the instruction at `bytes` (`avail` bytes were fetchable). False for anything
 * outside the supported forms, register-only operands, LOCK, or truncated input. */
bool mmio_insn_decode(const uint8_t *bytes, size_t avail, enum cpu_mode mode,
		      struct mmio_insn *out);

/* For a write: the value to store (low `size` bytes significant, upper bits zero). */
uint64_t mmio_insn_write_value(const struct mmio_insn *in, const struct guest_regs *regs);

/* After the access: for a read, puts `read_value` in the destination register with x86
 * rules (32-bit writes zero-extend to 64 bits; 8/16-bit writes merge); for STOS, steps rDI
 * by `size` according to RFLAGS.DF and, with REP, decrements rCX (both at address size).
 * RIP is the caller's: see mmio_insn_rep_pending(). */
void mmio_insn_complete(const struct mmio_insn *in, struct guest_regs *regs, uint64_t rflags,
			uint64_t read_value);

/* After mmio_insn_complete(): true when a REP string instruction has iterations left, so the
 * caller leaves RIP alone and the guest re-executes it (one MMIO access per exit). */
bool mmio_insn_rep_pending(const struct mmio_insn *in, const struct guest_regs *regs);
