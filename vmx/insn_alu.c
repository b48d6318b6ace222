/* Integer ALU of the instruction emulator. */
#include "vmx/insn_alu.h"
#include "kernel/x86.h"
#include "vmx/insn_decode.h"
#include <stdbool.h>

#define AF_BIT 0x10 /* carry out of bit 3 shows in bit 4 of a ^ b ^ result */

static bool parity_even(uint64_t v)
{
	uint8_t b = (uint8_t)v;
	b ^= b >> 4;
	b ^= b >> 2;
	b ^= b >> 1;
	return !(b & 1);
}

/* SF, ZF and PF of a result. */
static uint64_t result_flags(uint64_t r, unsigned size)
{
	uint64_t f = 0;
	if (!(r & alu_width_mask(size)))
		f |= RFLAGS_ZF;
	if (r & (1ull << (8 * size - 1)))
		f |= RFLAGS_SF;
	if (parity_even(r))
		f |= RFLAGS_PF;
	return f;
}

static uint64_t add(uint64_t a, uint64_t b, bool carry, unsigned size, uint64_t *flags)
{
	uint64_t m = alu_width_mask(size), sign = 1ull << (8 * size - 1);
	uint64_t r = (a + b + carry) & m;
	uint64_t f = result_flags(r, size);
	if (r < a || (carry && r == a))
		f |= RFLAGS_CF;
	if ((a ^ r) & (b ^ r) & sign)
		f |= RFLAGS_OF;
	if ((a ^ b ^ r) & AF_BIT)
		f |= RFLAGS_AF;
	*flags = f;
	return r;
}

static uint64_t sub(uint64_t a, uint64_t b, bool borrow, unsigned size, uint64_t *flags)
{
	uint64_t m = alu_width_mask(size), sign = 1ull << (8 * size - 1);
	uint64_t r = (a - b - borrow) & m;
	uint64_t f = result_flags(r, size);
	if (a < b || (borrow && a == b))
		f |= RFLAGS_CF;
	if ((a ^ b) & (a ^ r) & sign)
		f |= RFLAGS_OF;
	if ((a ^ b ^ r) & AF_BIT)
		f |= RFLAGS_AF;
	*flags = f;
	return r;
}

uint64_t alu_binary(unsigned op, uint64_t a, uint64_t b, unsigned size, uint64_t *rflags)
{
	uint64_t m = alu_width_mask(size), f, r;
	bool cf = *rflags & RFLAGS_CF;
	a &= m;
	b &= m;
	switch (op) {
	case INSN_ADD:
		r = add(a, b, false, size, &f);
		break;
	case INSN_ADC:
		r = add(a, b, cf, size, &f);
		break;
	case INSN_SUB:
	case INSN_CMP:
		r = sub(a, b, false, size, &f);
		break;
	case INSN_SBB:
		r = sub(a, b, cf, size, &f);
		break;
	case INSN_OR:
		r = a | b;
		f = result_flags(r, size);
		break;
	case INSN_XOR:
		r = a ^ b;
		f = result_flags(r, size);
		break;
	default: /* AND, TEST */
		r = a & b;
		f = result_flags(r, size);
		break;
	}
	*rflags = (*rflags & ~RFLAGS_ARITH) | f;
	return r;
}

uint64_t alu_unary(unsigned op, uint64_t a, unsigned size, uint64_t *rflags)
{
	uint64_t m = alu_width_mask(size), f, r;
	a &= m;
	switch (op) {
	case INSN_NOT:
		return ~a & m;
	case INSN_NEG:
		r = sub(0, a, false, size, &f);
		*rflags = (*rflags & ~RFLAGS_ARITH) | f;
		return r;
	default: /* INC, DEC: CF is not theirs */
		r = op == INSN_INC ? add(a, 1, false, size, &f) : sub(a, 1, false, size, &f);
		*rflags = (*rflags & ~(RFLAGS_ARITH & ~RFLAGS_CF)) | (f & ~RFLAGS_CF);
		return r;
	}
}
