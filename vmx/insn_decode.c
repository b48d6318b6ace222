/* MMIO instruction decoder (SDM Vol. 2, chapter 2 and the MOV/MOVZX/MOVSX/STOS pages). */
#include "vmx/insn_decode.h"
#include "kernel/x86.h"
#include "vmx/vmcs.h"

#define INSN_MAX_LENGTH 15 /* longer instructions raise #GP(0) */

#define PREFIX_LOCK	0xf0
#define PREFIX_REPNE	0xf2
#define PREFIX_REP	0xf3 /* REP/REPE; only meaningful here on STOS */
#define PREFIX_OPSIZE	0x66 /* toggles 16/32-bit operand size */
#define PREFIX_ADDRSIZE 0x67 /* toggles 16/32 (32/64 in 64-bit mode) address size */
#define PREFIX_ES	0x26
#define PREFIX_CS	0x2e
#define PREFIX_SS	0x36
#define PREFIX_DS	0x3e
#define PREFIX_FS	0x64
#define PREFIX_GS	0x65

#define REX_FIRST 0x40 /* 64-bit mode only; INC/DEC elsewhere */
#define REX_LAST  0x4f
#define REX_W	  0x08 /* 64-bit operand size */
#define REX_R	  0x04 /* high bit of ModRM.reg */

#define OPCODE_ESCAPE 0x0f /* two-byte opcode map */

#define MODRM_MOD(m)	((unsigned)(m) >> 6)	   /* 3 = register operand */
#define MODRM_REG(m)	(((unsigned)(m) >> 3) & 7) /* register operand or opcode extension */
#define MODRM_RM(m)	((unsigned)(m)&7)
#define MODRM_RM_SIB	4 /* 32/64-bit addressing: a SIB byte follows */
#define MODRM_RM_DISP32 5 /* with mod 0: disp32 (RIP-relative in 64-bit mode) */
#define MODRM_RM_DISP16 6 /* 16-bit addressing with mod 0: disp16 only */
#define SIB_BASE(s)	((unsigned)(s)&7)
#define SIB_BASE_NONE	5 /* with mod 0: no base, disp32 */

#define BYTE_REG_HIGH_FIRST 4 /* without REX, byte registers 4-7 are AH, CH, DH, BH */

struct cursor {
	const uint8_t *bytes;
	size_t avail;
	size_t pos;
};

static bool take(struct cursor *c, size_t n, uint64_t *value)
{
	if (n > c->avail - c->pos)
		return false;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)c->bytes[c->pos + i] << (8 * i);
	c->pos += n;
	*value = v;
	return true;
}

static bool take_byte(struct cursor *c, uint8_t *b)
{
	uint64_t v;
	if (!take(c, 1, &v))
		return false;
	*b = (uint8_t)v;
	return true;
}

static uint64_t width_mask(unsigned size)
{
	return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

static uint64_t sign_extend(uint64_t v, unsigned size)
{
	uint64_t sign = 1ull << (8 * size - 1);
	v &= width_mask(size);
	return (v ^ sign) - sign;
}

/* Consumes ModRM and whatever SIB/displacement it implies; only the length matters since
 * the exit supplies the address. A register operand (mod 3) is no memory access. */
static bool take_modrm_memory(struct cursor *c, unsigned addr_size, uint8_t *modrm)
{
	if (!take_byte(c, modrm))
		return false;
	unsigned mod = MODRM_MOD(*modrm), rm = MODRM_RM(*modrm);
	if (mod == 3)
		return false;
	size_t disp = 0;
	if (addr_size == 2) {
		if (mod == 1)
			disp = 1;
		else if (mod == 2 || rm == MODRM_RM_DISP16)
			disp = 2;
	} else {
		if (rm == MODRM_RM_SIB) {
			uint8_t sib;
			if (!take_byte(c, &sib))
				return false;
			if (mod == 0 && SIB_BASE(sib) == SIB_BASE_NONE)
				disp = 4;
		}
		if (mod == 0 && rm == MODRM_RM_DISP32)
			disp = 4;
		else if (mod == 1)
			disp = 1;
		else if (mod == 2)
			disp = 4;
	}
	uint64_t ignored;
	return take(c, disp, &ignored);
}

struct prefixes {
	bool opsize, addrsize, rep;
	uint8_t rex; /* 0 when absent */
};

static bool take_prefixes(struct cursor *c, enum cpu_mode mode, struct prefixes *p, uint8_t *opcode)
{
	*p = (struct prefixes){0};
	for (;;) {
		uint8_t b;
		if (!take_byte(c, &b))
			return false;
		switch (b) {
		case PREFIX_OPSIZE:
			p->opsize = true;
			break;
		case PREFIX_ADDRSIZE:
			p->addrsize = true;
			break;
		case PREFIX_REP:
			p->rep = true;
			break;
		case PREFIX_ES:
		case PREFIX_CS:
		case PREFIX_SS:
		case PREFIX_DS:
		case PREFIX_FS:
		case PREFIX_GS:
			break;
		case PREFIX_LOCK:
		case PREFIX_REPNE:
			return false;
		default:
			if (mode == CPU_MODE_LONG64 && b >= REX_FIRST && b <= REX_LAST) {
				p->rex = b;
				continue; /* REX counts only right before the opcode */
			}
			*opcode = b;
			return true;
		}
		p->rex = 0;
	}
}

static unsigned operand_size(enum cpu_mode mode, const struct prefixes *p)
{
	if (mode == CPU_MODE_LONG64 && (p->rex & REX_W))
		return 8;
	bool wide = mode == CPU_MODE_PROT32 || mode == CPU_MODE_LONG64;
	return wide != p->opsize ? 4 : 2;
}

static unsigned address_size(enum cpu_mode mode, const struct prefixes *p)
{
	if (mode == CPU_MODE_LONG64)
		return p->addrsize ? 4 : 8;
	bool wide = mode == CPU_MODE_PROT32;
	return wide != p->addrsize ? 4 : 2;
}

/* The ModRM.reg register operand; byte registers 4-7 are AH..BH unless a REX is present. */
static void set_reg_operand(struct mmio_insn *out, const struct prefixes *p, uint8_t modrm)
{
	unsigned reg = MODRM_REG(modrm) | ((p->rex & REX_R) ? 8 : 0);
	out->operand = MMIO_OPERAND_REG;
	out->high_byte = out->reg_size == 1 && !p->rex && reg >= BYTE_REG_HIGH_FIRST;
	out->reg = (uint8_t)(out->high_byte ? reg - BYTE_REG_HIGH_FIRST : reg);
}

/* MOV r/m, r (88, 89) and MOV r, r/m (8A, 8B). */
static bool decode_mov_modrm(struct cursor *c, const struct prefixes *p, uint8_t opcode,
			     unsigned opsize, struct mmio_insn *out)
{
	uint8_t modrm;
	if (!take_modrm_memory(c, out->addr_size, &modrm))
		return false;
	out->size = out->reg_size = (opcode & 1) ? (uint8_t)opsize : 1;
	out->write = !(opcode & 2);
	set_reg_operand(out, p, modrm);
	return true;
}

/* MOV r/m, imm (C6 /0 ib, C7 /0 iw/id); a 64-bit store takes a sign-extended imm32. */
static bool decode_mov_imm(struct cursor *c, uint8_t opcode, unsigned opsize, struct mmio_insn *out)
{
	uint8_t modrm;
	if (!take_modrm_memory(c, out->addr_size, &modrm) || MODRM_REG(modrm) != 0)
		return false;
	out->size = (opcode & 1) ? (uint8_t)opsize : 1;
	unsigned imm_size = out->size > 4 ? 4 : out->size;
	uint64_t imm;
	if (!take(c, imm_size, &imm))
		return false;
	out->write = true;
	out->operand = MMIO_OPERAND_IMM;
	out->imm = sign_extend(imm, imm_size) & width_mask(out->size);
	return true;
}

/* MOV AL/rAX, moffs (A0, A1) and MOV moffs, AL/rAX (A2, A3): the offset has address size. */
static bool decode_mov_moffs(struct cursor *c, uint8_t opcode, unsigned opsize,
			     struct mmio_insn *out)
{
	uint64_t ignored;
	if (!take(c, out->addr_size, &ignored))
		return false;
	out->size = out->reg_size = (opcode & 1) ? (uint8_t)opsize : 1;
	out->write = opcode & 2;
	out->operand = MMIO_OPERAND_REG;
	out->reg = GPR_RAX;
	return true;
}

/* MOVZX/MOVSX (0F B6/B7/BE/BF) and MOVSXD (63 with REX.W): a narrow read widened into a
 * register of operand size. */
static bool decode_mov_extend(struct cursor *c, const struct prefixes *p, unsigned size,
			      enum mmio_extend extend, unsigned opsize, struct mmio_insn *out)
{
	uint8_t modrm;
	if (!take_modrm_memory(c, out->addr_size, &modrm))
		return false;
	out->size = (uint8_t)size;
	out->reg_size = (uint8_t)opsize;
	out->extend = extend;
	set_reg_operand(out, p, modrm);
	return true;
}

static bool decode_two_byte(struct cursor *c, const struct prefixes *p, unsigned opsize,
			    struct mmio_insn *out)
{
	uint8_t opcode;
	if (!take_byte(c, &opcode))
		return false;
	switch (opcode) {
	case 0xb6: /* MOVZX r, r/m8 */
		return decode_mov_extend(c, p, 1, MMIO_EXTEND_ZERO, opsize, out);
	case 0xb7: /* MOVZX r, r/m16 */
		return decode_mov_extend(c, p, 2, MMIO_EXTEND_ZERO, opsize, out);
	case 0xbe: /* MOVSX r, r/m8 */
		return decode_mov_extend(c, p, 1, MMIO_EXTEND_SIGN, opsize, out);
	case 0xbf: /* MOVSX r, r/m16 */
		return decode_mov_extend(c, p, 2, MMIO_EXTEND_SIGN, opsize, out);
	default:
		return false;
	}
}

static bool decode_opcode(struct cursor *c, enum cpu_mode mode, const struct prefixes *p,
			  uint8_t opcode, struct mmio_insn *out)
{
	unsigned opsize = operand_size(mode, p);
	if (p->rep && opcode != 0xaa && opcode != 0xab)
		return false;
	switch (opcode) {
	case 0x88: /* MOV r/m8, r8 */
	case 0x89: /* MOV r/m, r */
	case 0x8a: /* MOV r8, r/m8 */
	case 0x8b: /* MOV r, r/m */
		return decode_mov_modrm(c, p, opcode, opsize, out);
	case 0xc6: /* MOV r/m8, imm8 */
	case 0xc7: /* MOV r/m, imm16/32 */
		return decode_mov_imm(c, opcode, opsize, out);
	case 0xa0: /* MOV AL, moffs8 */
	case 0xa1: /* MOV rAX, moffs */
	case 0xa2: /* MOV moffs8, AL */
	case 0xa3: /* MOV moffs, rAX */
		return decode_mov_moffs(c, opcode, opsize, out);
	case 0x63: /* MOVSXD r64, r/m32; without REX.W a plain move, ARPL outside 64-bit mode */
		if (mode != CPU_MODE_LONG64 || !(p->rex & REX_W))
			return false;
		return decode_mov_extend(c, p, 4, MMIO_EXTEND_SIGN, 8, out);
	case 0xaa: /* STOS m8 */
	case 0xab: /* STOS m16/32/64 */
		out->size = out->reg_size = (opcode & 1) ? (uint8_t)opsize : 1;
		out->write = true;
		out->operand = MMIO_OPERAND_REG;
		out->reg = GPR_RAX;
		out->string = true;
		out->rep = p->rep;
		return true;
	case OPCODE_ESCAPE:
		return decode_two_byte(c, p, opsize, out);
	default:
		return false;
	}
}

bool mmio_insn_decode(const uint8_t *bytes, size_t avail, enum cpu_mode mode, struct mmio_insn *out)
{
	struct cursor c = {bytes, avail < INSN_MAX_LENGTH ? avail : INSN_MAX_LENGTH, 0};
	struct prefixes p;
	uint8_t opcode;
	struct mmio_insn insn = {0};
	if (!take_prefixes(&c, mode, &p, &opcode))
		return false;
	insn.addr_size = (uint8_t)address_size(mode, &p);
	if (!decode_opcode(&c, mode, &p, opcode, &insn))
		return false;
	insn.length = (uint8_t)c.pos;
	*out = insn;
	return true;
}

enum cpu_mode cpu_mode_of(uint64_t cr0, uint64_t rflags, uint64_t efer, uint32_t cs_ar)
{
	if ((efer & EFER_LMA) && (cs_ar & SEG_AR_L))
		return CPU_MODE_LONG64;
	if (!(cr0 & CR0_PE) || (rflags & RFLAGS_VM))
		return CPU_MODE_REAL16;
	return (cs_ar & SEG_AR_DB) ? CPU_MODE_PROT32 : CPU_MODE_PROT16;
}

uint64_t mmio_insn_write_value(const struct mmio_insn *in, const struct guest_regs *regs)
{
	uint64_t v = in->operand == MMIO_OPERAND_IMM ? in->imm : regs->gpr[in->reg];
	if (in->operand == MMIO_OPERAND_REG && in->high_byte)
		v >>= 8;
	return v & width_mask(in->size);
}

/* A register write of `size` bytes: 32-bit writes clear bits 63:32, narrower ones merge. */
static void write_gpr(uint64_t *reg, unsigned size, uint64_t v)
{
	if (size >= 4)
		*reg = v & width_mask(size);
	else
		*reg = (*reg & ~width_mask(size)) | (v & width_mask(size));
}

void mmio_insn_complete(const struct mmio_insn *in, struct guest_regs *regs, uint64_t rflags,
			uint64_t read_value)
{
	if (!in->write) {
		uint64_t v = read_value & width_mask(in->size);
		if (in->extend == MMIO_EXTEND_SIGN)
			v = sign_extend(v, in->size);
		uint64_t *dst = &regs->gpr[in->reg];
		if (in->high_byte)
			*dst = (*dst & ~0xff00ull) | ((v & 0xff) << 8);
		else
			write_gpr(dst, in->reg_size, v);
	}
	if (in->string) {
		uint64_t step = (rflags & RFLAGS_DF) ? 0 - (uint64_t)in->size : in->size;
		write_gpr(&regs->gpr[GPR_RDI], in->addr_size, regs->gpr[GPR_RDI] + step);
		if (in->rep)
			write_gpr(&regs->gpr[GPR_RCX], in->addr_size, regs->gpr[GPR_RCX] - 1);
	}
}

bool mmio_insn_rep_pending(const struct mmio_insn *in, const struct guest_regs *regs)
{
	return in->rep && (regs->gpr[GPR_RCX] & width_mask(in->addr_size)) != 0;
}
