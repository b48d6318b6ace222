/* The MMIO instruction decoder and the helpers that finish the access on a register file.
 * Input: mode byte, count of fetchable bytes (0-20), 20 instruction bytes, RFLAGS, the value
 * a read returns, then the 16 GPRs. The instruction bytes sit in a heap block of exactly
 * the fetchable size, so ASan sees a read past them. */
#include "kernel/x86.h"
#include "tests/fuzz/fuzz.h"
#include "vmx/insn_decode.h"
#include "vmx/vmcs.h"

#define FETCH_MAX 15 /* the longest x86 instruction */
#define WINDOW	  20 /* more than that may be offered: the decoder must cap it */

static bool same_insn(const struct mmio_insn *a, const struct mmio_insn *b)
{
	return a->length == b->length && a->size == b->size && a->write == b->write &&
	       a->operand == b->operand && a->reg == b->reg && a->high_byte == b->high_byte &&
	       a->reg_size == b->reg_size && a->extend == b->extend && a->imm == b->imm &&
	       a->string == b->string && a->rep == b->rep && a->addr_size == b->addr_size;
}

static bool is_width(unsigned w)
{
	return w == 1 || w == 2 || w == 4 || w == 8;
}

/* Mode from a random CR0/RFLAGS/EFER/CS, or chosen directly (both paths matter). */
static enum cpu_mode pick_mode(struct fuzz_input *in)
{
	uint8_t sel = fuzz_u8(in);
	if (!(sel & 4))
		return (enum cpu_mode)(sel & 3);
	uint64_t cr0 = sel & 8 ? CR0_PE : 0;
	uint64_t rflags = sel & 16 ? RFLAGS_VM : 0;
	uint64_t efer = sel & 32 ? EFER_LMA : 0;
	uint32_t ar = (sel & 64 ? SEG_AR_L : 0) | (sel & 128 ? SEG_AR_DB : 0);
	enum cpu_mode m = cpu_mode_of(cr0, rflags, efer, ar);
	FUZZ_CHECK(m <= CPU_MODE_LONG64);
	return m;
}

static void check_decoded(const struct mmio_insn *in, enum cpu_mode mode, size_t avail)
{
	FUZZ_CHECK(in->length >= 1 && in->length <= avail && in->length <= FETCH_MAX);
	FUZZ_CHECK(is_width(in->size));
	FUZZ_CHECK(in->addr_size == 2 || in->addr_size == 4 || in->addr_size == 8);
	FUZZ_CHECK(in->reg < GPR_COUNT);
	bool long64 = mode == CPU_MODE_LONG64;
	FUZZ_CHECK(long64 || (in->size <= 4 && in->reg_size <= 4 && in->reg < 8));
	/* reg_size is what a read writes back; an immediate store has none. */
	FUZZ_CHECK(long64 ? in->addr_size != 2 : in->addr_size != 8);
	if (in->high_byte)
		FUZZ_CHECK(in->reg < 4 && in->reg_size == 1 && in->operand == MMIO_OPERAND_REG);
	if (in->operand == MMIO_OPERAND_IMM)
		FUZZ_CHECK(in->write && in->imm <= fuzz_mask(in->size));
	if (!in->write)
		FUZZ_CHECK(is_width(in->reg_size) && in->reg_size >= in->size &&
			   in->operand == MMIO_OPERAND_REG);
	if (in->extend != MMIO_EXTEND_NONE)
		FUZZ_CHECK(!in->write && in->reg_size >= in->size);
	if (in->string)
		FUZZ_CHECK(in->write && in->operand == MMIO_OPERAND_REG && in->reg == GPR_RAX);
	FUZZ_CHECK(!in->rep || in->string);
}

/* The decoder consumed exactly `length` bytes: the same bytes decode alike with nothing
 * after them, and one byte fewer does not decode. */
static void check_length_is_tight(const uint8_t *bytes, enum cpu_mode mode,
				  const struct mmio_insn *in)
{
	uint8_t *exact = malloc(in->length);
	memcpy(exact, bytes, in->length);
	struct mmio_insn again;
	FUZZ_CHECK(mmio_insn_decode(exact, in->length, mode, &again) && same_insn(in, &again));
	FUZZ_CHECK(!mmio_insn_decode(exact, in->length - 1u, mode, &again));
	free(exact);
}

static uint64_t sign_extend(uint64_t v, unsigned size)
{
	uint64_t sign = 1ull << (8 * size - 1);
	return ((v & fuzz_mask(size)) ^ sign) - sign;
}

/* The destination register after a read, by the x86 rules, computed independently. */
static uint64_t expected_dest(const struct mmio_insn *in, uint64_t old, uint64_t read)
{
	uint64_t v = read & fuzz_mask(in->size);
	if (in->extend == MMIO_EXTEND_SIGN)
		v = sign_extend(v, in->size);
	if (in->high_byte)
		return (old & ~0xff00ull) | (v & 0xff) << 8;
	if (in->reg_size >= 4)
		return v & fuzz_mask(in->reg_size);
	return (old & ~fuzz_mask(in->reg_size)) | (v & fuzz_mask(in->reg_size));
}

static uint64_t at_width(uint64_t old, uint64_t v, unsigned size)
{
	return size >= 4 ? v & fuzz_mask(size) : (old & ~fuzz_mask(size)) | (v & fuzz_mask(size));
}

static void check_helpers(const struct mmio_insn *in, struct fuzz_input *input)
{
	uint64_t rflags = fuzz_u64(input), read = fuzz_u64(input);
	struct guest_regs regs, before;
	for (unsigned i = 0; i < GPR_COUNT; i++)
		regs.gpr[i] = fuzz_u64(input);
	before = regs;

	uint64_t wv = mmio_insn_write_value(in, &regs);
	FUZZ_CHECK(wv <= fuzz_mask(in->size));
	if (in->write && in->operand == MMIO_OPERAND_REG)
		FUZZ_CHECK(wv ==
			   ((regs.gpr[in->reg] >> (in->high_byte ? 8 : 0)) & fuzz_mask(in->size)));
	if (in->operand == MMIO_OPERAND_IMM)
		FUZZ_CHECK(wv == in->imm);

	mmio_insn_complete(in, &regs, rflags, read);
	struct guest_regs want = before;
	if (!in->write)
		want.gpr[in->reg] = expected_dest(in, before.gpr[in->reg], read);
	if (in->string) {
		uint64_t step = rflags & RFLAGS_DF ? 0 - (uint64_t)in->size : in->size;
		uint64_t rdi = before.gpr[GPR_RDI];
		want.gpr[GPR_RDI] = at_width(rdi, rdi + step, in->addr_size);
		if (in->rep) {
			uint64_t rcx = before.gpr[GPR_RCX];
			want.gpr[GPR_RCX] = at_width(rcx, rcx - 1, in->addr_size);
		}
	}
	FUZZ_CHECK(memcmp(&regs, &want, sizeof regs) == 0);
	bool pending = in->rep && (regs.gpr[GPR_RCX] & fuzz_mask(in->addr_size)) != 0;
	FUZZ_CHECK(mmio_insn_rep_pending(in, &regs) == pending);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input input = fuzz_input(data, size);
	enum cpu_mode mode = pick_mode(&input);
	size_t avail = fuzz_below(&input, WINDOW + 1);
	uint8_t window[WINDOW] = {0};
	for (unsigned i = 0; i < WINDOW; i++)
		window[i] = fuzz_u8(&input);
	uint8_t *bytes = malloc(avail ? avail : 1);
	memcpy(bytes, window, avail);

	struct mmio_insn in;
	if (mmio_insn_decode(bytes, avail, mode, &in)) {
		check_decoded(&in, mode, avail);
		check_length_is_tight(bytes, mode, &in);
		check_helpers(&in, &input);
	}
	free(bytes);
	return 0;
}
