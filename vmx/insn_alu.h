/* x86 integer arithmetic with the status flags the CPU sets (SDM Vol. 1 3.4.3 and each
 * instruction's "Flags Affected"), for the emulator. Where the SDM leaves a flag undefined
 * (AF after AND/OR/XOR/TEST) it is cleared, as Intel CPUs and Bochs do. Pure C. */
#pragma once
#include <stdint.h>

/* ADD, OR, ADC, SBB, AND, SUB, XOR, CMP, TEST (enum insn_op) of `a` and `b`, `size` bytes
 * wide: returns the result (CMP/TEST: what SUB/AND would give) and replaces the six status
 * flags in *rflags (ADC/SBB read CF from it first). */
uint64_t alu_binary(unsigned op, uint64_t a, uint64_t b, unsigned size, uint64_t *rflags);

/* NOT, NEG, INC, DEC: NOT changes no flag; INC and DEC leave CF alone. */
uint64_t alu_unary(unsigned op, uint64_t a, unsigned size, uint64_t *rflags);

/* Mask of the low `size` bytes. */
static inline uint64_t alu_width_mask(unsigned size)
{
	return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

static inline uint64_t alu_sign_extend(uint64_t v, unsigned size)
{
	uint64_t sign = 1ull << (8 * size - 1);
	v &= alu_width_mask(size);
	return (v ^ sign) - sign;
}
