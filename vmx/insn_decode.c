/* MMIO instruction decoder (SDM Vol. 2, chapter 2 "Instruction Format" and the pages of each
 * accepted instruction). */
#include "vmx/insn_decode.h"
#include "kernel/x86.h"
#include "vmx/guest_regs.h"
#include "vmx/vmcs.h"

#define INSN_MAX_LENGTH 15 /* longer instructions raise #GP(0) */

#define PREFIX_LOCK	0xf0
#define PREFIX_REPNE	0xf2 /* on MOVS/STOS/LODS the same as REP */
#define PREFIX_REP	0xf3
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
#define REX_X	  0x02 /* high bit of SIB.index */
#define REX_B	  0x01 /* high bit of ModRM.rm or SIB.base */

#define OPCODE_ESCAPE 0x0f /* two-byte opcode map */

#define MODRM_MOD(m)	((unsigned)(m) >> 6)	   /* 3 = register operand */
#define MODRM_REG(m)	(((unsigned)(m) >> 3) & 7) /* register operand or opcode extension */
#define MODRM_RM(m)	((unsigned)(m)&7)
#define MODRM_RM_SIB	4 /* 32/64-bit addressing: a SIB byte follows */
#define MODRM_RM_DISP32 5 /* with mod 0: disp32 (RIP-relative in 64-bit mode) */
#define MODRM_RM_DISP16 6 /* 16-bit addressing with mod 0: disp16 only */
#define SIB_SCALE(s)	((unsigned)(s) >> 6)
#define SIB_INDEX(s)	(((unsigned)(s) >> 3) & 7)
#define SIB_BASE(s)	((unsigned)(s)&7)
#define SIB_INDEX_NONE	4 /* without REX.X: no index */
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

struct prefixes {
	bool opsize, addrsize, rep, repne, lock;
	int seg;     /* enum seg_reg of an override, -1 when none */
	uint8_t rex; /* 0 when absent */
};

struct decoder {
	struct cursor c;
	enum cpu_mode mode;
	struct prefixes p;
	unsigned opsize; /* operand size of non-byte forms */
	uint8_t modrm;
	struct insn *out;
};

static bool take_prefixes(struct decoder *d, uint8_t *opcode)
{
	struct prefixes *p = &d->p;
	*p = (struct prefixes){.seg = -1};
	for (;;) {
		uint8_t b;
		if (!take_byte(&d->c, &b))
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
		case PREFIX_REPNE:
			p->repne = true;
			break;
		case PREFIX_LOCK:
			p->lock = true;
			break;
		case PREFIX_ES:
		case PREFIX_CS:
		case PREFIX_SS:
		case PREFIX_DS:
			p->seg = (b >> 3) & 3; /* 26, 2E, 36, 3E: ES, CS, SS, DS */
			break;
		case PREFIX_FS:
		case PREFIX_GS:
			p->seg = b == PREFIX_FS ? SEG_FS : SEG_GS;
			break;
		default:
			if (d->mode == CPU_MODE_LONG64 && b >= REX_FIRST && b <= REX_LAST) {
				p->rex = b;
				continue;
			}
			*opcode = b;
			return true;
		}
		p->rex = 0; /* REX counts only right before the opcode */
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

/* 16-bit addressing: ModRM.rm selects one of eight base/index pairs. */
static void modrm_address16(struct insn_mem *m, unsigned mod, unsigned rm, size_t *disp)
{
	static const uint8_t base16[8] = {GPR_RBX, GPR_RBX, GPR_RBP, GPR_RBP,
					  GPR_RSI, GPR_RDI, GPR_RBP, GPR_RBX};
	static const uint8_t index16[8] = {GPR_RSI,	GPR_RDI,     GPR_RSI,	  GPR_RDI,
					   INSN_NO_REG, INSN_NO_REG, INSN_NO_REG, INSN_NO_REG};
	if (mod == 0 && rm == MODRM_RM_DISP16) {
		*disp = 2;
		return;
	}
	m->base = base16[rm];
	m->index = index16[rm];
	*disp = mod == 1 ? 1 : mod == 2 ? 2 : 0;
}

/* 32/64-bit addressing: ModRM.rm, an optional SIB byte, REX.B/X extending the registers. */
static bool modrm_address32(struct decoder *d, unsigned mod, unsigned rm, size_t *disp)
{
	struct insn_mem *m = &d->out->mem;
	unsigned rex_b = (d->p.rex & REX_B) ? 8 : 0;
	if (rm == MODRM_RM_SIB) {
		uint8_t sib;
		if (!take_byte(&d->c, &sib))
			return false;
		unsigned index = SIB_INDEX(sib) | ((d->p.rex & REX_X) ? 8 : 0);
		if (index != SIB_INDEX_NONE)
			m->index = (uint8_t)index;
		m->scale = (uint8_t)(1u << SIB_SCALE(sib));
		if (mod == 0 && SIB_BASE(sib) == SIB_BASE_NONE)
			*disp = 4;
		else
			m->base = (uint8_t)(SIB_BASE(sib) | rex_b);
	} else if (mod == 0 && rm == MODRM_RM_DISP32) {
		m->base = d->mode == CPU_MODE_LONG64 ? INSN_RIP : INSN_NO_REG;
		*disp = 4;
	} else {
		m->base = (uint8_t)(rm | rex_b);
	}
	if (mod == 1)
		*disp = 1;
	else if (mod == 2)
		*disp = 4;
	return true;
}

/* Consumes ModRM and whatever SIB/displacement it implies into out->mem. A register operand
 * (mod 3) is no memory access: false. */
static bool take_modrm_memory(struct decoder *d)
{
	if (!take_byte(&d->c, &d->modrm))
		return false;
	unsigned mod = MODRM_MOD(d->modrm), rm = MODRM_RM(d->modrm);
	if (mod == 3)
		return false;
	struct insn_mem *m = &d->out->mem;
	m->base = m->index = INSN_NO_REG;
	m->scale = 1;
	size_t disp = 0;
	if (d->out->addr_size == 2)
		modrm_address16(m, mod, rm, &disp);
	else if (!modrm_address32(d, mod, rm, &disp))
		return false;
	uint64_t v;
	if (!take(&d->c, disp, &v))
		return false;
	m->disp = disp ? (int64_t)sign_extend(v, (unsigned)disp) : 0;
	bool stack = m->base == GPR_RSP || m->base == GPR_RBP;
	m->seg = (uint8_t)(d->p.seg >= 0 ? d->p.seg : stack ? SEG_SS : SEG_DS);
	return true;
}

static struct insn_operand mem_operand(unsigned size)
{
	return (struct insn_operand){.kind = OPERAND_MEM, .size = (uint8_t)size};
}

/* A register operand; byte registers 4-7 are AH..BH unless a REX is present. */
static struct insn_operand reg_operand(const struct decoder *d, unsigned reg, unsigned size)
{
	struct insn_operand o = {.kind = OPERAND_REG, .size = (uint8_t)size};
	o.high_byte = size == 1 && !d->p.rex && reg >= BYTE_REG_HIGH_FIRST;
	o.reg = (uint8_t)(o.high_byte ? reg - BYTE_REG_HIGH_FIRST : reg);
	return o;
}

/* The ModRM.reg register operand. */
static struct insn_operand modrm_reg_operand(const struct decoder *d, unsigned size)
{
	return reg_operand(d, MODRM_REG(d->modrm) | ((d->p.rex & REX_R) ? 8 : 0), size);
}

/* An immediate of `encoded` bytes, sign-extended to the operand `size`. */
static bool take_imm(struct decoder *d, unsigned encoded, unsigned size, struct insn_operand *o)
{
	uint64_t v;
	if (!take(&d->c, encoded, &v))
		return false;
	*o = (struct insn_operand){.kind = OPERAND_IMM, .size = (uint8_t)size};
	o->imm = sign_extend(v, encoded) & width_mask(size);
	return true;
}

/* op r/m, r (direction bit clear) or op r, r/m (set): ALU 00-3B, MOV 88-8B. */
static bool decode_modrm_reg(struct decoder *d, enum insn_op op, uint8_t opcode)
{
	unsigned size = (opcode & 1) ? d->opsize : 1;
	if (!take_modrm_memory(d))
		return false;
	struct insn *in = d->out;
	in->op = (uint8_t)op;
	if (opcode & 2) {
		in->dst = modrm_reg_operand(d, size);
		in->src = mem_operand(size);
	} else {
		in->dst = mem_operand(size);
		in->src = modrm_reg_operand(d, size);
	}
	return true;
}

/* op r/m, r with a fixed destination order: TEST 84/85, XCHG 86/87, CMPXCHG, XADD, BT*. */
static bool decode_mem_reg(struct decoder *d, enum insn_op op, unsigned size)
{
	if (!take_modrm_memory(d))
		return false;
	d->out->op = (uint8_t)op;
	d->out->dst = mem_operand(size);
	d->out->src = modrm_reg_operand(d, size);
	return true;
}

/* op r/m, imm: group 1 (80-83), MOV C6/C7 /0, TEST F6/F7 /0, BT* 0F BA. */
static bool decode_mem_imm(struct decoder *d, enum insn_op op, unsigned size, unsigned imm_size)
{
	d->out->op = (uint8_t)op;
	d->out->dst = mem_operand(size);
	return take_imm(d, imm_size, size, &d->out->src);
}

/* Single-operand forms: NOT, NEG, INC, DEC, PUSH, POP (the operand in dst, or src for PUSH). */
static void set_single(struct decoder *d, enum insn_op op, unsigned size)
{
	d->out->op = (uint8_t)op;
	if (op == INSN_PUSH)
		d->out->src = mem_operand(size);
	else
		d->out->dst = mem_operand(size);
}

static unsigned imm_size_of(unsigned size)
{
	return size > 4 ? 4 : size; /* 64-bit forms take a sign-extended imm32 */
}

/* PUSH/POP: 64-bit mode has no 32-bit form (REX.W or not, 8 bytes unless 66). */
static unsigned stack_operand_size(const struct decoder *d)
{
	if (d->mode == CPU_MODE_LONG64)
		return d->p.opsize ? 2 : 8;
	return d->opsize;
}

static bool decode_group(struct decoder *d, uint8_t opcode)
{
	unsigned size = (opcode & 1) ? d->opsize : 1;
	if (!take_modrm_memory(d))
		return false;
	unsigned ext = MODRM_REG(d->modrm);
	switch (opcode) {
	case 0x80: /* ALU r/m8, imm8 */
	case 0x82: /* the same outside 64-bit mode */
	case 0x81: /* ALU r/m, imm16/32 */
		return decode_mem_imm(d, (enum insn_op)ext, size, imm_size_of(size));
	case 0x83: /* ALU r/m, imm8 sign-extended */
		return decode_mem_imm(d, (enum insn_op)ext, d->opsize, 1);
	case 0xc6: /* MOV r/m8, imm8 */
	case 0xc7: /* MOV r/m, imm16/32 */
		return ext == 0 && decode_mem_imm(d, INSN_MOV, size, imm_size_of(size));
	case 0xf6: /* group 3 */
	case 0xf7:
		if (ext == 0)
			return decode_mem_imm(d, INSN_TEST, size, imm_size_of(size));
		if (ext != 2 && ext != 3) /* MUL, IMUL, DIV, IDIV: not for devices */
			return false;
		set_single(d, ext == 2 ? INSN_NOT : INSN_NEG, size);
		return true;
	case 0xfe: /* INC/DEC r/m8 */
	case 0xff: /* INC/DEC r/m; PUSH r/m */
		if (ext == 0 || ext == 1) {
			set_single(d, ext == 0 ? INSN_INC : INSN_DEC, size);
			return true;
		}
		if (opcode != 0xff || ext != 6) /* indirect CALL/JMP from device memory */
			return false;
		set_single(d, INSN_PUSH, stack_operand_size(d));
		return true;
	case 0x8f: /* POP r/m */
		if (ext != 0)
			return false;
		set_single(d, INSN_POP, stack_operand_size(d));
		return true;
	default:
		return false;
	}
}

/* MOV AL/rAX, moffs (A0, A1) and MOV moffs, AL/rAX (A2, A3): the offset has address size. */
static bool decode_mov_moffs(struct decoder *d, uint8_t opcode)
{
	struct insn *in = d->out;
	unsigned size = (opcode & 1) ? d->opsize : 1;
	uint64_t offset;
	if (!take(&d->c, in->addr_size, &offset))
		return false;
	in->op = INSN_MOV;
	in->mem = (struct insn_mem){.base = INSN_NO_REG, .index = INSN_NO_REG, .scale = 1};
	in->mem.disp = (int64_t)offset;
	in->mem.seg = (uint8_t)(d->p.seg >= 0 ? d->p.seg : SEG_DS);
	struct insn_operand acc = reg_operand(d, GPR_RAX, size);
	in->dst = (opcode & 2) ? mem_operand(size) : acc;
	in->src = (opcode & 2) ? acc : mem_operand(size);
	return true;
}

/* MOVS, STOS, LODS: rSI is read through DS or an override, rDI written through ES. */
static bool decode_string(struct decoder *d, enum insn_op op, uint8_t opcode)
{
	struct insn *in = d->out;
	unsigned size = (opcode & 1) ? d->opsize : 1;
	in->op = (uint8_t)op;
	in->rep = d->p.rep || d->p.repne;
	in->mem = (struct insn_mem){.base = INSN_NO_REG, .index = INSN_NO_REG, .scale = 1};
	in->mem.seg = (uint8_t)(d->p.seg >= 0 ? d->p.seg : SEG_DS);
	struct insn_operand acc = reg_operand(d, GPR_RAX, size);
	in->dst = op == INSN_LODS ? acc : mem_operand(size);
	in->src = op == INSN_STOS ? acc : mem_operand(size);
	return true;
}

/* MOVZX/MOVSX (0F B6/B7/BE/BF) and MOVSXD (63 with REX.W): a narrow read widened into a
 * register of operand size. */
static bool decode_mov_extend(struct decoder *d, unsigned size, enum insn_extend extend,
			      unsigned reg_size)
{
	if (!take_modrm_memory(d))
		return false;
	d->out->op = INSN_MOV;
	d->out->extend = (uint8_t)extend;
	d->out->dst = modrm_reg_operand(d, reg_size);
	d->out->src = mem_operand(size);
	return true;
}

static bool decode_two_byte(struct decoder *d)
{
	uint8_t opcode;
	if (!take_byte(&d->c, &opcode))
		return false;
	unsigned size = (opcode & 1) ? d->opsize : 1;
	switch (opcode) {
	case 0xa3: /* BT r/m, r */
	case 0xab: /* BTS */
	case 0xb3: /* BTR */
	case 0xbb: /* BTC */
		return decode_mem_reg(d, (enum insn_op)(INSN_BT + ((opcode >> 3) & 3)), d->opsize);
	case 0xba: /* BT/BTS/BTR/BTC r/m, imm8 */
		if (!take_modrm_memory(d) || MODRM_REG(d->modrm) < 4)
			return false;
		return decode_mem_imm(d, (enum insn_op)(INSN_BT + MODRM_REG(d->modrm) - 4),
				      d->opsize, 1);
	case 0xb0: /* CMPXCHG r/m8, r8 */
	case 0xb1: /* CMPXCHG r/m, r */
		return decode_mem_reg(d, INSN_CMPXCHG, size);
	case 0xc0: /* XADD r/m8, r8 */
	case 0xc1: /* XADD r/m, r */
		return decode_mem_reg(d, INSN_XADD, size);
	case 0xb6: /* MOVZX r, r/m8 */
	case 0xb7: /* MOVZX r, r/m16 */
		return decode_mov_extend(d, opcode == 0xb6 ? 1 : 2, EXTEND_ZERO, d->opsize);
	case 0xbe: /* MOVSX r, r/m8 */
	case 0xbf: /* MOVSX r, r/m16 */
		return decode_mov_extend(d, opcode == 0xbe ? 1 : 2, EXTEND_SIGN, d->opsize);
	default:
		return false;
	}
}

static bool decode_opcode(struct decoder *d, uint8_t opcode)
{
	if (opcode < 0x40 && (opcode & 7) < 4) /* ADD..CMP in their four ModRM forms */
		return decode_modrm_reg(d, (enum insn_op)(opcode >> 3), opcode);
	switch (opcode) {
	case 0x88: /* MOV r/m8, r8 */
	case 0x89: /* MOV r/m, r */
	case 0x8a: /* MOV r8, r/m8 */
	case 0x8b: /* MOV r, r/m */
		return decode_modrm_reg(d, INSN_MOV, opcode);
	case 0x84: /* TEST r/m8, r8 */
	case 0x85: /* TEST r/m, r */
		return decode_mem_reg(d, INSN_TEST, (opcode & 1) ? d->opsize : 1);
	case 0x86: /* XCHG r/m8, r8 */
	case 0x87: /* XCHG r/m, r */
		return decode_mem_reg(d, INSN_XCHG, (opcode & 1) ? d->opsize : 1);
	case 0x82: /* invalid in 64-bit mode */
		return d->mode != CPU_MODE_LONG64 && decode_group(d, opcode);
	case 0x80:
	case 0x81:
	case 0x83:
	case 0x8f:
	case 0xc6:
	case 0xc7:
	case 0xf6:
	case 0xf7:
	case 0xfe:
	case 0xff:
		return decode_group(d, opcode);
	case 0xa0: /* MOV AL, moffs8 */
	case 0xa1: /* MOV rAX, moffs */
	case 0xa2: /* MOV moffs8, AL */
	case 0xa3: /* MOV moffs, rAX */
		return decode_mov_moffs(d, opcode);
	case 0x63: /* MOVSXD r64, r/m32; without REX.W a plain move, ARPL outside 64-bit mode */
		if (d->mode != CPU_MODE_LONG64 || !(d->p.rex & REX_W))
			return false;
		return decode_mov_extend(d, 4, EXTEND_SIGN, 8);
	case 0xa4: /* MOVS m8, m8 */
	case 0xa5: /* MOVS m, m */
		return decode_string(d, INSN_MOVS, opcode);
	case 0xaa: /* STOS m8 */
	case 0xab: /* STOS m */
		return decode_string(d, INSN_STOS, opcode);
	case 0xac: /* LODS m8 */
	case 0xad: /* LODS m */
		return decode_string(d, INSN_LODS, opcode);
	case OPCODE_ESCAPE:
		return decode_two_byte(d);
	default:
		return false;
	}
}

/* SDM Vol. 2 "LOCK": only these instructions, and only with a memory destination; any
 * other LOCK raises #UD before the access could exit. */
static bool lock_valid(const struct insn *in)
{
	switch (in->op) {
	case INSN_ADD:
	case INSN_OR:
	case INSN_ADC:
	case INSN_SBB:
	case INSN_AND:
	case INSN_SUB:
	case INSN_XOR:
	case INSN_NOT:
	case INSN_NEG:
	case INSN_INC:
	case INSN_DEC:
	case INSN_XCHG:
	case INSN_CMPXCHG:
	case INSN_XADD:
	case INSN_BTS:
	case INSN_BTR:
	case INSN_BTC:
		return in->dst.kind == OPERAND_MEM;
	default:
		return false;
	}
}

static bool is_string(const struct insn *in)
{
	return in->op == INSN_MOVS || in->op == INSN_STOS || in->op == INSN_LODS;
}

bool insn_decode(const uint8_t *bytes, size_t avail, enum cpu_mode mode, struct insn *out)
{
	*out = (struct insn){0};
	struct decoder d = {
	    .c = {bytes, avail < INSN_MAX_LENGTH ? avail : INSN_MAX_LENGTH, 0},
	    .mode = mode,
	    .out = out,
	};
	uint8_t opcode;
	if (!take_prefixes(&d, &opcode))
		return false;
	d.opsize = operand_size(mode, &d.p);
	out->addr_size = (uint8_t)address_size(mode, &d.p);
	if (!decode_opcode(&d, opcode))
		return false;
	/* REP/REPNE elsewhere are ignored or select other instructions (POPCNT, HLE hints) */
	if ((d.p.rep || d.p.repne) && !is_string(out))
		return false;
	out->lock = d.p.lock;
	if (out->lock && !lock_valid(out))
		return false;
	out->length = (uint8_t)d.c.pos;
	return true;
}

/* Real mode takes its default sizes from the cached CS descriptor like protected mode does:
 * code that clears CR0.PE keeps running 32-bit until a far jump reloads CS (which is why the
 * SDM's mode-switch recipe has one). Virtual-8086 segments are always 16-bit. */
enum cpu_mode cpu_mode_of(uint64_t cr0, uint64_t rflags, uint64_t efer, uint32_t cs_ar)
{
	if ((efer & EFER_LMA) && (cs_ar & SEG_AR_L))
		return CPU_MODE_LONG64;
	if (rflags & RFLAGS_VM)
		return CPU_MODE_REAL16;
	if (!(cr0 & CR0_PE))
		return (cs_ar & SEG_AR_DB) ? CPU_MODE_PROT32 : CPU_MODE_REAL16;
	return (cs_ar & SEG_AR_DB) ? CPU_MODE_PROT32 : CPU_MODE_PROT16;
}
