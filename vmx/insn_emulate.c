/* Instruction emulator: one function per instruction family, all memory through guest_vmem. */
#include "vmx/insn_emulate.h"
#include "kernel/x86.h"
#include "vmx/insn_alu.h"

static uint64_t mask(unsigned size)
{
	return alu_width_mask(size);
}

static enum emu_result from_mem(enum mem_result r)
{
	return r == MEM_OK ? EMU_DONE : r == MEM_FAULT ? EMU_FAULT : EMU_UNHANDLED;
}

/* A register write of `size` bytes: 32-bit writes clear bits 63:32, narrower ones merge. */
static void write_gpr(uint64_t *reg, unsigned size, uint64_t v)
{
	if (size >= 4)
		*reg = v & mask(size);
	else
		*reg = (*reg & ~mask(size)) | (v & mask(size));
}

static uint64_t reg_value(const struct emu_cpu *cpu, const struct insn_operand *o)
{
	uint64_t v = cpu->regs->gpr[o->reg];
	return (o->high_byte ? v >> 8 : v) & mask(o->size);
}

static void set_reg(struct emu_cpu *cpu, const struct insn_operand *o, uint64_t v)
{
	uint64_t *r = &cpu->regs->gpr[o->reg];
	if (o->high_byte)
		*r = (*r & ~0xff00ull) | ((v & 0xff) << 8);
	else
		write_gpr(r, o->size, v);
}

/* The value of a register or immediate source. */
static uint64_t operand_value(const struct emu_cpu *cpu, const struct insn_operand *o)
{
	return o->kind == OPERAND_IMM ? o->imm : reg_value(cpu, o);
}

/* seg:offset as a linear address: 64-bit mode uses only the FS and GS bases; elsewhere
 * linear addresses are 32-bit. */
static uint64_t linear(const struct emu_cpu *cpu, unsigned seg, uint64_t offset)
{
	if (cpu->mode == CPU_MODE_LONG64)
		return seg == SEG_FS || seg == SEG_GS ? cpu->seg_base(cpu->ctx, seg) + offset
						      : offset;
	return (uint32_t)(cpu->seg_base(cpu->ctx, seg) + offset);
}

/* Effective address of the ModRM/moffs operand plus `adjust` (BT's bit-offset bytes). */
static uint64_t mem_address(const struct insn *in, const struct emu_cpu *cpu, int64_t adjust)
{
	const struct insn_mem *mem = &in->mem;
	uint64_t ea = (uint64_t)mem->disp + (uint64_t)adjust;
	if (mem->base == INSN_RIP)
		ea += cpu->rip + in->length;
	else if (mem->base != INSN_NO_REG)
		ea += cpu->regs->gpr[mem->base];
	if (mem->index != INSN_NO_REG)
		ea += cpu->regs->gpr[mem->index] * mem->scale;
	return linear(cpu, mem->seg, ea & mask(in->addr_size));
}

static enum emu_result read_mem(struct guest_vmem *m, uint64_t gla, unsigned size, unsigned flags,
				uint64_t *v)
{
	return from_mem(guest_vmem_read(m, gla, size, flags, v));
}

static enum emu_result write_mem(struct guest_vmem *m, uint64_t gla, unsigned size, unsigned flags,
				 uint64_t v)
{
	return from_mem(guest_vmem_write(m, gla, size, flags, v));
}

static enum emu_result emulate_mov(const struct insn *in, struct emu_cpu *cpu, struct guest_vmem *m)
{
	if (in->dst.kind == OPERAND_MEM)
		return write_mem(m, mem_address(in, cpu, 0), in->dst.size, 0,
				 operand_value(cpu, &in->src));
	uint64_t v;
	enum emu_result r = read_mem(m, mem_address(in, cpu, 0), in->src.size, 0, &v);
	if (r != EMU_DONE)
		return r;
	if (in->extend == EXTEND_SIGN)
		v = alu_sign_extend(v, in->src.size);
	set_reg(cpu, &in->dst, v);
	return EMU_DONE;
}

/* ADD..CMP and TEST in either direction; CMP and TEST write nothing back. */
static enum emu_result emulate_alu(const struct insn *in, struct emu_cpu *cpu, struct guest_vmem *m)
{
	bool writes = in->op != INSN_CMP && in->op != INSN_TEST;
	uint64_t gla = mem_address(in, cpu, 0), a, b, result;
	enum emu_result r;
	if (in->dst.kind == OPERAND_MEM) {
		r = read_mem(m, gla, in->dst.size, writes ? ACCESS_WRITE : 0, &a);
		b = operand_value(cpu, &in->src);
	} else {
		a = reg_value(cpu, &in->dst);
		r = read_mem(m, gla, in->src.size, 0, &b);
	}
	if (r != EMU_DONE)
		return r;
	uint64_t rflags = cpu->rflags;
	result = alu_binary(in->op, a, b, in->dst.size, &rflags);
	if (writes && in->dst.kind == OPERAND_MEM)
		r = write_mem(m, gla, in->dst.size, 0, result);
	else if (writes)
		set_reg(cpu, &in->dst, result);
	if (r == EMU_DONE)
		cpu->rflags = rflags;
	return r;
}

/* NOT, NEG, INC, DEC on memory. */
static enum emu_result emulate_unary(const struct insn *in, struct emu_cpu *cpu,
				     struct guest_vmem *m)
{
	uint64_t gla = mem_address(in, cpu, 0), a;
	enum emu_result r = read_mem(m, gla, in->dst.size, ACCESS_WRITE, &a);
	if (r != EMU_DONE)
		return r;
	uint64_t rflags = cpu->rflags;
	r = write_mem(m, gla, in->dst.size, 0, alu_unary(in->op, a, in->dst.size, &rflags));
	if (r == EMU_DONE)
		cpu->rflags = rflags;
	return r;
}

/* XCHG, CMPXCHG and XADD: the register operand receives the old memory value (CMPXCHG:
 * the accumulator, and only when the comparison fails). Like the CPU, CMPXCHG always
 * writes the destination, with its own value when the comparison fails. */
static enum emu_result emulate_exchange(const struct insn *in, struct emu_cpu *cpu,
					struct guest_vmem *m)
{
	unsigned size = in->dst.size;
	uint64_t gla = mem_address(in, cpu, 0), old, store = reg_value(cpu, &in->src);
	enum emu_result r = read_mem(m, gla, size, ACCESS_WRITE, &old);
	if (r != EMU_DONE)
		return r;
	uint64_t rflags = cpu->rflags;
	const struct insn_operand acc = {
	    .kind = OPERAND_REG, .size = (uint8_t)size, .reg = GPR_RAX};
	bool load_acc = false;
	if (in->op == INSN_CMPXCHG) {
		alu_binary(INSN_CMP, reg_value(cpu, &acc), old, size, &rflags);
		load_acc = !(rflags & RFLAGS_ZF);
		if (load_acc)
			store = old;
	} else if (in->op == INSN_XADD) {
		store = alu_binary(INSN_ADD, old, store, size, &rflags);
	}
	r = write_mem(m, gla, size, 0, store);
	if (r != EMU_DONE)
		return r;
	cpu->rflags = rflags;
	if (in->op != INSN_CMPXCHG)
		set_reg(cpu, &in->src, old);
	else if (load_acc)
		set_reg(cpu, &acc, old);
	return EMU_DONE;
}

/* BT/BTS/BTR/BTC: an immediate bit offset is taken modulo the operand width; a register
 * one is signed and may select a bit outside the operand (SDM "BT": the access moves by
 * whole operands). Only CF changes. */
static enum emu_result emulate_bit(const struct insn *in, struct emu_cpu *cpu, struct guest_vmem *m)
{
	unsigned size = in->dst.size, bits = 8 * size;
	int64_t adjust = 0;
	uint64_t offset;
	if (in->src.kind == OPERAND_IMM) {
		offset = in->src.imm & (bits - 1);
	} else {
		/* whole operands, rounded down: an arithmetic shift */
		int64_t signed_offset = (int64_t)alu_sign_extend(reg_value(cpu, &in->src), size);
		unsigned shift = size == 2 ? 4 : size == 4 ? 5 : 6;
		adjust = (signed_offset >> shift) * (int64_t)size;
		offset = (uint64_t)signed_offset & (bits - 1);
	}
	uint64_t gla = mem_address(in, cpu, adjust), v;
	bool writes = in->op != INSN_BT;
	enum emu_result r = read_mem(m, gla, size, writes ? ACCESS_WRITE : 0, &v);
	if (r != EMU_DONE)
		return r;
	uint64_t bit = 1ull << offset;
	bool was_set = v & bit;
	if (in->op == INSN_BTS)
		v |= bit;
	else if (in->op == INSN_BTR)
		v &= ~bit;
	else if (in->op == INSN_BTC)
		v ^= bit;
	if (writes && (r = write_mem(m, gla, size, 0, v)) != EMU_DONE)
		return r;
	cpu->rflags = was_set ? cpu->rflags | RFLAGS_CF : cpu->rflags & ~RFLAGS_CF;
	return EMU_DONE;
}

/* PUSH r/m: the operand's address uses rSP before the push; the stack slot is checked
 * first so a faulting push never reads the device. POP r/m: the address uses rSP after
 * the pop, and rSP only moves when the store succeeds. */
static enum emu_result emulate_stack(const struct insn *in, struct emu_cpu *cpu,
				     struct guest_vmem *m)
{
	unsigned size = in->op == INSN_PUSH ? in->src.size : in->dst.size;
	uint64_t *rsp = &cpu->regs->gpr[GPR_RSP], old_rsp = *rsp, new_rsp = old_rsp, v;
	uint64_t smask = mask(cpu->stack_size);
	enum emu_result r;
	if (in->op == INSN_PUSH) {
		write_gpr(&new_rsp, cpu->stack_size, old_rsp - size);
		uint64_t slot = linear(cpu, SEG_SS, new_rsp & smask);
		r = from_mem(guest_vmem_check(m, slot, size, ACCESS_WRITE | MEM_STACK));
		if (r == EMU_DONE)
			r = read_mem(m, mem_address(in, cpu, 0), size, 0, &v);
		if (r == EMU_DONE)
			r = write_mem(m, slot, size, MEM_STACK, v);
	} else {
		r = read_mem(m, linear(cpu, SEG_SS, old_rsp & smask), size, MEM_STACK, &v);
		if (r != EMU_DONE)
			return r;
		write_gpr(&new_rsp, cpu->stack_size, old_rsp + size);
		*rsp = new_rsp;
		r = write_mem(m, mem_address(in, cpu, 0), size, 0, v);
	}
	*rsp = r == EMU_DONE ? new_rsp : old_rsp;
	return r;
}

/* One MOVS/STOS/LODS element at the current rSI/rDI. */
static enum emu_result string_element(const struct insn *in, struct emu_cpu *cpu,
				      struct guest_vmem *m)
{
	const uint64_t *g = cpu->regs->gpr;
	uint64_t amask = mask(in->addr_size), v;
	unsigned size = in->dst.kind == OPERAND_MEM ? in->dst.size : in->src.size;
	uint64_t src = linear(cpu, in->mem.seg, g[GPR_RSI] & amask);
	uint64_t dst = linear(cpu, SEG_ES, g[GPR_RDI] & amask);
	enum emu_result r;
	switch (in->op) {
	case INSN_STOS:
		return write_mem(m, dst, size, 0, operand_value(cpu, &in->src));
	case INSN_LODS:
		r = read_mem(m, src, size, 0, &v);
		if (r == EMU_DONE)
			set_reg(cpu, &in->dst, v);
		return r;
	default: /* MOVS: a faulting destination must not cost a device read */
		r = from_mem(guest_vmem_check(m, dst, size, ACCESS_WRITE));
		if (r == EMU_DONE)
			r = read_mem(m, src, size, 0, &v);
		if (r == EMU_DONE)
			r = write_mem(m, dst, size, 0, v);
		return r;
	}
}

/* Element by element, each completed one reflected in rSI/rDI/rCX, so a fault resumes
 * where it stopped; a long REP runs in batches so the guest can take interrupts between. */
static enum emu_result emulate_string(const struct insn *in, struct emu_cpu *cpu,
				      struct guest_vmem *m)
{
	uint64_t *g = cpu->regs->gpr;
	unsigned asz = in->addr_size;
	unsigned size = in->dst.kind == OPERAND_MEM ? in->dst.size : in->src.size;
	uint64_t step = (cpu->rflags & RFLAGS_DF) ? 0 - (uint64_t)size : size;
	uint64_t count = in->rep ? g[GPR_RCX] & mask(asz) : 1;
	for (unsigned batch = 0; count && batch < EMU_STRING_BATCH; batch++, count--) {
		enum emu_result r = string_element(in, cpu, m);
		if (r != EMU_DONE)
			return r;
		if (in->op != INSN_STOS)
			write_gpr(&g[GPR_RSI], asz, g[GPR_RSI] + step);
		if (in->op != INSN_LODS)
			write_gpr(&g[GPR_RDI], asz, g[GPR_RDI] + step);
		if (in->rep)
			write_gpr(&g[GPR_RCX], asz, g[GPR_RCX] - 1);
	}
	return count ? EMU_REPEAT : EMU_DONE;
}

static uint64_t ip_mask(enum cpu_mode mode)
{
	return mode == CPU_MODE_LONG64 ? ~0ull : mode == CPU_MODE_PROT32 ? 0xffffffffull : 0xffff;
}

enum emu_result insn_emulate(const struct insn *in, struct emu_cpu *cpu, struct guest_vmem *m)
{
	enum emu_result r;
	switch (in->op) {
	case INSN_MOV:
		r = emulate_mov(in, cpu, m);
		break;
	case INSN_NOT:
	case INSN_NEG:
	case INSN_INC:
	case INSN_DEC:
		r = emulate_unary(in, cpu, m);
		break;
	case INSN_XCHG:
	case INSN_CMPXCHG:
	case INSN_XADD:
		r = emulate_exchange(in, cpu, m);
		break;
	case INSN_BT:
	case INSN_BTS:
	case INSN_BTR:
	case INSN_BTC:
		r = emulate_bit(in, cpu, m);
		break;
	case INSN_MOVS:
	case INSN_STOS:
	case INSN_LODS:
		r = emulate_string(in, cpu, m);
		break;
	case INSN_PUSH:
	case INSN_POP:
		r = emulate_stack(in, cpu, m);
		break;
	default: /* ADD..CMP, TEST */
		r = emulate_alu(in, cpu, m);
		break;
	}
	if (r == EMU_DONE) {
		cpu->rip = (cpu->rip + in->length) & ip_mask(cpu->mode);
		cpu->rflags &= ~RFLAGS_RF; /* cleared when an instruction completes */
	}
	return r;
}
