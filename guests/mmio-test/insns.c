/* The instructions drivers use on device registers, each run twice with the same inputs:
 * once on RAM, where the CPU executes it, and once on the test device's scratch register,
 * where the hypervisor emulates it. Memory, register and the status flags the SDM defines
 * must come out the same (the flags it leaves undefined are not compared). */
#include "guests/lib/report.h"
#include "guests/mmio-test/tests.h"

/* Runs one instruction with EFLAGS = *flags; %[m] holds the operand's address (two dwords
 * that may be used), %[r] a register operand; returns the register and EFLAGS after it. */
typedef void (*run_fn)(volatile u32 *m, u32 *reg, u32 *flags);

#define RUN_FN(name, insn)                                                                         \
	static void name(volatile u32 *m, u32 *reg, u32 *flags)                                    \
	{                                                                                          \
		u32 r = *reg, f = *flags;                                                          \
		__asm__ volatile("pushl %[f]\n\tpopfl\n\t" insn "\n\tpushfl\n\tpopl %[f]"          \
				 : [r] "+q"(r), [f] "+r"(f)                                        \
				 : [m] "r"(m)                                                      \
				 : "memory", "cc");                                                \
		*reg = r;                                                                          \
		*flags = f;                                                                        \
	}

/* CMPXCHG: *reg is the accumulator; the source register holds CMPXCHG_SOURCE. */
#define CMPXCHG_SOURCE 0xc0ffee11u
static void run_cmpxchg(volatile u32 *m, u32 *reg, u32 *flags)
{
	u32 a = *reg, f = *flags;
	__asm__ volatile(
	    "pushl %[f]\n\tpopfl\n\tlock cmpxchgl %[src], (%[m])\n\tpushfl\n\tpopl %[f]"
	    : "+a"(a), [f] "+r"(f)
	    : [src] "r"(CMPXCHG_SOURCE), [m] "r"(m)
	    : "memory", "cc");
	*reg = a;
	*flags = f;
}

RUN_FN(run_lock_or_reg, "lock orl %[r], (%[m])")
RUN_FN(run_lock_or_imm, "lock orl $0x80000001, (%[m])")
RUN_FN(run_lock_and_imm, "lock andl $0xfffffff0, (%[m])")
RUN_FN(run_lock_and_reg, "lock andl %[r], (%[m])")
RUN_FN(run_lock_add_reg, "lock addl %[r], (%[m])")
RUN_FN(run_lock_add_imm8, "lock addl $-1, (%[m])")
RUN_FN(run_lock_sub_reg, "lock subl %[r], (%[m])")
RUN_FN(run_lock_xor_reg, "lock xorl %[r], (%[m])")
RUN_FN(run_lock_adc_reg, "lock adcl %[r], (%[m])")
RUN_FN(run_lock_sbb_imm, "lock sbbl $1, (%[m])")
RUN_FN(run_or_into_reg, "orl (%[m]), %[r]")
RUN_FN(run_add_into_reg, "addl 4(%[m]), %[r]")
RUN_FN(run_cmp_mem_reg, "cmpl %[r], (%[m])")
RUN_FN(run_cmp_reg_mem, "cmpl (%[m]), %[r]")
RUN_FN(run_cmp_imm8, "cmpb $0x80, (%[m])")
RUN_FN(run_test_reg, "testl %[r], (%[m])")
RUN_FN(run_test_imm16, "testw $0x8000, (%[m])")
RUN_FN(run_lock_inc, "lock incl (%[m])")
RUN_FN(run_lock_dec16, "lock decw (%[m])")
RUN_FN(run_lock_not, "lock notl (%[m])")
RUN_FN(run_lock_neg, "lock negl (%[m])")
RUN_FN(run_lock_or8, "lock orb $0x81, 1(%[m])")
RUN_FN(run_lock_add16, "lock addw %w[r], 2(%[m])")
RUN_FN(run_xchg, "xchgl %[r], (%[m])")
RUN_FN(run_xchg8, "xchgb %b[r], 3(%[m])")
RUN_FN(run_lock_xadd, "lock xaddl %[r], (%[m])")
RUN_FN(run_bt_reg, "btl %[r], (%[m])")
RUN_FN(run_lock_bts_reg, "lock btsl %[r], (%[m])")
RUN_FN(run_lock_btr_reg, "lock btrl %[r], (%[m])")
RUN_FN(run_lock_btc_reg, "lock btcl %[r], (%[m])")
RUN_FN(run_bt_imm, "btl $7, (%[m])")
RUN_FN(run_lock_bts_imm16, "lock btsw $15, (%[m])")
RUN_FN(run_movzb, "movzbl 5(%[m]), %[r]")
RUN_FN(run_movsw, "movswl 2(%[m]), %[r]")
RUN_FN(run_push_mem, "pushl 4(%[m])\n\tpopl %[r]")
RUN_FN(run_pop_mem, "pushl %[r]\n\tpopl 4(%[m])")

#define ALL   EFLAGS_ARITH
#define LOGIC (EFLAGS_ARITH & ~EFLAGS_AF) /* AF is undefined after AND/OR/XOR/TEST */
#define BITS  EFLAGS_CF			  /* BT*: only CF is defined */
#define NONE  0				  /* no flag is written: all must stay */

struct insn_case {
	const char *name;
	run_fn run;
	u64 memory;
	u32 reg;
	u32 flags; /* the flags compared (NONE: all, as none may change) */
};

static const struct insn_case cases[] = {
    {"lock or r,m", run_lock_or_reg, 0x1122334480000001ull, 0x00ff00ff, LOGIC},
    {"lock or imm,m", run_lock_or_imm, 0x0000000010000000ull, 0, LOGIC},
    {"lock and imm,m", run_lock_and_imm, 0x55555555aaaaaaaaull, 0, LOGIC},
    {"lock and r,m (zero)", run_lock_and_reg, 0x0f0f0f0ff0f0f0f0ull, 0x0f0f0f0f, LOGIC},
    {"lock add r,m (signed overflow)", run_lock_add_reg, 0x7fffffffull, 1, ALL},
    {"lock add r,m (carry)", run_lock_add_reg, 0xfffffff0ull, 0x10, ALL},
    {"lock add imm8,m", run_lock_add_imm8, 0x100ull, 0, ALL},
    {"lock sub r,m (borrow)", run_lock_sub_reg, 0x5ull, 6, ALL},
    {"lock xor r,m", run_lock_xor_reg, 0xffff0000ffff0000ull, 0xffffffff, LOGIC},
    {"lock adc r,m", run_lock_adc_reg, 0xfffffffeull, 1, ALL},
    {"lock sbb imm,m", run_lock_sbb_imm, 0x80000000ull, 0, ALL},
    {"or m,r", run_or_into_reg, 0x80000000ull, 0x7f, LOGIC},
    {"add m,r", run_add_into_reg, 0x0000000900000000ull, 0xfffffff8, ALL},
    {"cmp r,m", run_cmp_mem_reg, 0x10ull, 0x11, ALL},
    {"cmp m,r (equal)", run_cmp_reg_mem, 0x12345678ull, 0x12345678, ALL},
    {"cmp imm8,m8", run_cmp_imm8, 0x7full, 0, ALL},
    {"test r,m", run_test_reg, 0x80000000ull, 0x80000001, LOGIC},
    {"test imm16,m16", run_test_imm16, 0x7fffull, 0, LOGIC},
    {"lock inc m (CF kept)", run_lock_inc, 0xffffffffull, 0, ALL},
    {"lock dec m16", run_lock_dec16, 0x12340000ull, 0, ALL},
    {"lock not m", run_lock_not, 0x0f0f0f0f00ff00ffull, 0, NONE},
    {"lock neg m", run_lock_neg, 0x80000000ull, 0, ALL},
    {"lock or imm8,m8", run_lock_or8, 0x1234ull, 0, LOGIC},
    {"lock add r16,m16 (carry, overflow)", run_lock_add16, 0x80001234ull, 0x8000, ALL},
    {"xchg r,m", run_xchg, 0xaaaaaaaa55555555ull, 0x12345678, NONE},
    {"xchg r8,m8", run_xchg8, 0x11223344ull, 0xab, NONE},
    {"lock xadd r,m", run_lock_xadd, 0xfffffffeull, 3, ALL},
    {"bt r,m (offset 33: next dword)", run_bt_reg, 0x0000000200000000ull, 33, BITS},
    {"lock bts r,m", run_lock_bts_reg, 0x0ull, 5, BITS},
    {"lock btr r,m (offset 63)", run_lock_btr_reg, 0x8000000000000001ull, 63, BITS},
    {"lock btc r,m (offset 40)", run_lock_btc_reg, 0x0000010000000000ull, 40, BITS},
    {"bt imm,m", run_bt_imm, 0x80ull, 0, BITS},
    {"lock bts imm,m16", run_lock_bts_imm16, 0x1ull, 0, BITS},
    {"movzx m8,r", run_movzb, 0x0000f10000000000ull, 0xffffffff, NONE},
    {"movsx m16,r", run_movsw, 0x80010000ull, 0, NONE},
    {"push m", run_push_mem, 0xdeadbeef00000000ull, 0, NONE},
    {"pop m", run_pop_mem, 0x1111111122222222ull, 0x600dcafe, NONE},
    {"lock cmpxchg (equal)", run_cmpxchg, 0x5555555512345678ull, 0x12345678, ALL},
    {"lock cmpxchg (not equal: writes back, loads EAX)", run_cmpxchg, 0x12345678ull, 0x1, ALL},
};

static u64 ram_operand[2];

static void same_as_ram(const struct insn_case *c)
{
	/* flags before: all status flags clear, then all set (CF for ADC/SBB, "unchanged") */
	static const u32 flags_in[2] = {0x2, 0x2 | EFLAGS_ARITH};
	bool ok = true;
	u32 ram_reg = 0, dev_reg = 0, ram_flags = 0, dev_flags = 0;
	u64 ram_mem = 0, dev_mem = 0;
	for (unsigned i = 0; i < 2 && ok; i++) {
		volatile u32 *ram = (volatile u32 *)&ram_operand[0];
		ram_operand[0] = c->memory;
		ram_reg = c->reg;
		ram_flags = flags_in[i];
		c->run(ram, &ram_reg, &ram_flags);
		ram_mem = ram_operand[0];

		scratch_set(SCRATCH, c->memory);
		dev_reg = c->reg;
		dev_flags = flags_in[i];
		c->run(SCRATCH, &dev_reg, &dev_flags);
		dev_mem = scratch_get(SCRATCH);

		u32 compared = c->flags == NONE ? EFLAGS_ARITH : c->flags;
		ok = dev_mem == ram_mem && dev_reg == ram_reg &&
		     !((dev_flags ^ ram_flags) & compared);
	}
	report(ok, "insn: %s (device 0x%08x%08x reg 0x%x flags 0x%x; RAM 0x%08x%08x 0x%x 0x%x)",
	       c->name, (u32)(dev_mem >> 32), (u32)dev_mem, dev_reg, dev_flags & EFLAGS_ARITH,
	       (u32)(ram_mem >> 32), (u32)ram_mem, ram_reg, ram_flags & EFLAGS_ARITH);
}

void test_instructions(void)
{
	for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++)
		same_as_ram(&cases[i]);
}
