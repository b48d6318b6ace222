/* The instruction emulator on a fake guest: RAM at guest-physical 0, a logging device page at
 * DEV, identity addressing (paging off) unless a test builds page tables. Instruction bytes
 * come from GNU as, as in test_insn_decode.c. */
#include "kernel/x86.h"
#include "tests/unit/check.h"
#include "vmx/insn_emulate.h"

#define RAM_SIZE (1u << 20)
#define DEV	 0xfeb00000ull
#define DEV_SIZE 0x1000

#define L64 CPU_MODE_LONG64
#define P32 CPU_MODE_PROT32
#define R16 CPU_MODE_REAL16

static uint8_t ram[RAM_SIZE];
static uint8_t dev[DEV_SIZE];

#define LOG_MAX 600
static struct mmio_access log_[LOG_MAX];
static unsigned nlog;

static void *fake_ram(void *ctx, uint64_t gpa)
{
	return gpa < RAM_SIZE ? ram + gpa : NULL;
}

static uint64_t fake_span(void *ctx, uint64_t gpa)
{
	return gpa - DEV < DEV_SIZE ? DEV + DEV_SIZE - gpa : 0;
}

static void fake_mmio(void *ctx, struct mmio_access *a)
{
	uint8_t *p = dev + (a->gpa - DEV);
	if (a->write) {
		for (unsigned i = 0; i < a->size; i++)
			p[i] = (uint8_t)(a->value >> (8 * i));
	} else {
		a->value = 0;
		for (unsigned i = 0; i < a->size; i++)
			a->value |= (uint64_t)p[i] << (8 * i);
	}
	if (nlog < LOG_MAX)
		log_[nlog++] = *a;
}

static uint64_t seg_bases[SEG_COUNT];

static uint64_t fake_seg_base(void *ctx, enum seg_reg seg)
{
	return seg_bases[seg];
}

struct fixture {
	struct guest_regs regs;
	struct emu_cpu cpu;
	struct guest_vmem mem;
	struct insn in;
};

static struct fixture fx;

static void setup(enum cpu_mode mode)
{
	memset(ram, 0, sizeof ram);
	memset(dev, 0, sizeof dev);
	memset(seg_bases, 0, sizeof seg_bases);
	nlog = 0;
	memset(&fx, 0, sizeof fx);
	fx.cpu = (struct emu_cpu){
	    .regs = &fx.regs,
	    .rip = 0x1000,
	    .rflags = RFLAGS_FIXED,
	    .mode = mode,
	    .stack_size = mode == L64	? 8
			  : mode == P32 ? 4
					: 2,
	    .seg_base = fake_seg_base,
	};
	fx.mem = (struct guest_vmem){
	    .paging = {.cr0 = CR0_PE},
	    .addr64 = mode == L64,
	    .phys = {.ram = fake_ram, .mmio_span = fake_span, .mmio = fake_mmio},
	};
}

static enum emu_result run_bytes(const uint8_t *bytes, size_t n)
{
	CHECK(insn_decode(bytes, n, fx.cpu.mode, &fx.in));
	return insn_emulate(&fx.in, &fx.cpu, &fx.mem);
}

#define RUN(...) run_bytes((const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__}))

static uint64_t get_le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static void put_le(uint8_t *p, unsigned n, uint64_t v)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void check_log(unsigned i, uint64_t gpa, unsigned size, bool write, uint64_t value)
{
	CHECK(i < nlog);
	if (i >= nlog)
		return;
	CHECK_EQ(log_[i].gpa, gpa);
	CHECK_EQ(log_[i].size, size);
	CHECK_EQ(log_[i].write, write);
	CHECK_EQ(log_[i].value, value);
}

TEST(mov_reads_follow_register_width_rules)
{
	setup(L64);
	put_le(dev, 8, 0x8877665544332211ull);
	fx.regs.gpr[GPR_RDI] = DEV;
	fx.regs.gpr[GPR_RAX] = ~0ull;
	CHECK_EQ(RUN(0x8b, 0x07), EMU_DONE); /* mov (%rdi),%eax: clears 63:32 */
	CHECK_EQ(fx.regs.gpr[GPR_RAX], 0x44332211);
	CHECK_EQ(fx.cpu.rip, 0x1002);
	CHECK_EQ(RUN(0x48, 0x8b, 0x07), EMU_DONE); /* mov (%rdi),%rax */
	CHECK_EQ(fx.regs.gpr[GPR_RAX], 0x8877665544332211ull);
	fx.regs.gpr[GPR_RAX] = 0x1122334455667788;
	CHECK_EQ(RUN(0x8a, 0x27), EMU_DONE); /* mov (%rdi),%ah */
	CHECK_EQ(fx.regs.gpr[GPR_RAX], 0x1122334455661188);
	fx.regs.gpr[GPR_RSP] = 0x1122334455667788;
	CHECK_EQ(RUN(0x40, 0x8a, 0x27), EMU_DONE); /* mov (%rdi),%spl */
	CHECK_EQ(fx.regs.gpr[GPR_RSP], 0x1122334455667711);
	fx.regs.gpr[GPR_R10] = ~0ull;
	CHECK_EQ(RUN(0x66, 0x44, 0x8b, 0x17), EMU_DONE); /* mov (%rdi),%r10w */
	CHECK_EQ(fx.regs.gpr[GPR_R10], 0xffffffffffff2211ull);
	CHECK_EQ(nlog, 5);
	check_log(0, DEV, 4, false, 0x44332211);
}

TEST(mov_extending_reads)
{
	setup(L64);
	fx.regs.gpr[GPR_RDI] = DEV;
	dev[0] = 0x80;
	dev[1] = 0x12;
	fx.regs.gpr[GPR_RAX] = ~0ull;
	CHECK_EQ(RUN(0x0f, 0xb6, 0x07), EMU_DONE); /* movzbl */
	CHECK_EQ(fx.regs.gpr[GPR_RAX], 0x80);
	CHECK_EQ(RUN(0x0f, 0xbe, 0x07), EMU_DONE); /* movsbl */
	CHECK_EQ(fx.regs.gpr[GPR_RAX], 0xffffff80);
	fx.regs.gpr[GPR_RCX] = 0x1111111111111111;
	CHECK_EQ(RUN(0x66, 0x0f, 0xbe, 0x0f), EMU_DONE); /* movsbw (%rdi),%cx */
	CHECK_EQ(fx.regs.gpr[GPR_RCX], 0x111111111111ff80);
	put_le(dev, 4, 0x80000000);
	CHECK_EQ(RUN(0x48, 0x63, 0x07), EMU_DONE); /* movslq */
	CHECK_EQ(fx.regs.gpr[GPR_RAX], 0xffffffff80000000ull);
	put_le(dev, 2, 0x8000);
	CHECK_EQ(RUN(0x48, 0x0f, 0xbf, 0x17), EMU_DONE); /* movswq (%rdi),%rdx */
	CHECK_EQ(fx.regs.gpr[GPR_RDX], 0xffffffffffff8000ull);
}

TEST(mov_writes_registers_immediates_and_moffs)
{
	setup(L64);
	fx.regs.gpr[GPR_RDI] = DEV;
	fx.regs.gpr[GPR_RSI] = 0x1122334455667788;
	fx.regs.gpr[GPR_RBX] = 0xa5a5a5a5a5a51234;
	CHECK_EQ(RUN(0x89, 0x37), EMU_DONE); /* mov %esi,(%rdi) */
	check_log(0, DEV, 4, true, 0x55667788);
	CHECK_EQ(RUN(0x88, 0x3f), EMU_DONE); /* mov %bh,(%rdi) */
	check_log(1, DEV, 1, true, 0x12);
	CHECK_EQ(RUN(0x48, 0xc7, 0x07, 0x00, 0x00, 0x00, 0x80), EMU_DONE);
	check_log(2, DEV, 8, true, 0xffffffff80000000ull);
	fx.regs.gpr[GPR_RAX] = 0x8877665544332211;
	/* movabs %ax,0xfeb00010 */
	CHECK_EQ(RUN(0x66, 0xa3, 0x10, 0x00, 0xb0, 0xfe, 0x00, 0x00, 0x00, 0x00), EMU_DONE);
	check_log(3, DEV + 0x10, 2, true, 0x2211);
	CHECK_EQ(fx.cpu.rip, 0x1000 + 2 + 2 + 7 + 10);
}

/* Addresses: base + index * scale + disp, RIP-relative from the next instruction, segment
 * bases outside 64-bit mode (and FS/GS in it), address-size wrap. */
TEST(effective_addresses_and_segments)
{
	setup(L64);
	seg_bases[SEG_DS] = 0x5000; /* ignored in 64-bit mode */
	seg_bases[SEG_FS] = DEV - 0x100;
	fx.regs.gpr[GPR_RAX] = DEV;
	fx.regs.gpr[GPR_RBX] = 4;
	CHECK_EQ(RUN(0x8b, 0x54, 0x98, 0x08), EMU_DONE); /* mov 0x8(%rax,%rbx,4),%edx */
	check_log(0, DEV + 0x18, 4, false, 0);
	CHECK_EQ(RUN(0x64, 0x8b, 0x04, 0x25, 0x20, 0x01, 0x00, 0x00), EMU_DONE); /* %fs:0x120 */
	check_log(1, DEV + 0x20, 4, false, 0);
	fx.cpu.rip = DEV - 0x106;
	CHECK_EQ(RUN(0x8b, 0x05, 0x00, 0x01, 0x00, 0x00), EMU_DONE); /* mov 0x100(%rip),%eax */
	check_log(2, DEV, 4, false, 0);
	fx.regs.gpr[GPR_RDI] = 0xffffffff00000000ull | DEV;
	CHECK_EQ(RUN(0x67, 0x8b, 0x07), EMU_DONE); /* mov (%edi),%eax: 32-bit address */
	check_log(3, DEV, 4, false, 0);

	setup(P32);
	seg_bases[SEG_DS] = 0x100;
	seg_bases[SEG_ES] = DEV - 0x200;
	fx.regs.gpr[GPR_RAX] = DEV - 0x100;
	CHECK_EQ(RUN(0x8b, 0x08), EMU_DONE); /* mov (%eax),%ecx through DS */
	check_log(0, DEV, 4, false, 0);
	fx.regs.gpr[GPR_RAX] = 0x204;
	CHECK_EQ(RUN(0x26, 0x8b, 0x08), EMU_DONE); /* mov %es:(%eax),%ecx */
	check_log(1, DEV + 4, 4, false, 0);

	setup(R16);
	seg_bases[SEG_SS] = DEV - 0x10;
	fx.regs.gpr[GPR_RBP] = 0xfff8;
	fx.regs.gpr[GPR_RDI] = 0x20;	     /* (bp + di) wraps at 64 KiB: 0x18 */
	CHECK_EQ(RUN(0x8b, 0x03), EMU_DONE); /* mov (%bp,%di),%ax through SS */
	check_log(0, DEV + 8, 2, false, 0);
	fx.cpu.rip = 0xfffe;
	CHECK_EQ(RUN(0x8b, 0x03), EMU_DONE);
	CHECK_EQ(fx.cpu.rip, 0); /* IP wraps too */
}

TEST(locked_read_modify_write_on_a_device)
{
	setup(L64);
	fx.regs.gpr[GPR_RDI] = DEV;
	put_le(dev, 4, 0x80000000);
	CHECK_EQ(RUN(0xf0, 0x83, 0x0f, 0x01), EMU_DONE); /* lock orl $0x1,(%rdi) */
	CHECK_EQ(nlog, 2);
	check_log(0, DEV, 4, false, 0x80000000);
	check_log(1, DEV, 4, true, 0x80000001);
	CHECK_EQ(fx.cpu.rflags, RFLAGS_FIXED | RFLAGS_SF);
	fx.regs.gpr[GPR_RAX] = 0x7fffffff;
	CHECK_EQ(RUN(0xf0, 0x01, 0x07), EMU_DONE); /* lock add %eax,(%rdi) */
	CHECK_EQ(get_le(dev, 4), 0x00000000);
	CHECK_EQ(fx.cpu.rflags, RFLAGS_FIXED | RFLAGS_CF | RFLAGS_ZF | RFLAGS_PF | RFLAGS_AF);
	fx.cpu.rflags |= RFLAGS_CF;
	CHECK_EQ(RUN(0x83, 0x1f, 0xff), EMU_DONE); /* sbbl $-1,(%rdi): 0 - -1 - 1 */
	CHECK_EQ(get_le(dev, 4), 0);
	CHECK_EQ(fx.cpu.rflags & RFLAGS_CF, RFLAGS_CF);
	put_le(dev, 4, 0xff);
	CHECK_EQ(RUN(0xf0, 0x83, 0x67, 0x00, 0xf0), EMU_DONE); /* lock andl $-16,0(%rdi) */
	CHECK_EQ(get_le(dev, 4), 0xf0);
}

TEST(alu_register_destination_compare_and_test_write_nothing)
{
	setup(L64);
	fx.regs.gpr[GPR_RDI] = DEV;
	put_le(dev, 4, 0x0f0f0f0f);
	fx.regs.gpr[GPR_RSI] = 0xffffffff000000f0ull;
	CHECK_EQ(RUN(0x0b, 0x37), EMU_DONE); /* or (%rdi),%esi */
	CHECK_EQ(fx.regs.gpr[GPR_RSI], 0x0f0f0fff);
	CHECK_EQ(nlog, 1);
	CHECK_EQ(RUN(0x83, 0x7f, 0x00, 0x10), EMU_DONE); /* cmpl $0x10,0(%rdi) */
	CHECK_EQ(fx.cpu.rflags & (RFLAGS_ZF | RFLAGS_CF), 0);
	fx.regs.gpr[GPR_RAX] = 0x0f0f0f0f;
	CHECK_EQ(RUN(0x3b, 0x07), EMU_DONE); /* cmp (%rdi),%eax */
	CHECK_EQ(fx.cpu.rflags & RFLAGS_ZF, RFLAGS_ZF);
	CHECK_EQ(RUN(0xf7, 0x07, 0x00, 0x00, 0x00, 0x80), EMU_DONE); /* testl $0x80000000 */
	CHECK_EQ(fx.cpu.rflags & RFLAGS_ZF, RFLAGS_ZF);
	CHECK_EQ(RUN(0xf6, 0x07, 0x01), EMU_DONE); /* testb $0x1 */
	CHECK_EQ(fx.cpu.rflags & RFLAGS_ZF, 0);
	for (unsigned i = 0; i < nlog; i++)
		CHECK(!log_[i].write);
	CHECK_EQ(nlog, 5);
}

TEST(unary_operations)
{
	setup(L64);
	fx.regs.gpr[GPR_RDI] = DEV;
	fx.cpu.rflags = RFLAGS_FIXED | RFLAGS_CF;
	put_le(dev, 4, 0xffffffff);
	CHECK_EQ(RUN(0xf0, 0xff, 0x07), EMU_DONE); /* lock incl (%rdi) */
	CHECK_EQ(get_le(dev, 4), 0);
	CHECK_EQ(fx.cpu.rflags & (RFLAGS_CF | RFLAGS_ZF), RFLAGS_CF | RFLAGS_ZF);
	CHECK_EQ(RUN(0x66, 0xff, 0x0f), EMU_DONE); /* decw (%rdi) */
	CHECK_EQ(get_le(dev, 4), 0xffff);
	uint64_t before = fx.cpu.rflags;
	CHECK_EQ(RUN(0xf7, 0x17), EMU_DONE); /* notl (%rdi) */
	CHECK_EQ(get_le(dev, 4), 0xffff0000);
	CHECK_EQ(fx.cpu.rflags, before);
	CHECK_EQ(RUN(0xf0, 0x48, 0xf7, 0x1f), EMU_DONE); /* lock negq (%rdi) */
	CHECK_EQ(get_le(dev, 8), 0xffffffff00010000ull);
	CHECK_EQ(fx.cpu.rflags & RFLAGS_CF, RFLAGS_CF);
}

TEST(xchg_and_xadd)
{
	setup(L64);
	fx.regs.gpr[GPR_RDI] = DEV;
	put_le(dev, 8, 0x1111111122222222ull);
	fx.regs.gpr[GPR_RAX] = 0xaaaaaaaabbbbbbbbull;
	CHECK_EQ(RUN(0x87, 0x07), EMU_DONE); /* xchg %eax,(%rdi) */
	CHECK_EQ(fx.regs.gpr[GPR_RAX], 0x22222222);
	CHECK_EQ(get_le(dev, 8), 0x11111111bbbbbbbbull);
	check_log(0, DEV, 4, false, 0x22222222);
	check_log(1, DEV, 4, true, 0xbbbbbbbb);
	fx.regs.gpr[GPR_RBX] = 0x1234;
	CHECK_EQ(RUN(0x86, 0x3f), EMU_DONE); /* xchg %bh,(%rdi) */
	CHECK_EQ(fx.regs.gpr[GPR_RBX], 0xbb34);
	CHECK_EQ(dev[0], 0x12);
	put_le(dev, 4, 0xfffffffe);
	fx.regs.gpr[GPR_RAX] = 3;
	CHECK_EQ(RUN(0xf0, 0x0f, 0xc1, 0x07), EMU_DONE); /* lock xadd %eax,(%rdi) */
	CHECK_EQ(fx.regs.gpr[GPR_RAX], 0xfffffffe);
	CHECK_EQ(get_le(dev, 4), 1);
	CHECK_EQ(fx.cpu.rflags & RFLAGS_CF, RFLAGS_CF);
}

/* CMPXCHG always writes the destination (its old value when the comparison fails), loads
 * the accumulator only on failure, and leaves RAX's upper half alone on success. */
TEST(cmpxchg_success_and_failure)
{
	setup(L64);
	fx.regs.gpr[GPR_RDI] = DEV;
	put_le(dev, 4, 0x5);
	fx.regs.gpr[GPR_RAX] = 0xdead000000000005ull;
	fx.regs.gpr[GPR_RCX] = 0x77;
	CHECK_EQ(RUN(0xf0, 0x0f, 0xb1, 0x0f), EMU_DONE); /* lock cmpxchg %ecx,(%rdi) */
	CHECK_EQ(get_le(dev, 4), 0x77);
	CHECK_EQ(fx.regs.gpr[GPR_RAX], 0xdead000000000005ull);
	CHECK_EQ(fx.cpu.rflags & RFLAGS_ZF, RFLAGS_ZF);
	check_log(1, DEV, 4, true, 0x77);
	CHECK_EQ(RUN(0xf0, 0x0f, 0xb1, 0x0f), EMU_DONE); /* now 0x77 != 5 */
	CHECK_EQ(get_le(dev, 4), 0x77);
	CHECK_EQ(fx.regs.gpr[GPR_RAX], 0x77);
	CHECK_EQ(fx.cpu.rflags & RFLAGS_ZF, 0);
	CHECK_EQ(nlog, 4);
	check_log(3, DEV, 4, true, 0x77); /* written back */
	fx.regs.gpr[GPR_RAX] = 0x1100;
	fx.regs.gpr[GPR_RDX] = 0x99;
	CHECK_EQ(RUN(0x0f, 0xb0, 0x17), EMU_DONE); /* cmpxchg %dl,(%rdi): AL 0 != 0x77 */
	CHECK_EQ(fx.regs.gpr[GPR_RAX], 0x1177);
}

/* BT* with register offsets as the host CPU runs them on memory: same bit, same bytes. */
static void host_bt(unsigned op, uint8_t *base, int64_t offset, unsigned size, uint64_t *cf)
{
	uint64_t flags;
#define BT_ASM(insn, mod)                                                                          \
	__asm__ volatile(insn " %" mod "[off], (%[base])\n\tpushfq\n\tpopq %[f]"                   \
			 : [f] "=r"(flags)                                                         \
			 : [off] "r"(offset), [base] "r"(base)                                     \
			 : "cc", "memory")
#define BT_SIZES(insn)                                                                             \
	if (size == 2)                                                                             \
		BT_ASM(insn "w", "w");                                                             \
	else if (size == 4)                                                                        \
		BT_ASM(insn "l", "k");                                                             \
	else                                                                                       \
		BT_ASM(insn "q", "q");
	switch (op) {
	case INSN_BT:
		BT_SIZES("bt");
		break;
	case INSN_BTS:
		BT_SIZES("bts");
		break;
	case INSN_BTR:
		BT_SIZES("btr");
		break;
	default:
		BT_SIZES("btc");
		break;
	}
	*cf = flags & RFLAGS_CF;
}

TEST(bit_tests_with_register_offsets_match_the_host_cpu)
{
	/* 0F A3/AB/B3/BB 07 with REX.W or 66 for the width: bt* %rax-ish,(%rdi) */
	static const uint8_t opcodes[] = {0xa3, 0xab, 0xb3, 0xbb};
	static const int64_t offsets[] = {0,   1,  7,  15,  16,	 31,  32,  33,	63,  64,  100,
					  255, -1, -2, -16, -17, -32, -33, -64, -65, -200};
	static uint8_t host[96];
	for (unsigned o = 0; o < 4; o++)
		for (unsigned s = 0; s < 3; s++)
			for (unsigned i = 0; i < sizeof offsets / sizeof offsets[0]; i++) {
				unsigned size = 2u << s;
				setup(L64);
				for (unsigned b = 0; b < sizeof host; b++)
					host[b] = dev[0x400 - 48 + b] = (uint8_t)(b * 37 + 11);
				uint64_t host_cf;
				host_bt(INSN_BT + o, host + 48, offsets[i], size, &host_cf);
				fx.regs.gpr[GPR_RDI] = DEV + 0x400;
				fx.regs.gpr[GPR_RAX] = (uint64_t)offsets[i];
				uint8_t bytes[4] = {0x0f, opcodes[o], 0x07};
				uint8_t prefixed[5] = {size == 2 ? 0x66 : 0x48, 0x0f, opcodes[o],
						       0x07};
				enum emu_result r =
				    size == 4 ? run_bytes(bytes, 3) : run_bytes(prefixed, 4);
				CHECK_EQ(r, EMU_DONE);
				CHECK_EQ(fx.cpu.rflags & RFLAGS_CF, host_cf);
				if (memcmp(host, dev + 0x400 - 48, sizeof host) != 0) {
					printf("    op %u size %u offset %lld: memory differs\n", o,
					       size, (long long)offsets[i]);
					CHECK(false);
				}
			}
}

TEST(bit_tests_with_immediate_offsets)
{
	setup(L64);
	fx.regs.gpr[GPR_RDI] = DEV;
	put_le(dev, 8, 0x20);
	CHECK_EQ(RUN(0x0f, 0xba, 0x27, 0x05), EMU_DONE); /* btl $5,(%rdi) */
	CHECK_EQ(fx.cpu.rflags & RFLAGS_CF, RFLAGS_CF);
	CHECK_EQ(nlog, 1);
	CHECK_EQ(RUN(0x0f, 0xba, 0x27, 0x25), EMU_DONE); /* btl $0x25: modulo 32, bit 5 */
	CHECK_EQ(fx.cpu.rflags & RFLAGS_CF, RFLAGS_CF);
	check_log(1, DEV, 4, false, 0x20);
	CHECK_EQ(RUN(0xf0, 0x0f, 0xba, 0x2f, 0x1f), EMU_DONE); /* lock btsl $0x1f */
	CHECK_EQ(get_le(dev, 4), 0x80000020);
	CHECK_EQ(fx.cpu.rflags & RFLAGS_CF, 0);
	CHECK_EQ(RUN(0x48, 0x0f, 0xba, 0x37, 0x05), EMU_DONE); /* btrq $5 */
	CHECK_EQ(get_le(dev, 8), 0x80000000);
	CHECK_EQ(fx.cpu.rflags & RFLAGS_CF, RFLAGS_CF);
	CHECK_EQ(RUN(0x66, 0xf0, 0x0f, 0xba, 0x3f, 0x13), EMU_DONE); /* lock btcw $0x13: bit 3 */
	CHECK_EQ(get_le(dev, 4), 0x80000008);
	/* only CF changes */
	fx.cpu.rflags = RFLAGS_FIXED | (RFLAGS_ARITH & ~RFLAGS_CF);
	CHECK_EQ(RUN(0x0f, 0xba, 0x27, 0x03), EMU_DONE);
	CHECK_EQ(fx.cpu.rflags, RFLAGS_FIXED | RFLAGS_ARITH);
}

TEST(rep_movs_ram_to_device_and_back)
{
	setup(L64);
	for (unsigned i = 0; i < 16; i++)
		ram[0x3000 + i] = (uint8_t)(0x40 + i);
	fx.regs.gpr[GPR_RSI] = 0x3000;
	fx.regs.gpr[GPR_RDI] = DEV + 0x10;
	fx.regs.gpr[GPR_RCX] = 4;
	CHECK_EQ(RUN(0xf3, 0xa5), EMU_DONE); /* rep movsl */
	CHECK_EQ(fx.regs.gpr[GPR_RCX], 0);
	CHECK_EQ(fx.regs.gpr[GPR_RSI], 0x3010);
	CHECK_EQ(fx.regs.gpr[GPR_RDI], DEV + 0x20);
	CHECK(memcmp(dev + 0x10, ram + 0x3000, 16) == 0);
	CHECK_EQ(nlog, 4);
	check_log(3, DEV + 0x1c, 4, true, 0x4f4e4d4c);
	CHECK_EQ(fx.cpu.rip, 0x1002);
	/* backwards from the device into RAM */
	fx.cpu.rflags |= RFLAGS_DF;
	fx.regs.gpr[GPR_RSI] = DEV + 0x1e;
	fx.regs.gpr[GPR_RDI] = 0x4006;
	fx.regs.gpr[GPR_RCX] = 4;
	CHECK_EQ(RUN(0xf3, 0x66, 0xa5), EMU_DONE); /* rep movsw */
	CHECK_EQ(fx.regs.gpr[GPR_RCX], 0);
	CHECK_EQ(fx.regs.gpr[GPR_RSI], DEV + 0x16);
	CHECK_EQ(fx.regs.gpr[GPR_RDI], 0x3ffe);
	CHECK(memcmp(ram + 0x4000, dev + 0x18, 8) == 0);
	/* count 0 touches nothing */
	nlog = 0;
	CHECK_EQ(RUN(0xf3, 0xa5), EMU_DONE);
	CHECK_EQ(nlog, 0);
}

TEST(long_rep_runs_in_batches)
{
	setup(L64);
	fx.regs.gpr[GPR_RSI] = 0x2000;
	fx.regs.gpr[GPR_RDI] = DEV;
	fx.regs.gpr[GPR_RCX] = EMU_STRING_BATCH + 3;
	CHECK_EQ(RUN(0xf3, 0xa4), EMU_REPEAT); /* rep movsb */
	CHECK_EQ(fx.cpu.rip, 0x1000);
	CHECK_EQ(fx.regs.gpr[GPR_RCX], 3);
	CHECK_EQ(fx.regs.gpr[GPR_RDI], DEV + EMU_STRING_BATCH);
	CHECK_EQ(insn_emulate(&fx.in, &fx.cpu, &fx.mem), EMU_DONE);
	CHECK_EQ(fx.regs.gpr[GPR_RCX], 0);
	CHECK_EQ(fx.cpu.rip, 0x1002);
}

TEST(stos_and_lods)
{
	setup(L64);
	fx.regs.gpr[GPR_RAX] = 0x8877665544332211;
	fx.regs.gpr[GPR_RDI] = DEV;
	fx.regs.gpr[GPR_RCX] = 2;
	CHECK_EQ(RUN(0xf3, 0x48, 0xab), EMU_DONE); /* rep stosq */
	CHECK_EQ(get_le(dev + 8, 8), 0x8877665544332211ull);
	CHECK_EQ(fx.regs.gpr[GPR_RDI], DEV + 16);
	fx.regs.gpr[GPR_RSI] = DEV + 4;
	fx.regs.gpr[GPR_RAX] = ~0ull;
	CHECK_EQ(RUN(0xad), EMU_DONE); /* lodsl: zero-extends */
	CHECK_EQ(fx.regs.gpr[GPR_RAX], 0x88776655);
	CHECK_EQ(fx.regs.gpr[GPR_RSI], DEV + 8);
	CHECK_EQ(fx.regs.gpr[GPR_RDI], DEV + 16); /* LODS leaves rDI */
	CHECK_EQ(RUN(0xac), EMU_DONE);		  /* lodsb: merges */
	CHECK_EQ(fx.regs.gpr[GPR_RAX], 0x88776611);
	/* 64-bit mode addr32 rep stosl: EDI/ECX writes clear bits 63:32 */
	fx.regs.gpr[GPR_RDI] = 0x1fffffff0ull;
	fx.regs.gpr[GPR_RCX] = 0xffffffff00000002ull;
	seg_bases[SEG_ES] = 0;
	fx.mem.paging.cr0 = CR0_PE;
	CHECK_EQ(RUN(0x67, 0xf3, 0xab), EMU_UNHANDLED); /* 0xfffffff0: nothing there */
	CHECK_EQ(fx.regs.gpr[GPR_RCX], 0xffffffff00000002ull);
	fx.regs.gpr[GPR_RDI] = 0x100000000ull | DEV;
	CHECK_EQ(insn_emulate(&fx.in, &fx.cpu, &fx.mem), EMU_DONE);
	CHECK_EQ(fx.regs.gpr[GPR_RDI], DEV + 8);
	CHECK_EQ(fx.regs.gpr[GPR_RCX], 0);
}

/* Real mode REP STOSW: DI and CX wrap in 16 bits, their upper bits untouched. */
TEST(sixteen_bit_string_registers_wrap)
{
	setup(R16);
	seg_bases[SEG_ES] = 0x10000;
	fx.regs.gpr[GPR_RDI] = 0x12340000fffeull;
	fx.regs.gpr[GPR_RCX] = 0x55550002;
	fx.regs.gpr[GPR_RAX] = 0xabcd;
	CHECK_EQ(RUN(0xf3, 0xab), EMU_DONE);
	CHECK_EQ(fx.regs.gpr[GPR_RDI], 0x123400000002ull);
	CHECK_EQ(fx.regs.gpr[GPR_RCX], 0x55550000);
	CHECK_EQ(get_le(ram + 0x1fffe, 2), 0xabcd);
	CHECK_EQ(get_le(ram + 0x10000, 2), 0xabcd); /* the second element at ES:0 */
}

/* 32-bit paging: PDE 0 and 1 identity 4 MiB pages, PDE 2 a page table at 0x2000 mapping
 * 0x800000 -> RAM 0x10000, 0x801000 not present, 0x802000 read-only RAM 0x12000,
 * 0x803000 -> DEV, 0x804000 -> RAM 0x13000; PDE 0x3fa identity (DEV's 4 MiB). */
static void paging_setup(void)
{
	setup(P32);
	uint32_t *pd = (uint32_t *)(ram + 0x1000), *pt = (uint32_t *)(ram + 0x2000);
	pd[0] = 0x000000 | 0x87; /* P, RW, US, PS */
	pd[1] = 0x400000 | 0x87;
	pd[2] = 0x2000 | 0x7;
	pd[DEV >> 22] = (uint32_t)(DEV & ~0x3fffffull) | 0x83;
	pt[0] = 0x10000 | 0x7;
	pt[2] = 0x12000 | 0x5;
	pt[3] = (uint32_t)DEV | 0x7;
	pt[4] = 0x13000 | 0x7;
	fx.mem.paging =
	    (struct guest_paging){.cr0 = CR0_PE | CR0_PG | CR0_WP, .cr3 = 0x1000, .cr4 = CR4_PSE};
}

/* A REP MOVS from the device into memory that faults: the faulting element costs no
 * device read, and the registers count the elements done. */
TEST(rep_movs_faults_at_the_element)
{
	paging_setup();
	for (unsigned i = 0; i < 16; i++)
		dev[i] = (uint8_t)(0x60 + i);
	fx.regs.gpr[GPR_RSI] = 0x803000;
	fx.regs.gpr[GPR_RDI] = 0x800ff8;
	fx.regs.gpr[GPR_RCX] = 4;
	CHECK_EQ(RUN(0xf3, 0xa5), EMU_FAULT); /* rep movsl */
	CHECK_EQ(fx.mem.fault.vector, VEC_PF);
	CHECK_EQ(fx.mem.fault.error, PF_ERROR_W);
	CHECK_EQ(fx.mem.fault.cr2, 0x801000);
	CHECK_EQ(fx.regs.gpr[GPR_RCX], 2);
	CHECK_EQ(fx.regs.gpr[GPR_RSI], 0x803008);
	CHECK_EQ(fx.regs.gpr[GPR_RDI], 0x801000);
	CHECK_EQ(fx.cpu.rip, 0x1000);
	CHECK_EQ(nlog, 2);
	CHECK_EQ(get_le(ram + 0x10ff8, 8), 0x6766656463626160ull);
	/* the guest maps the page and re-executes: it finishes */
	((uint32_t *)(ram + 0x2000))[1] = 0x11000 | 0x7;
	CHECK_EQ(insn_emulate(&fx.in, &fx.cpu, &fx.mem), EMU_DONE);
	CHECK_EQ(fx.regs.gpr[GPR_RCX], 0);
	CHECK_EQ(get_le(ram + 0x11000, 8), 0x6f6e6d6c6b6a6968ull);
	/* a straddling element faults whole: nothing of it is written */
	fx.regs.gpr[GPR_RSI] = 0x803000;
	fx.regs.gpr[GPR_RDI] = 0x801ffe;
	fx.regs.gpr[GPR_RCX] = 1;
	CHECK_EQ(insn_emulate(&fx.in, &fx.cpu, &fx.mem), EMU_FAULT);
	CHECK_EQ(fx.mem.fault.cr2, 0x802000);
	CHECK_EQ(fx.mem.fault.error, PF_ERROR_P | PF_ERROR_W);
	CHECK_EQ(ram[0x11ffe], 0);
}

TEST(read_modify_write_checks_write_access_before_the_device)
{
	paging_setup();
	((uint32_t *)(ram + 0x2000))[3] = (uint32_t)DEV | 0x5; /* the device, read-only */
	fx.regs.gpr[GPR_RDI] = 0x803000;
	CHECK_EQ(RUN(0xf0, 0x83, 0x0f, 0x01), EMU_FAULT); /* lock orl $1,(%edi) */
	CHECK_EQ(fx.mem.fault.error, PF_ERROR_P | PF_ERROR_W);
	CHECK_EQ(nlog, 0);
	CHECK_EQ(RUN(0x8b, 0x07), EMU_DONE); /* reading is fine */
	fx.mem.mode_access = ACCESS_USER;
	((uint32_t *)(ram + 0x2000))[3] = (uint32_t)DEV | 0x3; /* supervisor only */
	CHECK_EQ(RUN(0x8b, 0x07), EMU_FAULT);
	CHECK_EQ(fx.mem.fault.error, PF_ERROR_P | PF_ERROR_U);
	CHECK_EQ(fx.cpu.rip, 0x1002); /* only the completed read moved it */
}

/* A read straddling RAM and the device: RAM bytes from RAM, device bytes from the device. */
TEST(straddling_operand_split_between_ram_and_device)
{
	paging_setup();
	((uint32_t *)(ram + 0x2000))[2] = 0x12000 | 0x7;
	ram[0x12ffe] = 0xaa;
	ram[0x12fff] = 0xbb;
	dev[0] = 0x11;
	dev[1] = 0x22;
	fx.regs.gpr[GPR_RDI] = 0x802ffe;
	CHECK_EQ(RUN(0x8b, 0x07), EMU_DONE);
	CHECK_EQ(fx.regs.gpr[GPR_RAX], 0x2211bbaa);
	CHECK_EQ(nlog, 1);
	check_log(0, DEV, 2, false, 0x2211);
	fx.regs.gpr[GPR_RAX] = 0x44332211;
	CHECK_EQ(RUN(0xf0, 0x09, 0x07), EMU_DONE); /* lock or %eax,(%edi) */
	CHECK_EQ(ram[0x12ffe], 0xbb);
	CHECK_EQ(ram[0x12fff], 0xbb);
	CHECK_EQ(get_le(dev, 2), 0x6633);
}

TEST(push_and_pop_memory)
{
	setup(L64);
	put_le(dev, 8, 0x1122334455667788);
	fx.regs.gpr[GPR_RDI] = DEV;
	fx.regs.gpr[GPR_RSP] = 0x8000;
	CHECK_EQ(RUN(0xff, 0x37), EMU_DONE); /* pushq (%rdi) */
	CHECK_EQ(fx.regs.gpr[GPR_RSP], 0x7ff8);
	CHECK_EQ(get_le(ram + 0x7ff8, 8), 0x1122334455667788ull);
	CHECK_EQ(RUN(0x66, 0xff, 0x37), EMU_DONE); /* pushw (%rdi) */
	CHECK_EQ(fx.regs.gpr[GPR_RSP], 0x7ff6);
	CHECK_EQ(get_le(ram + 0x7ff6, 2), 0x7788);
	put_le(ram + 0x7ff8, 8, 0xcafef00d12345678);
	fx.regs.gpr[GPR_RSP] = 0x7ff8;
	CHECK_EQ(RUN(0x8f, 0x07), EMU_DONE); /* popq (%rdi) */
	CHECK_EQ(fx.regs.gpr[GPR_RSP], 0x8000);
	CHECK_EQ(get_le(dev, 8), 0xcafef00d12345678ull);
	/* popq 0x8(%rsp): the address uses RSP after the pop */
	fx.regs.gpr[GPR_RSP] = 0x7ff8;
	CHECK_EQ(RUN(0x8f, 0x44, 0x24, 0x08), EMU_DONE);
	CHECK_EQ(get_le(ram + 0x8008, 8), 0xcafef00d12345678ull);
}

/* 32-bit code with a 16-bit stack: SP wraps, ESP's upper half stays. */
TEST(push_on_a_sixteen_bit_stack)
{
	setup(P32);
	fx.cpu.stack_size = 2;
	seg_bases[SEG_SS] = 0x20000;
	put_le(dev, 4, 0xa1b2c3d4);
	fx.regs.gpr[GPR_RAX] = DEV;
	fx.regs.gpr[GPR_RSP] = 0xabcd0002;
	CHECK_EQ(RUN(0xff, 0x30), EMU_DONE); /* pushl (%eax) */
	CHECK_EQ(fx.regs.gpr[GPR_RSP], 0xabcdfffe);
	CHECK_EQ(get_le(ram + 0x2fffe, 4), 0xa1b2c3d4);
}

TEST(stack_faults_leave_rsp_and_devices_alone)
{
	paging_setup();
	put_le(dev, 4, 0x12345678);
	fx.regs.gpr[GPR_RAX] = 0x803000;
	fx.regs.gpr[GPR_RSP] = 0x802000;      /* below it: the not-present page */
	CHECK_EQ(RUN(0xff, 0x30), EMU_FAULT); /* pushl (%eax) */
	CHECK_EQ(fx.mem.fault.cr2, 0x801ffc);
	CHECK_EQ(fx.mem.fault.error, PF_ERROR_W);
	CHECK_EQ(fx.regs.gpr[GPR_RSP], 0x802000);
	CHECK_EQ(nlog, 0);
	/* popl to a read-only page: RSP stays */
	fx.regs.gpr[GPR_RSP] = 0x800000;
	fx.regs.gpr[GPR_RAX] = 0x802000;
	CHECK_EQ(RUN(0x8f, 0x00), EMU_FAULT); /* popl (%eax) */
	CHECK_EQ(fx.mem.fault.error, PF_ERROR_P | PF_ERROR_W);
	CHECK_EQ(fx.regs.gpr[GPR_RSP], 0x800000);
	/* and to the device it works */
	put_le(ram + 0x10000, 4, 0x55aa55aa);
	fx.regs.gpr[GPR_RAX] = 0x803000;
	CHECK_EQ(RUN(0x8f, 0x00), EMU_DONE);
	CHECK_EQ(fx.regs.gpr[GPR_RSP], 0x800004);
	CHECK_EQ(get_le(dev, 4), 0x55aa55aa);
}

TEST(nothing_there_is_unhandled)
{
	setup(L64);
	fx.regs.gpr[GPR_RDI] = 0xfed00000;
	CHECK_EQ(RUN(0x8b, 0x07), EMU_UNHANDLED);
	CHECK_EQ(fx.mem.unhandled_gpa, 0xfed00000);
	CHECK_EQ(fx.cpu.rip, 0x1000);
}

CHECK_MAIN("insn_emulate", CASE(mov_reads_follow_register_width_rules), CASE(mov_extending_reads),
	   CASE(mov_writes_registers_immediates_and_moffs), CASE(effective_addresses_and_segments),
	   CASE(locked_read_modify_write_on_a_device),
	   CASE(alu_register_destination_compare_and_test_write_nothing), CASE(unary_operations),
	   CASE(xchg_and_xadd), CASE(cmpxchg_success_and_failure),
	   CASE(bit_tests_with_register_offsets_match_the_host_cpu),
	   CASE(bit_tests_with_immediate_offsets), CASE(rep_movs_ram_to_device_and_back),
	   CASE(long_rep_runs_in_batches), CASE(stos_and_lods),
	   CASE(sixteen_bit_string_registers_wrap), CASE(rep_movs_faults_at_the_element),
	   CASE(read_modify_write_checks_write_access_before_the_device),
	   CASE(straddling_operand_split_between_ram_and_device), CASE(push_and_pop_memory),
	   CASE(push_on_a_sixteen_bit_stack), CASE(stack_faults_leave_rsp_and_devices_alone),
	   CASE(nothing_there_is_unhandled))
