/* Decoding of the guest instruction behind an MMIO exit. An EPT violation reports the
 * guest-physical address but not the width, direction or value of the access, so the
 * handler fetches the instruction bytes, decodes them here and emulates them
 * (vmx/insn_emulate.h). Accepted: the forms drivers use on device memory, each with a memory
 * operand: MOV (r/m<->r, r/m<-imm, accumulator<->moffs), MOVZX, MOVSX, MOVSXD; the ALU
 * read-modify-write forms ADD/OR/ADC/SBB/AND/SUB/XOR/CMP (r/m,r; r,r/m; r/m,imm), TEST,
 * NOT, NEG, INC, DEC; XCHG, CMPXCHG, XADD; BT/BTS/BTR/BTC (register or immediate bit
 * offset); MOVS/STOS/LODS with REP; PUSH r/m and POP r/m. LOCK is accepted where the CPU
 * accepts it. Pure C, no VMX. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum cpu_mode {
	CPU_MODE_REAL16, /* virtual-8086 mode, or real mode with CS.D = 0 */
	CPU_MODE_PROT16, /* protected mode, CS.D = 0 (also compatibility mode) */
	CPU_MODE_PROT32, /* CS.D = 1: protected or compatibility mode, or real mode whose CS
			    still holds a 32-bit descriptor (PE cleared without a far jump) */
	CPU_MODE_LONG64, /* 64-bit mode: EFER.LMA and CS.L */
};

/* Mode that sets default operand and address sizes, from guest CR0, RFLAGS, EFER and the
 * CS access rights in VMCS format (SEG_AR_L, SEG_AR_DB). */
enum cpu_mode cpu_mode_of(uint64_t cr0, uint64_t rflags, uint64_t efer, uint32_t cs_ar);

enum insn_op {
	/* The eight ALU operations, in the order of ModRM.reg in opcodes 80-83. */
	INSN_ADD,
	INSN_OR,
	INSN_ADC,
	INSN_SBB,
	INSN_AND,
	INSN_SUB,
	INSN_XOR,
	INSN_CMP,
	INSN_MOV, /* also MOVZX/MOVSX/MOVSXD: see insn.extend */
	INSN_TEST,
	INSN_NOT,
	INSN_NEG,
	INSN_INC,
	INSN_DEC,
	INSN_XCHG,
	INSN_CMPXCHG, /* compares with and loads the accumulator (AL/AX/EAX/RAX) */
	INSN_XADD,
	/* Bit tests, in the order of ModRM.reg - 4 in opcode 0F BA. */
	INSN_BT,
	INSN_BTS,
	INSN_BTR,
	INSN_BTC,
	INSN_MOVS, /* [seg:rSI] -> ES:[rDI] */
	INSN_STOS, /* accumulator -> ES:[rDI] */
	INSN_LODS, /* [seg:rSI] -> accumulator */
	INSN_PUSH, /* src: the memory operand */
	INSN_POP,  /* dst: the memory operand */
};

enum insn_operand_kind {
	OPERAND_NONE,
	OPERAND_REG,
	OPERAND_IMM,
	OPERAND_MEM, /* the ModRM/moffs operand (insn.mem), or a string operand */
};

enum insn_extend {
	EXTEND_NONE, /* register width == memory width */
	EXTEND_ZERO, /* MOVZX */
	EXTEND_SIGN, /* MOVSX, MOVSXD */
};

struct insn_operand {
	uint8_t kind;	/* enum insn_operand_kind */
	uint8_t size;	/* bytes: 1, 2, 4 or 8 */
	uint8_t reg;	/* OPERAND_REG: enum gpr */
	bool high_byte; /* OPERAND_REG: AH/CH/DH/BH, bits 15:8 of gpr[reg] */
	uint64_t imm;	/* OPERAND_IMM: sign-extended from its encoding, masked to size */
};

/* Segment registers in their encoding order (prefixes, VMCS instruction information). */
enum seg_reg { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_COUNT };

#define INSN_NO_REG 0xff /* insn_mem.base/index: none */
#define INSN_RIP    0xfe /* insn_mem.base: RIP-relative (from the next instruction) */

/* Where the memory operand is: seg:[base + index * scale + disp] at address size. */
struct insn_mem {
	uint8_t base;  /* enum gpr, INSN_NO_REG or INSN_RIP */
	uint8_t index; /* enum gpr or INSN_NO_REG */
	uint8_t scale; /* 1, 2, 4 or 8 */
	uint8_t seg;   /* enum seg_reg: the override, else the default (SS for rBP/rSP bases) */
	int64_t disp;
};

struct insn {
	uint8_t length;	   /* bytes including prefixes: how far RIP advances */
	uint8_t op;	   /* enum insn_op */
	uint8_t addr_size; /* 2, 4 or 8 */
	uint8_t extend;	   /* enum insn_extend, for INSN_MOV reads */
	bool lock;	   /* LOCK prefix */
	bool rep;	   /* string instructions: F3 or F2, count in rCX */
	struct insn_operand dst, src;
	struct insn_mem mem; /* for MOVS/LODS only `seg` counts: the source segment */
};

/* Decodes the instruction at `bytes` (`avail` bytes were fetchable). False for anything
 * outside the supported forms, register-only operands, a LOCK where the CPU would raise
 * #UD, or truncated input. */
bool insn_decode(const uint8_t *bytes, size_t avail, enum cpu_mode mode, struct insn *out);
