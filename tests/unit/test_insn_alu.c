/* The emulator's ALU against the CPU running the tests: every operation at every width on
 * edge values, with CF in and out of each, must give the host instruction's result and
 * flags (all six where the SDM defines them; AF after logic operations is undefined).
 * A few results are also spelled out, from the SDM's definitions. */
#include "kernel/x86.h"
#include "tests/unit/check.h"
#include "vmx/insn_alu.h"
#include "vmx/insn_decode.h"

/* Runs `insn` on a (in a register) and b with RFLAGS = fin; leaves the flags in fout. */
#define BINARY_ASM(insn, mod)                                                                      \
	__asm__ volatile("pushq %[fin]\n\tpopfq\n\t" insn " %" mod "[b], %" mod "[a]\n\t"          \
			 "pushfq\n\tpopq %[fout]"                                                  \
			 : [a] "+r"(a), [fout] "=&r"(fout)                                         \
			 : [b] "r"(b), [fin] "r"(fin)                                              \
			 : "cc")
#define UNARY_ASM(insn, mod)                                                                       \
	__asm__ volatile("pushq %[fin]\n\tpopfq\n\t" insn " %" mod "[a]\n\t"                       \
			 "pushfq\n\tpopq %[fout]"                                                  \
			 : [a] "+r"(a), [fout] "=&r"(fout)                                         \
			 : [fin] "r"(fin)                                                          \
			 : "cc")
#define EACH_SIZE(ASM, mnemonic)                                                                   \
	switch (size) {                                                                            \
	case 1:                                                                                    \
		ASM(mnemonic "b", "b");                                                            \
		break;                                                                             \
	case 2:                                                                                    \
		ASM(mnemonic "w", "w");                                                            \
		break;                                                                             \
	case 4:                                                                                    \
		ASM(mnemonic "l", "k");                                                            \
		break;                                                                             \
	default:                                                                                   \
		ASM(mnemonic "q", "q");                                                            \
		break;                                                                             \
	}

static uint64_t host_binary(unsigned op, uint64_t a, uint64_t b, unsigned size, uint64_t fin,
			    uint64_t *flags)
{
	uint64_t fout = 0;
	switch (op) {
	case INSN_ADD:
		EACH_SIZE(BINARY_ASM, "add");
		break;
	case INSN_OR:
		EACH_SIZE(BINARY_ASM, "or");
		break;
	case INSN_ADC:
		EACH_SIZE(BINARY_ASM, "adc");
		break;
	case INSN_SBB:
		EACH_SIZE(BINARY_ASM, "sbb");
		break;
	case INSN_AND:
		EACH_SIZE(BINARY_ASM, "and");
		break;
	case INSN_SUB:
		EACH_SIZE(BINARY_ASM, "sub");
		break;
	case INSN_XOR:
		EACH_SIZE(BINARY_ASM, "xor");
		break;
	case INSN_CMP:
		EACH_SIZE(BINARY_ASM, "cmp");
		break;
	default:
		EACH_SIZE(BINARY_ASM, "test");
		break;
	}
	*flags = fout;
	return a & alu_width_mask(size);
}

static uint64_t host_unary(unsigned op, uint64_t a, unsigned size, uint64_t fin, uint64_t *flags)
{
	uint64_t fout = 0;
	switch (op) {
	case INSN_NOT:
		EACH_SIZE(UNARY_ASM, "not");
		break;
	case INSN_NEG:
		EACH_SIZE(UNARY_ASM, "neg");
		break;
	case INSN_INC:
		EACH_SIZE(UNARY_ASM, "inc");
		break;
	default:
		EACH_SIZE(UNARY_ASM, "dec");
		break;
	}
	*flags = fout;
	return a & alu_width_mask(size);
}

static const uint64_t values[] = {
    0,
    1,
    2,
    0xf,
    0x10,
    0x7f,
    0x80,
    0x81,
    0xfe,
    0xff,
    0x100,
    0x7fff,
    0x8000,
    0xffff,
    0x10000,
    0x7fffffff,
    0x80000000,
    0x80000001,
    0xffffffff,
    0x100000000ull,
    0x7fffffffffffffffull,
    0x8000000000000000ull,
    0xfffffffffffffffeull,
    0xffffffffffffffffull,
    0x123456789abcdef0ull,
    0xa5a5a5a55a5a5a5aull,
};
#define NVALUES (sizeof values / sizeof values[0])

static const unsigned sizes[] = {1, 2, 4, 8};

/* RFLAGS before: everything clear, then every status flag set, so both "sets" and
 * "leaves alone" show. */
static const uint64_t flags_in[] = {RFLAGS_FIXED, RFLAGS_FIXED | RFLAGS_ARITH};

static unsigned mismatches;

static void report_mismatch(const char *what, unsigned op, unsigned size, uint64_t a, uint64_t b,
			    uint64_t fin, uint64_t got, uint64_t want)
{
	if (mismatches++ < 10)
		printf("    %s: op %u size %u a 0x%llx b 0x%llx flags-in 0x%llx: got 0x%llx, host "
		       "0x%llx\n",
		       what, op, size, (unsigned long long)a, (unsigned long long)b,
		       (unsigned long long)fin, (unsigned long long)got, (unsigned long long)want);
	CHECK(false);
}

TEST(binary_operations_match_the_host_cpu)
{
	static const unsigned ops[] = {INSN_ADD, INSN_OR,  INSN_ADC, INSN_SBB, INSN_AND,
				       INSN_SUB, INSN_XOR, INSN_CMP, INSN_TEST};
	mismatches = 0;
	for (unsigned o = 0; o < sizeof ops / sizeof ops[0]; o++) {
		unsigned op = ops[o];
		bool logic = op == INSN_OR || op == INSN_AND || op == INSN_XOR || op == INSN_TEST;
		uint64_t defined = logic ? RFLAGS_ARITH & ~RFLAGS_AF : RFLAGS_ARITH;
		for (unsigned s = 0; s < 4; s++)
			for (unsigned i = 0; i < NVALUES; i++)
				for (unsigned j = 0; j < NVALUES; j++)
					for (unsigned f = 0; f < 2; f++) {
						uint64_t a = values[i], b = values[j],
							 fin = flags_in[f];
						uint64_t host_flags, flags = fin;
						uint64_t want = host_binary(op, a, b, sizes[s], fin,
									    &host_flags);
						uint64_t got =
						    alu_binary(op, a, b, sizes[s], &flags);
						bool writes = op != INSN_CMP && op != INSN_TEST;
						if (writes && got != want)
							report_mismatch("result", op, sizes[s], a,
									b, fin, got, want);
						if ((flags ^ host_flags) & defined)
							report_mismatch("flags", op, sizes[s], a, b,
									fin, flags, host_flags);
					}
	}
}

TEST(unary_operations_match_the_host_cpu)
{
	static const unsigned ops[] = {INSN_NOT, INSN_NEG, INSN_INC, INSN_DEC};
	mismatches = 0;
	for (unsigned o = 0; o < 4; o++)
		for (unsigned s = 0; s < 4; s++)
			for (unsigned i = 0; i < NVALUES; i++)
				for (unsigned f = 0; f < 2; f++) {
					uint64_t a = values[i], fin = flags_in[f];
					uint64_t host_flags, flags = fin;
					uint64_t want =
					    host_unary(ops[o], a, sizes[s], fin, &host_flags);
					uint64_t got = alu_unary(ops[o], a, sizes[s], &flags);
					if (got != want)
						report_mismatch("result", ops[o], sizes[s], a, 0,
								fin, got, want);
					if ((flags ^ host_flags) & RFLAGS_ARITH)
						report_mismatch("flags", ops[o], sizes[s], a, 0,
								fin, flags, host_flags);
				}
}

/* Results worked out by hand from the SDM's flag definitions. */
TEST(known_results)
{
	uint64_t f = RFLAGS_FIXED;
	CHECK_EQ(alu_binary(INSN_ADD, 0x7f, 1, 1, &f), 0x80);
	CHECK_EQ(f, RFLAGS_FIXED | RFLAGS_OF | RFLAGS_SF | RFLAGS_AF);
	f = RFLAGS_FIXED;
	CHECK_EQ(alu_binary(INSN_ADD, 0xff, 1, 1, &f), 0);
	CHECK_EQ(f, RFLAGS_FIXED | RFLAGS_CF | RFLAGS_ZF | RFLAGS_AF | RFLAGS_PF);
	f = RFLAGS_FIXED;
	CHECK_EQ(alu_binary(INSN_SUB, 0, 1, 4, &f), 0xffffffff);
	CHECK_EQ(f, RFLAGS_FIXED | RFLAGS_CF | RFLAGS_SF | RFLAGS_AF | RFLAGS_PF);
	f = RFLAGS_FIXED | RFLAGS_CF;
	CHECK_EQ(alu_binary(INSN_ADC, 0xffff, 0, 2, &f), 0);
	CHECK_EQ(f, RFLAGS_FIXED | RFLAGS_CF | RFLAGS_ZF | RFLAGS_AF | RFLAGS_PF);
	f = RFLAGS_FIXED | RFLAGS_CF;
	CHECK_EQ(alu_binary(INSN_SBB, 0x8000000000000000ull, 0, 8, &f), 0x7fffffffffffffffull);
	CHECK_EQ(f, RFLAGS_FIXED | RFLAGS_OF | RFLAGS_AF | RFLAGS_PF);
	f = RFLAGS_FIXED | RFLAGS_CF | RFLAGS_OF;
	CHECK_EQ(alu_binary(INSN_OR, 0x80, 0x01, 1, &f), 0x81);
	CHECK_EQ(f, RFLAGS_FIXED | RFLAGS_SF | RFLAGS_PF); /* CF, OF cleared */
	f = RFLAGS_FIXED | RFLAGS_CF;
	CHECK_EQ(alu_unary(INSN_INC, 0xffffffff, 4, &f), 0);
	CHECK_EQ(f, RFLAGS_FIXED | RFLAGS_CF | RFLAGS_ZF | RFLAGS_AF | RFLAGS_PF); /* CF kept */
	f = RFLAGS_FIXED;
	CHECK_EQ(alu_unary(INSN_NEG, 0x80, 1, &f), 0x80);
	CHECK_EQ(f, RFLAGS_FIXED | RFLAGS_CF | RFLAGS_OF | RFLAGS_SF);
	f = RFLAGS_FIXED | RFLAGS_ARITH;
	CHECK_EQ(alu_unary(INSN_NOT, 0x0f0f, 2, &f), 0xf0f0);
	CHECK_EQ(f, RFLAGS_FIXED | RFLAGS_ARITH); /* NOT touches no flag */
}

CHECK_MAIN("insn_alu", CASE(binary_operations_match_the_host_cpu),
	   CASE(unary_operations_match_the_host_cpu), CASE(known_results))
