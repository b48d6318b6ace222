/* The instructions mhv emulates on MMIO beyond MOV and STOS (ALU read-modify-write forms
 * with and without LOCK, TEST, NOT, NEG, INC, DEC, XCHG, CMPXCHG, XADD, BT*, MOVS and LODS
 * between RAM and the device, PUSH and POP of memory), each run twice with the same inputs:
 * once by the CPU on a RAM copy of the test device's scratch register, once on the device
 * through mhv. Registers, arithmetic flags and the register's bytes must come out equal. */
#include "guests/chaos/chaos.h"
#include "guests/lib/exit.h"
#include "guests/lib/printf.h"
#include "kernel/guest_abi.h"

#define SCRATCH_BYTES 8
#define FLAGS_ARITH   0x8d5u				       /* CF PF AF ZF SF OF */
#define FLAGS_KEEP    (~(FLAGS_ARITH | RFLAGS_DF | (1u << 8))) /* and TF stays clear */

struct rmw_regs {
	u32 a, c, d, f;
};

enum form_kind {
	FORM_PLAIN,   /* the memory operand anywhere in the register, any width up to 4 */
	FORM_BIT_REG, /* BT with a register bit offset: at offset 0, ECX < 64 */
	FORM_STRING,  /* MOVS/LODS: EDX points at a RAM buffer, ECX is a count */
};

struct form {
	const char *name;
	void (*run)(u32 m, struct rmw_regs *r);
	u32 size; /* bytes of memory touched (per element for strings) */
	enum form_kind kind;
};

/* EDI holds the memory operand's address; EAX, ECX, EDX and the flags (EBX) are in and
 * out. */
#define FORM(fn, text)                                                                             \
	static void fn(u32 m, struct rmw_regs *r)                                                  \
	{                                                                                          \
		__asm__ volatile("pushl %%ebx\n\tpopfl\n\t" text "\n\tpushfl\n\tpopl %%ebx"        \
				 : "+a"(r->a), "+c"(r->c), "+d"(r->d), "+b"(r->f), "+D"(m)         \
				 :                                                                 \
				 : "esi", "memory", "cc");                                         \
	}

FORM(lock_add, "lock addl %%eax, (%%edi)")
FORM(lock_or, "lock orl %%ecx, (%%edi)")
FORM(lock_and, "lock andl %%eax, (%%edi)")
FORM(lock_sub, "lock subl %%ecx, (%%edi)")
FORM(lock_xor, "lock xorw %%ax, (%%edi)")
FORM(lock_adc, "lock adcl %%eax, (%%edi)")
FORM(lock_sbb, "lock sbbb %%cl, (%%edi)")
FORM(cmp_mr, "cmpl %%eax, (%%edi)")
FORM(add_rm, "addl (%%edi), %%eax")
FORM(sub_rm, "subw (%%edi), %%cx")
FORM(xor_rm, "xorb (%%edi), %%dl")
FORM(or_imm8, "lock orb $0x5a, (%%edi)")
FORM(and_imm16, "andw $0x0ff0, (%%edi)")
FORM(add_simm8, "lock addl $-3, (%%edi)")
FORM(sbb_imm32, "sbbl $0x12345678, (%%edi)")
FORM(cmp_imm8, "cmpb $0x80, (%%edi)")
FORM(test_mr, "testl %%ecx, (%%edi)")
FORM(test_imm, "testb $0x81, (%%edi)")
FORM(lock_not, "lock notl (%%edi)")
FORM(lock_neg, "lock negw (%%edi)")
FORM(lock_inc, "lock incl (%%edi)")
FORM(lock_dec, "lock decb (%%edi)")
FORM(xchg32, "xchgl %%eax, (%%edi)")
FORM(xchg8, "xchgb %%cl, (%%edi)")
FORM(cmpxchg32, "lock cmpxchgl %%ecx, (%%edi)")
FORM(cmpxchg16, "cmpxchgw %%dx, (%%edi)")
FORM(xadd32, "lock xaddl %%eax, (%%edi)")
FORM(xadd8, "xaddb %%cl, (%%edi)")
FORM(bt_imm, "btl $3, (%%edi)")
FORM(bts_imm, "lock btsl $17, (%%edi)")
FORM(btr_imm, "lock btrw $5, (%%edi)")
FORM(btc_reg, "lock btcl %%ecx, (%%edi)")
FORM(bt_reg, "btw %%cx, (%%edi)")
FORM(push_m, "pushl (%%edi)\n\tpopl %%eax")
FORM(pop_m, "pushl %%ecx\n\tpopl (%%edi)")
FORM(push_m16, "pushw (%%edi)\n\tpopw %%ax")
FORM(movs_to_dev, "movl %%edx, %%esi\n\trep movsb")
FORM(movs_from_dev, "movl %%edi, %%esi\n\tmovl %%edx, %%edi\n\trep movsb")
FORM(movsl_from_dev, "movl %%edi, %%esi\n\tmovl %%edx, %%edi\n\tmovsl")
FORM(lods16, "movl %%edi, %%esi\n\tlodsw")

static const struct form forms[] = {
    {"lock add r,m", lock_add, 4, FORM_PLAIN},
    {"lock or r,m", lock_or, 4, FORM_PLAIN},
    {"lock and r,m", lock_and, 4, FORM_PLAIN},
    {"lock sub r,m", lock_sub, 4, FORM_PLAIN},
    {"lock xor r16,m", lock_xor, 2, FORM_PLAIN},
    {"lock adc r,m", lock_adc, 4, FORM_PLAIN},
    {"lock sbb r8,m", lock_sbb, 1, FORM_PLAIN},
    {"cmp r,m", cmp_mr, 4, FORM_PLAIN},
    {"add m,r", add_rm, 4, FORM_PLAIN},
    {"sub m,r16", sub_rm, 2, FORM_PLAIN},
    {"xor m,r8", xor_rm, 1, FORM_PLAIN},
    {"lock or imm8", or_imm8, 1, FORM_PLAIN},
    {"and imm16", and_imm16, 2, FORM_PLAIN},
    {"lock add simm8", add_simm8, 4, FORM_PLAIN},
    {"sbb imm32", sbb_imm32, 4, FORM_PLAIN},
    {"cmp imm8", cmp_imm8, 1, FORM_PLAIN},
    {"test r,m", test_mr, 4, FORM_PLAIN},
    {"test imm8", test_imm, 1, FORM_PLAIN},
    {"lock not", lock_not, 4, FORM_PLAIN},
    {"lock neg16", lock_neg, 2, FORM_PLAIN},
    {"lock inc", lock_inc, 4, FORM_PLAIN},
    {"lock dec8", lock_dec, 1, FORM_PLAIN},
    {"xchg r,m", xchg32, 4, FORM_PLAIN},
    {"xchg r8,m", xchg8, 1, FORM_PLAIN},
    {"lock cmpxchg", cmpxchg32, 4, FORM_PLAIN},
    {"cmpxchg16", cmpxchg16, 2, FORM_PLAIN},
    {"lock xadd", xadd32, 4, FORM_PLAIN},
    {"xadd8", xadd8, 1, FORM_PLAIN},
    {"bt imm", bt_imm, 4, FORM_PLAIN},
    {"lock bts imm", bts_imm, 4, FORM_PLAIN},
    {"lock btr16 imm", btr_imm, 2, FORM_PLAIN},
    {"lock btc r,m", btc_reg, 8, FORM_BIT_REG},
    {"bt r16,m", bt_reg, 8, FORM_BIT_REG},
    {"push m", push_m, 4, FORM_PLAIN},
    {"pop m", pop_m, 4, FORM_PLAIN},
    {"push m16", push_m16, 2, FORM_PLAIN},
    {"rep movsb to device", movs_to_dev, 1, FORM_STRING},
    {"rep movsb from device", movs_from_dev, 1, FORM_STRING},
    {"movsl from device", movsl_from_dev, 4, FORM_STRING},
    {"lodsw", lods16, 2, FORM_STRING},
};

static u8 shadow[SCRATCH_BYTES] __attribute__((aligned(8)));
static u8 ram_buf[SCRATCH_BYTES] __attribute__((aligned(8)));

static void check_equal(const struct form *fm, const char *what, u32 cpu, u32 mhv)
{
	if (cpu == mhv)
		return;
	printf("chaos: seed %u: FAIL: op %u: %s on MMIO: %s 0x%x, the CPU on RAM gives 0x%x\n",
	       env.seed, env.op_index, fm->name, what, mhv, cpu);
	guest_exit(EXIT_FAIL);
}

static u32 word_at(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

/* One form at offset `off` of the scratch register, on RAM then on the device. */
static void run_form(const struct form *fm, u32 off, const struct rmw_regs *in)
{
	struct rmw_regs cpu = *in, dev = *in;
	u8 cpu_buf[SCRATCH_BYTES];
	for (u32 i = 0; i < SCRATCH_BYTES; i++)
		shadow[i] = (u8)testdev_model_read(i, 1);
	u32 seed_bytes = rnd();
	for (u32 i = 0; i < SCRATCH_BYTES; i++)
		ram_buf[i] = (u8)(seed_bytes >> (8 * (i & 3)));
	fm->run((u32)shadow + off, &cpu);
	for (u32 i = 0; i < SCRATCH_BYTES; i++)
		cpu_buf[i] = ram_buf[i];
	for (u32 i = 0; i < SCRATCH_BYTES; i++)
		ram_buf[i] = (u8)(seed_bytes >> (8 * (i & 3)));
	fm->run(MHV_TESTDEV_GPA + off, &dev);
	check_equal(fm, "EAX", cpu.a, dev.a);
	check_equal(fm, "ECX", cpu.c, dev.c);
	check_equal(fm, "EDX", cpu.d, dev.d);
	check_equal(fm, "flags", cpu.f & FLAGS_ARITH, dev.f & FLAGS_ARITH);
	check_equal(fm, "RAM buffer", word_at(cpu_buf), word_at(ram_buf));
	check_equal(fm, "RAM buffer+4", word_at(cpu_buf + 4), word_at(ram_buf + 4));
	for (u32 i = 0; i < SCRATCH_BYTES; i += 4) {
		u32 got = *(volatile u32 *)(MHV_TESTDEV_GPA + i);
		check_equal(fm, i ? "register bytes 4-7" : "register bytes 0-3",
			    word_at(shadow + i), got);
		testdev_model_write(i, 4, got);
	}
}

void op_mmio_rmw(void)
{
	u32 n = 1 + rnd_below(8);
	for (u32 k = 0; k < n; k++) {
		const struct form *fm = &forms[rnd_below(COUNT(forms))];
		u32 eflags;
		__asm__ volatile("pushfl\n\tpopl %0" : "=r"(eflags));
		struct rmw_regs in = {rnd_value(), rnd_value(), rnd_value(),
				      (eflags & FLAGS_KEEP) | (rnd() & FLAGS_ARITH)};
		u32 off = rnd_below(SCRATCH_BYTES - fm->size + 1);
		if (fm->kind == FORM_BIT_REG) {
			off = 0;
			in.c &= 63;
		} else if (fm->kind == FORM_STRING) {
			in.d = (u32)ram_buf + off;
			in.c = 1 + rnd_below((SCRATCH_BYTES - off) / fm->size);
		}
		if (rnd_chance(30)) /* the register sometimes holds what CMPXCHG compares */
			in.a = testdev_model_read(off, 4);
		trace("%s at offset %u, eax 0x%x ecx 0x%x edx 0x%x", fm->name, off, in.a, in.c,
		      in.d);
		run_form(fm, off, &in);
	}
}
