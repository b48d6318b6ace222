/* The MMIO instruction decoder and emulator on a small fake guest: 64 KiB of RAM at 0 and a
 * device page above it whose reads return fuzz bytes. Input: mode byte, count of fetchable
 * bytes (0-20), 20 instruction bytes, RFLAGS, the 16 GPRs, then the device's read values.
 * The instruction bytes sit in a heap block of exactly the fetchable size, so ASan sees a
 * read past them; every device access must be 1, 2, 4 or 8 bytes inside the device page. */
#include "kernel/x86.h"
#include "tests/fuzz/fuzz.h"
#include "vmx/insn_emulate.h"
#include "vmx/vmcs.h"

#define FETCH_MAX 15 /* the longest x86 instruction */
#define WINDOW	  20 /* more than that may be offered: the decoder must cap it */
#define RAM_SIZE  0x10000u
#define DEV	  0x20000ull
#define DEV_SIZE  0x1000u

static uint8_t ram[RAM_SIZE];
static struct fuzz_input *device_input;

static void *fake_ram(void *ctx, uint64_t gpa)
{
	(void)ctx;
	return gpa < RAM_SIZE ? ram + gpa : NULL;
}

static uint64_t fake_span(void *ctx, uint64_t gpa)
{
	(void)ctx;
	return gpa - DEV < DEV_SIZE ? DEV + DEV_SIZE - gpa : 0;
}

static void fake_mmio(void *ctx, struct mmio_access *a)
{
	(void)ctx;
	FUZZ_CHECK(a->size == 1 || a->size == 2 || a->size == 4 || a->size == 8);
	FUZZ_CHECK(a->gpa >= DEV && a->gpa - DEV + a->size <= DEV_SIZE);
	if (!a->write)
		a->value = fuzz_u64(device_input);
}

static uint64_t fake_seg_base(void *ctx, enum seg_reg seg)
{
	(void)ctx;
	return seg == SEG_FS ? DEV : 0;
}

static bool same_insn(const struct insn *a, const struct insn *b)
{
	return memcmp(a, b, sizeof *a) == 0;
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

static bool is_width(unsigned w)
{
	return w == 1 || w == 2 || w == 4 || w == 8;
}

static void check_operand(const struct insn_operand *o)
{
	FUZZ_CHECK(o->kind <= OPERAND_MEM);
	if (o->kind == OPERAND_NONE)
		return;
	FUZZ_CHECK(is_width(o->size));
	if (o->kind == OPERAND_REG)
		FUZZ_CHECK(o->reg < GPR_COUNT && (!o->high_byte || (o->reg < 4 && o->size == 1)));
}

static void check_decoded(const struct insn *in, enum cpu_mode mode, size_t avail)
{
	FUZZ_CHECK(in->length >= 1 && in->length <= avail && in->length <= FETCH_MAX);
	FUZZ_CHECK(in->op <= INSN_POP);
	bool long64 = mode == CPU_MODE_LONG64;
	FUZZ_CHECK(long64 ? in->addr_size != 2 : in->addr_size != 8);
	FUZZ_CHECK(in->addr_size == 2 || in->addr_size == 4 || in->addr_size == 8);
	FUZZ_CHECK(in->dst.kind == OPERAND_MEM || in->src.kind == OPERAND_MEM);
	check_operand(&in->dst);
	check_operand(&in->src);
	FUZZ_CHECK(in->mem.seg < SEG_COUNT);
	FUZZ_CHECK(in->mem.scale == 1 || in->mem.scale == 2 || in->mem.scale == 4 ||
		   in->mem.scale == 8);
	FUZZ_CHECK(in->mem.index == INSN_NO_REG || in->mem.index < GPR_COUNT);
	FUZZ_CHECK(in->mem.base == INSN_NO_REG || in->mem.base == INSN_RIP ||
		   in->mem.base < GPR_COUNT);
	if (!long64)
		FUZZ_CHECK(in->mem.base != INSN_RIP && in->dst.size <= 4 && in->src.size <= 4);
	FUZZ_CHECK(!in->rep || in->op == INSN_MOVS || in->op == INSN_STOS || in->op == INSN_LODS);
}

/* The decoder consumed exactly `length` bytes: the same bytes decode alike with nothing
 * after them, and one byte fewer does not decode. */
static void check_length_is_tight(const uint8_t *bytes, enum cpu_mode mode, const struct insn *in)
{
	uint8_t *exact = malloc(in->length);
	memcpy(exact, bytes, in->length);
	struct insn again;
	FUZZ_CHECK(insn_decode(exact, in->length, mode, &again) && same_insn(in, &again));
	FUZZ_CHECK(!insn_decode(exact, in->length - 1u, mode, &again));
	free(exact);
}

/* Emulation on the fake guest: whatever the registers point at, it ends in one of the four
 * results; completion moves RIP past the instruction, anything else leaves RIP alone, and a
 * fault in a non-string instruction leaves every register as it was. */
static void check_emulation(const struct insn *in, enum cpu_mode mode, struct fuzz_input *input)
{
	struct guest_regs regs, before;
	uint64_t rflags = (fuzz_u64(input) & ~RFLAGS_VM) | RFLAGS_FIXED;
	for (unsigned i = 0; i < GPR_COUNT; i++)
		regs.gpr[i] = fuzz_u64(input) & (i & 1 ? 0x2ffffull : ~0ull);
	before = regs;
	struct emu_cpu cpu = {
	    .regs = &regs,
	    .rip = 0x1000,
	    .rflags = rflags,
	    .mode = mode,
	    .stack_size = mode == CPU_MODE_LONG64 ? 8 : mode == CPU_MODE_PROT32 ? 4 : 2,
	    .seg_base = fake_seg_base,
	};
	struct guest_vmem m = {
	    .paging = {.cr0 = CR0_PE},
	    .addr64 = mode == CPU_MODE_LONG64,
	    .phys = {.ram = fake_ram, .mmio_span = fake_span, .mmio = fake_mmio},
	};
	device_input = input;
	enum emu_result r = insn_emulate(in, &cpu, &m);
	device_input = NULL;
	bool string = in->op == INSN_MOVS || in->op == INSN_STOS || in->op == INSN_LODS;
	switch (r) {
	case EMU_DONE:
		FUZZ_CHECK(cpu.rip == 0x1000 + in->length);
		break;
	case EMU_REPEAT:
		FUZZ_CHECK(in->rep && cpu.rip == 0x1000);
		break;
	case EMU_FAULT:
		FUZZ_CHECK(cpu.rip == 0x1000);
		FUZZ_CHECK(m.fault.vector == VEC_GP || m.fault.vector == VEC_SS ||
			   m.fault.vector == VEC_PF);
		if (!string)
			FUZZ_CHECK(memcmp(&regs, &before, sizeof regs) == 0);
		break;
	case EMU_UNHANDLED:
		FUZZ_CHECK(cpu.rip == 0x1000 && m.why != NULL);
		break;
	default:
		FUZZ_CHECK(false);
	}
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

	struct insn in;
	if (insn_decode(bytes, avail, mode, &in)) {
		check_decoded(&in, mode, avail);
		check_length_is_tight(bytes, mode, &in);
		check_emulation(&in, mode, &input);
	}
	free(bytes);
	return 0;
}
