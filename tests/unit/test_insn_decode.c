/* MMIO instruction decoder. Every byte sequence below came from GNU as (--64, --32, .code16)
 * or from GCC -O2 output for volatile loads/stores, disassembled with objdump. */
#include "kernel/x86.h"
#include "tests/unit/check.h"
#include "vmx/insn_decode.h"
#include "vmx/vmcs.h"
#include <stdlib.h>

#define MAX_BYTES 15

#define L64 CPU_MODE_LONG64
#define P32 CPU_MODE_PROT32
#define P16 CPU_MODE_PROT16
#define R16 CPU_MODE_REAL16

#define READ(len, sz, r, rsz, ext, asz)                                                            \
	{                                                                                          \
		.length = len, .size = sz, .reg = r, .reg_size = rsz, .extend = ext,               \
		.addr_size = asz                                                                   \
	}
#define READ_HIGH(len, r, asz)                                                                     \
	{                                                                                          \
		.length = len, .size = 1, .reg = r, .high_byte = true, .reg_size = 1,              \
		.addr_size = asz                                                                   \
	}
#define WRITE(len, sz, r, asz)                                                                     \
	{                                                                                          \
		.length = len, .size = sz, .write = true, .reg = r, .reg_size = sz,                \
		.addr_size = asz                                                                   \
	}
#define WRITE_HIGH(len, r, asz)                                                                    \
	{                                                                                          \
		.length = len, .size = 1, .write = true, .reg = r, .high_byte = true,              \
		.reg_size = 1, .addr_size = asz                                                    \
	}
#define WRITE_IMM(len, sz, value, asz)                                                             \
	{                                                                                          \
		.length = len, .size = sz, .write = true, .operand = MMIO_OPERAND_IMM,             \
		.imm = value, .addr_size = asz                                                     \
	}
#define STOS(len, sz, rep_, asz)                                                                   \
	{                                                                                          \
		.length = len, .size = sz, .write = true, .reg = GPR_RAX, .reg_size = sz,          \
		.string = true, .rep = rep_, .addr_size = asz                                      \
	}

#define NONE MMIO_EXTEND_NONE
#define ZERO MMIO_EXTEND_ZERO
#define SIGN MMIO_EXTEND_SIGN

struct decode_case {
	const char *text;
	enum cpu_mode mode;
	uint8_t bytes[MAX_BYTES];
	struct mmio_insn want;
};

static const struct decode_case valid[] = {
    /* 64-bit: GCC output for volatile stores and readb/readw/readl/readq */
    {"mov %esi,(%rdi)", L64, {0x89, 0x37}, WRITE(2, 4, GPR_RSI, 8)},
    {"movl $0x12345678,(%rdi)",
     L64,
     {0xc7, 0x07, 0x78, 0x56, 0x34, 0x12},
     WRITE_IMM(6, 4, 0x12345678, 8)},
    {"movb $0x80,(%rdi)", L64, {0xc6, 0x07, 0x80}, WRITE_IMM(3, 1, 0x80, 8)},
    {"movw $0xbeef,(%rdi)", L64, {0x66, 0xc7, 0x07, 0xef, 0xbe}, WRITE_IMM(5, 2, 0xbeef, 8)},
    {"movq $0xffffffff80000000,(%rdi)",
     L64,
     {0x48, 0xc7, 0x07, 0x00, 0x00, 0x00, 0x80},
     WRITE_IMM(7, 8, 0xffffffff80000000ull, 8)},
    {"movq $0x7fffffff,0x10(%rax)",
     L64,
     {0x48, 0xc7, 0x40, 0x10, 0xff, 0xff, 0xff, 0x7f},
     WRITE_IMM(8, 8, 0x7fffffff, 8)},
    {"mov %rsi,(%rdi)", L64, {0x48, 0x89, 0x37}, WRITE(3, 8, GPR_RSI, 8)},
    {"mov %ax,(%rdi)", L64, {0x66, 0x89, 0x07}, WRITE(3, 2, GPR_RAX, 8)},
    {"movzbl (%rdi),%eax", L64, {0x0f, 0xb6, 0x07}, READ(3, 1, GPR_RAX, 4, ZERO, 8)},
    {"movzwl (%rdi),%eax", L64, {0x0f, 0xb7, 0x07}, READ(3, 2, GPR_RAX, 4, ZERO, 8)},
    {"mov (%rdi),%eax", L64, {0x8b, 0x07}, READ(2, 4, GPR_RAX, 4, NONE, 8)},
    {"mov (%rdi),%rax", L64, {0x48, 0x8b, 0x07}, READ(3, 8, GPR_RAX, 8, NONE, 8)},
    {"mov 0x300(%rdi),%eax",
     L64,
     {0x8b, 0x87, 0x00, 0x03, 0x00, 0x00},
     READ(6, 4, GPR_RAX, 4, NONE, 8)},
    {"mov %esi,0x310(%rdi)", L64, {0x89, 0xb7, 0x10, 0x03, 0x00, 0x00}, WRITE(6, 4, GPR_RSI, 8)},
    /* 64-bit: extensions */
    {"movzbw (%rdi),%ax", L64, {0x66, 0x0f, 0xb6, 0x07}, READ(4, 1, GPR_RAX, 2, ZERO, 8)},
    {"movzbq (%rdi),%r9", L64, {0x4c, 0x0f, 0xb6, 0x0f}, READ(4, 1, GPR_R9, 8, ZERO, 8)},
    {"movzwq (%rdi),%rax", L64, {0x48, 0x0f, 0xb7, 0x07}, READ(4, 2, GPR_RAX, 8, ZERO, 8)},
    {"movsbl (%rdi),%eax", L64, {0x0f, 0xbe, 0x07}, READ(3, 1, GPR_RAX, 4, SIGN, 8)},
    {"movsbl (%rdi),%r8d", L64, {0x44, 0x0f, 0xbe, 0x07}, READ(4, 1, GPR_R8, 4, SIGN, 8)},
    {"movswq (%rdi),%rdx", L64, {0x48, 0x0f, 0xbf, 0x17}, READ(4, 2, GPR_RDX, 8, SIGN, 8)},
    {"movsbw (%rdi),%cx", L64, {0x66, 0x0f, 0xbe, 0x0f}, READ(4, 1, GPR_RCX, 2, SIGN, 8)},
    {"movsbq 0x12(%rax,%rcx,1),%rax",
     L64,
     {0x48, 0x0f, 0xbe, 0x44, 0x08, 0x12},
     READ(6, 1, GPR_RAX, 8, SIGN, 8)},
    {"movslq (%rdi),%rax", L64, {0x48, 0x63, 0x07}, READ(3, 4, GPR_RAX, 8, SIGN, 8)},
    {"movslq 0x40(%r12),%r15",
     L64,
     {0x4d, 0x63, 0x7c, 0x24, 0x40},
     READ(5, 4, GPR_R15, 8, SIGN, 8)},
    /* 64-bit: byte registers with and without REX */
    {"mov (%rdi),%ah", L64, {0x8a, 0x27}, READ_HIGH(2, GPR_RAX, 8)},
    {"mov %bh,(%rsi)", L64, {0x88, 0x3e}, WRITE_HIGH(2, GPR_RBX, 8)},
    {"mov (%rdi),%spl", L64, {0x40, 0x8a, 0x27}, READ(3, 1, GPR_RSP, 1, NONE, 8)},
    {"mov %dil,(%rsi)", L64, {0x40, 0x88, 0x3e}, WRITE(3, 1, GPR_RDI, 8)},
    {"mov (%rdi),%r10b", L64, {0x44, 0x8a, 0x17}, READ(3, 1, GPR_R10, 1, NONE, 8)},
    {"mov %r11w,0x8(%rdi)", L64, {0x66, 0x44, 0x89, 0x5f, 0x08}, WRITE(5, 2, GPR_R11, 8)},
    /* 64-bit: addressing forms */
    {"mov 0x12345678(%rip),%eax",
     L64,
     {0x8b, 0x05, 0x78, 0x56, 0x34, 0x12},
     READ(6, 4, GPR_RAX, 4, NONE, 8)},
    {"mov %ecx,-0x10(%rip)", L64, {0x89, 0x0d, 0xf0, 0xff, 0xff, 0xff}, WRITE(6, 4, GPR_RCX, 8)},
    {"movl $0xdeadbeef,0x100(%rip)",
     L64,
     {0xc7, 0x05, 0x00, 0x01, 0x00, 0x00, 0xef, 0xbe, 0xad, 0xde},
     WRITE_IMM(10, 4, 0xdeadbeef, 8)},
    {"movb $0x7,0x1(%rip)",
     L64,
     {0xc6, 0x05, 0x01, 0x00, 0x00, 0x00, 0x07},
     WRITE_IMM(7, 1, 0x07, 8)},
    {"movw $0x1234,0x12345678(%rip)",
     L64,
     {0x66, 0xc7, 0x05, 0x78, 0x56, 0x34, 0x12, 0x34, 0x12},
     WRITE_IMM(9, 2, 0x1234, 8)},
    {"mov 0x12345678(%rax,%rbx,4),%edx",
     L64,
     {0x8b, 0x94, 0x98, 0x78, 0x56, 0x34, 0x12},
     READ(7, 4, GPR_RDX, 4, NONE, 8)},
    {"mov %edx,0x12345678(,%rcx,8)",
     L64,
     {0x89, 0x14, 0xcd, 0x78, 0x56, 0x34, 0x12},
     WRITE(7, 4, GPR_RDX, 8)},
    {"mov %esi,0x100(%rdi,%rdx,4)",
     L64,
     {0x89, 0xb4, 0x97, 0x00, 0x01, 0x00, 0x00},
     WRITE(7, 4, GPR_RSI, 8)},
    {"mov (%rsp),%eax", L64, {0x8b, 0x04, 0x24}, READ(3, 4, GPR_RAX, 4, NONE, 8)},
    {"mov 0x8(%rsp),%r8", L64, {0x4c, 0x8b, 0x44, 0x24, 0x08}, READ(5, 8, GPR_R8, 8, NONE, 8)},
    {"mov 0x0(%r13),%eax", L64, {0x41, 0x8b, 0x45, 0x00}, READ(4, 4, GPR_RAX, 4, NONE, 8)},
    {"mov (%r12),%eax", L64, {0x41, 0x8b, 0x04, 0x24}, READ(4, 4, GPR_RAX, 4, NONE, 8)},
    {"mov 0x11223344,%eax",
     L64,
     {0x8b, 0x04, 0x25, 0x44, 0x33, 0x22, 0x11},
     READ(7, 4, GPR_RAX, 4, NONE, 8)},
    {"mov (%edi),%eax", L64, {0x67, 0x8b, 0x07}, READ(3, 4, GPR_RAX, 4, NONE, 4)},
    /* 64-bit: moffs is 8 bytes, 4 with 0x67 */
    {"movabs 0x1122334455667788,%eax",
     L64,
     {0xa1, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11},
     READ(9, 4, GPR_RAX, 4, NONE, 8)},
    {"movabs 0x1122334455667788,%al",
     L64,
     {0xa0, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11},
     READ(9, 1, GPR_RAX, 1, NONE, 8)},
    {"movabs %rax,0x1122334455667788",
     L64,
     {0x48, 0xa3, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11},
     WRITE(10, 8, GPR_RAX, 8)},
    {"movabs %ax,0x1122334455667788",
     L64,
     {0x66, 0xa3, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11},
     WRITE(10, 2, GPR_RAX, 8)},
    {"addr32 mov 0x11223344,%eax",
     L64,
     {0x67, 0xa1, 0x44, 0x33, 0x22, 0x11},
     READ(6, 4, GPR_RAX, 4, NONE, 4)},
    /* 64-bit: segment overrides are consumed; a REX before a legacy prefix is void */
    {"mov %fs:0x28,%rax",
     L64,
     {0x64, 0x48, 0x8b, 0x04, 0x25, 0x28, 0x00, 0x00, 0x00},
     READ(9, 8, GPR_RAX, 8, NONE, 8)},
    {"mov %gs:(%rdi),%eax", L64, {0x65, 0x8b, 0x07}, READ(3, 4, GPR_RAX, 4, NONE, 8)},
    {"ss mov (%rax),%eax", L64, {0x36, 0x8b, 0x00}, READ(3, 4, GPR_RAX, 4, NONE, 8)},
    {"rex.W data16 mov %ax,(%rdi)", L64, {0x48, 0x66, 0x89, 0x07}, WRITE(4, 2, GPR_RAX, 8)},
    /* 64-bit: STOS */
    {"rep stos %eax,%es:(%rdi)", L64, {0xf3, 0xab}, STOS(2, 4, true, 8)},
    {"rep stos %rax,%es:(%rdi)", L64, {0xf3, 0x48, 0xab}, STOS(3, 8, true, 8)},
    {"stos %al,%es:(%rdi)", L64, {0xaa}, STOS(1, 1, false, 8)},
    {"rep stos %ax,%es:(%rdi)", L64, {0x66, 0xf3, 0xab}, STOS(3, 2, true, 8)},
    {"rep stos %eax,%es:(%edi)", L64, {0x67, 0xf3, 0xab}, STOS(3, 4, true, 4)},
    /* 32-bit protected mode (GCC -m32 output first) */
    {"mov %edx,(%eax)", P32, {0x89, 0x10}, WRITE(2, 4, GPR_RDX, 4)},
    {"movl $0x80000000,(%eax)",
     P32,
     {0xc7, 0x00, 0x00, 0x00, 0x00, 0x80},
     WRITE_IMM(6, 4, 0x80000000, 4)},
    {"mov %dx,(%eax)", P32, {0x66, 0x89, 0x10}, WRITE(3, 2, GPR_RDX, 4)},
    {"movzbl (%eax),%eax", P32, {0x0f, 0xb6, 0x00}, READ(3, 1, GPR_RAX, 4, ZERO, 4)},
    {"mov 0x300(%eax),%eax",
     P32,
     {0x8b, 0x80, 0x00, 0x03, 0x00, 0x00},
     READ(6, 4, GPR_RAX, 4, NONE, 4)},
    {"movl $0x12345678,0x10(%ebx)",
     P32,
     {0xc7, 0x43, 0x10, 0x78, 0x56, 0x34, 0x12},
     WRITE_IMM(7, 4, 0x12345678, 4)},
    {"movw $0x1234,(%ecx)", P32, {0x66, 0xc7, 0x01, 0x34, 0x12}, WRITE_IMM(5, 2, 0x1234, 4)},
    {"mov 0x12345678,%eax", P32, {0xa1, 0x78, 0x56, 0x34, 0x12}, READ(5, 4, GPR_RAX, 4, NONE, 4)},
    {"mov %eax,0x12345678", P32, {0xa3, 0x78, 0x56, 0x34, 0x12}, WRITE(5, 4, GPR_RAX, 4)},
    {"mov %ax,0x12345678", P32, {0x66, 0xa3, 0x78, 0x56, 0x34, 0x12}, WRITE(6, 2, GPR_RAX, 4)},
    {"mov 0x100(%ebp),%ecx",
     P32,
     {0x8b, 0x8d, 0x00, 0x01, 0x00, 0x00},
     READ(6, 4, GPR_RCX, 4, NONE, 4)},
    {"mov 0x12345678(%esi,%edi,2),%ch",
     P32,
     {0x8a, 0xac, 0x7e, 0x78, 0x56, 0x34, 0x12},
     READ_HIGH(7, GPR_RCX, 4)},
    {"movswl (%eax),%edi", P32, {0x0f, 0xbf, 0x38}, READ(3, 2, GPR_RDI, 4, SIGN, 4)},
    {"mov %ds:0x4(%ebp),%eax", P32, {0x3e, 0x8b, 0x45, 0x04}, READ(4, 4, GPR_RAX, 4, NONE, 4)},
    {"mov (%bx,%si),%eax", P32, {0x67, 0x8b, 0x00}, READ(3, 4, GPR_RAX, 4, NONE, 2)},
    {"rep stos %eax,%es:(%edi)", P32, {0xf3, 0xab}, STOS(2, 4, true, 4)},
    {"stos %ax,%es:(%edi)", P32, {0x66, 0xab}, STOS(2, 2, false, 4)},
    /* real mode and 16-bit protected mode: 16-bit addressing */
    {"mov 0x1234(%bx,%si),%ax", R16, {0x8b, 0x80, 0x34, 0x12}, READ(4, 2, GPR_RAX, 2, NONE, 2)},
    {"mov %al,(%bx,%di)", R16, {0x88, 0x01}, WRITE(2, 1, GPR_RAX, 2)},
    {"mov 0x12(%bp),%cx", R16, {0x8b, 0x4e, 0x12}, READ(3, 2, GPR_RCX, 2, NONE, 2)},
    {"mov 0x1234,%cx", R16, {0x8b, 0x0e, 0x34, 0x12}, READ(4, 2, GPR_RCX, 2, NONE, 2)},
    {"mov 0x1234,%ax", R16, {0xa1, 0x34, 0x12}, READ(3, 2, GPR_RAX, 2, NONE, 2)},
    {"mov %ax,0x1234", R16, {0xa3, 0x34, 0x12}, WRITE(3, 2, GPR_RAX, 2)},
    {"movw $0xbeef,0x1234(%bx,%si)",
     R16,
     {0xc7, 0x80, 0x34, 0x12, 0xef, 0xbe},
     WRITE_IMM(6, 2, 0xbeef, 2)},
    {"movb $0x5a,0x10(%si)", R16, {0xc6, 0x44, 0x10, 0x5a}, WRITE_IMM(4, 1, 0x5a, 2)},
    {"movl $0x12345678,(%di)",
     R16,
     {0x66, 0xc7, 0x05, 0x78, 0x56, 0x34, 0x12},
     WRITE_IMM(7, 4, 0x12345678, 2)},
    {"mov (%di),%eax", R16, {0x66, 0x8b, 0x05}, READ(3, 4, GPR_RAX, 4, NONE, 2)},
    {"mov 0x12345678(%eax,%ebx,4),%dx",
     R16,
     {0x67, 0x8b, 0x94, 0x98, 0x78, 0x56, 0x34, 0x12},
     READ(8, 2, GPR_RDX, 2, NONE, 4)},
    {"mov %es:(%di),%dh", R16, {0x26, 0x8a, 0x35}, READ_HIGH(3, GPR_RDX, 2)},
    {"mov %cs:0x10(%bx,%si),%al", R16, {0x2e, 0x8a, 0x40, 0x10}, READ(4, 1, GPR_RAX, 1, NONE, 2)},
    {"movzbw (%si),%ax", R16, {0x0f, 0xb6, 0x04}, READ(3, 1, GPR_RAX, 2, ZERO, 2)},
    {"movsbl (%bx),%edx", R16, {0x66, 0x0f, 0xbe, 0x17}, READ(4, 1, GPR_RDX, 4, SIGN, 2)},
    {"rep stos %ax,%es:(%di)", R16, {0xf3, 0xab}, STOS(2, 2, true, 2)},
    {"rep stos %eax,%es:(%di)", R16, {0x66, 0xf3, 0xab}, STOS(3, 4, true, 2)},
    {"stos %al,%es:(%di)", R16, {0xaa}, STOS(1, 1, false, 2)},
    {"rep stos %ax,%es:(%edi)", R16, {0x67, 0xf3, 0xab}, STOS(3, 2, true, 4)},
    {"mov %ax,0x1234(%bx)", P16, {0x89, 0x87, 0x34, 0x12}, WRITE(4, 2, GPR_RAX, 2)},
    {"mov 0x0(%bp),%cx", P16, {0x8b, 0x4e, 0x00}, READ(3, 2, GPR_RCX, 2, NONE, 2)},
};

#define NVALID (sizeof valid / sizeof valid[0])

static bool same_decode(const struct mmio_insn *a, const struct mmio_insn *b)
{
	return a->length == b->length && a->size == b->size && a->write == b->write &&
	       a->operand == b->operand && a->reg == b->reg && a->high_byte == b->high_byte &&
	       a->reg_size == b->reg_size && a->extend == b->extend && a->imm == b->imm &&
	       a->string == b->string && a->rep == b->rep && a->addr_size == b->addr_size;
}

static void check_decodes_as(const struct decode_case *c, const uint8_t *bytes, size_t avail)
{
	struct mmio_insn got;
	bool ok = mmio_insn_decode(bytes, avail, c->mode, &got);
	if (ok && same_decode(&got, &c->want))
		return;
	printf("    %s (avail %zu):\n", c->text, avail);
	CHECK(ok);
	if (!ok)
		return;
	CHECK_EQ(got.length, c->want.length);
	CHECK_EQ(got.size, c->want.size);
	CHECK_EQ(got.write, c->want.write);
	CHECK_EQ(got.operand, c->want.operand);
	CHECK_EQ(got.reg, c->want.reg);
	CHECK_EQ(got.high_byte, c->want.high_byte);
	CHECK_EQ(got.reg_size, c->want.reg_size);
	CHECK_EQ(got.extend, c->want.extend);
	CHECK_EQ(got.imm, c->want.imm);
	CHECK_EQ(got.string, c->want.string);
	CHECK_EQ(got.rep, c->want.rep);
	CHECK_EQ(got.addr_size, c->want.addr_size);
}

TEST(table_has_at_least_forty_forms)
{
	CHECK(NVALID >= 40);
}

TEST(valid_forms_decode_exactly)
{
	for (size_t i = 0; i < NVALID; i++)
		check_decodes_as(&valid[i], valid[i].bytes, valid[i].want.length);
}

/* The length must come from the encoding, not from how many bytes were available. */
TEST(valid_forms_ignore_following_bytes)
{
	for (size_t i = 0; i < NVALID; i++) {
		uint8_t buf[MAX_BYTES];
		memset(buf, 0xcc, sizeof buf);
		memcpy(buf, valid[i].bytes, valid[i].want.length);
		check_decodes_as(&valid[i], buf, sizeof buf);
	}
}

TEST(truncated_forms_rejected)
{
	for (size_t i = 0; i < NVALID; i++) {
		struct mmio_insn got;
		for (size_t avail = 0; avail < valid[i].want.length; avail++) {
			if (mmio_insn_decode(valid[i].bytes, avail, valid[i].mode, &got)) {
				printf("    %s accepted with %zu bytes\n", valid[i].text, avail);
				CHECK(false);
			}
		}
	}
}

struct reject_case {
	const char *text;
	enum cpu_mode mode;
	uint8_t bytes[MAX_BYTES];
};

static const struct reject_case invalid[] = {
    {"lock orl $0x1,(%rdi)", L64, {0xf0, 0x83, 0x0f, 0x01}},
    {"lock mov %esi,(%rdi)", L64, {0xf0, 0x89, 0x37}},
    {"mov %eax,%esi (register operand)", L64, {0x89, 0xc6}},
    {"mov %eax,%eax (register operand)", L64, {0x8b, 0xc0}},
    {"mov $0x1,%eax via C7 /0 mod 3", L64, {0xc7, 0xc0, 0x01, 0x00, 0x00, 0x00}},
    {"C7 /1 (undefined)", L64, {0xc7, 0x08, 0x00, 0x00, 0x00, 0x00}},
    {"xabort $0x0 (C6 F8)", L64, {0xc6, 0xf8, 0x00}},
    {"movzbl %al,%eax (register operand)", L64, {0x0f, 0xb6, 0xc0}},
    {"movsxd without REX.W", L64, {0x63, 0x07}},
    {"arpl in 32-bit mode", P32, {0x63, 0x07}},
    {"inc %eax; mov (%edi),%eax in 32-bit mode", P32, {0x40, 0x8b, 0x07}},
    {"rep mov %esi,(%rdi)", L64, {0xf3, 0x89, 0x37}},
    {"repne stos", L64, {0xf2, 0xab}},
    {"add %eax,(%rdi)", L64, {0x01, 0x07}},
    {"inc (%rdi)", L64, {0xff, 0x07}},
    {"movups (%rdi),%xmm0", L64, {0x0f, 0x10, 0x07}},
    {"movsb", L64, {0xa4}},
    {"lodsb", L64, {0xac}},
    {"nop", L64, {0x90}},
    {"pop (%rdi)", L64, {0x8f, 0x07}},
};

TEST(unsupported_forms_rejected)
{
	for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
		struct mmio_insn got;
		if (mmio_insn_decode(invalid[i].bytes, MAX_BYTES, invalid[i].mode, &got)) {
			printf("    accepted: %s\n", invalid[i].text);
			CHECK(false);
		}
	}
}

/* 13 prefixes + 2 bytes fit in 15; a 14th prefix makes it 16 and #GP. */
TEST(fifteen_byte_limit)
{
	uint8_t bytes[16];
	struct mmio_insn got;
	memset(bytes, 0x66, sizeof bytes);
	bytes[13] = 0x8b;
	bytes[14] = 0x07;
	CHECK(mmio_insn_decode(bytes, sizeof bytes, L64, &got));
	CHECK_EQ(got.length, 15);
	bytes[14] = 0x8b;
	bytes[15] = 0x07;
	CHECK(!mmio_insn_decode(bytes, sizeof bytes, L64, &got));
}

/* A 15-byte instruction in a heap block of exactly 15 bytes: any "available" count from 15
 * up is capped (ASan would see a 16th byte read), one fewer truncates it. */
TEST(available_bytes_capped_at_fifteen)
{
	static const size_t avails[] = {15, 16, 4096, SIZE_MAX};
	uint8_t *bytes = malloc(MAX_BYTES);
	struct mmio_insn got;
	memset(bytes, 0x66, MAX_BYTES);
	bytes[13] = 0x8b;
	bytes[14] = 0x07;
	for (unsigned i = 0; i < sizeof avails / sizeof avails[0]; i++) {
		CHECK(mmio_insn_decode(bytes, avails[i], L64, &got));
		CHECK_EQ(got.length, 15);
	}
	CHECK(!mmio_insn_decode(bytes, 14, L64, &got));
	memset(bytes, 0x66, MAX_BYTES); /* 15 prefixes: the opcode would be the 16th byte */
	CHECK(!mmio_insn_decode(bytes, SIZE_MAX, L64, &got));
	free(bytes);
}

/* 64-bit moffs (movabs) is the longest displacement: 8 bytes, then nothing more. */
TEST(moffs64_needs_all_eight_bytes)
{
	const uint8_t movabs[] = {0x48, 0xa1, 0x00, 0x00, 0xe0, 0xfe, 0x00, 0x00, 0x00, 0x00};
	struct mmio_insn got;
	CHECK(mmio_insn_decode(movabs, sizeof movabs, L64, &got));
	CHECK_EQ(got.length, 10);
	CHECK_EQ(got.size, 8);
	CHECK(!mmio_insn_decode(movabs, sizeof movabs - 1, L64, &got));
}

static struct mmio_insn decode(const uint8_t *bytes, size_t n, enum cpu_mode mode)
{
	struct mmio_insn in = {0};
	CHECK(mmio_insn_decode(bytes, n, mode, &in));
	return in;
}

#define DECODE(mode, ...)                                                                          \
	decode((const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__}), mode)

static uint64_t written(struct mmio_insn in, const struct guest_regs *r)
{
	return mmio_insn_write_value(&in, r);
}

TEST(write_values_from_registers_and_immediates)
{
	struct guest_regs r = {0};
	r.gpr[GPR_RSI] = 0x1122334455667788;
	r.gpr[GPR_RBX] = 0xa5a5a5a5a5a51234;
	r.gpr[GPR_RDI] = 0x00000000000000ab;
	r.gpr[GPR_R11] = 0xffffffffffff5678;
	r.gpr[GPR_RAX] = 0x8877665544332211;
	CHECK_EQ(written(DECODE(L64, 0x89, 0x37), &r), 0x55667788);
	CHECK_EQ(written(DECODE(L64, 0x48, 0x89, 0x37), &r), 0x1122334455667788);
	CHECK_EQ(written(DECODE(L64, 0x88, 0x3e), &r), 0x12);
	CHECK_EQ(written(DECODE(L64, 0x40, 0x88, 0x3e), &r), 0xab);
	CHECK_EQ(written(DECODE(L64, 0x66, 0x44, 0x89, 0x5f, 0x08), &r), 0x5678);
	CHECK_EQ(written(DECODE(L64, 0x48, 0xc7, 0x07, 0x00, 0x00, 0x00, 0x80), &r),
		 0xffffffff80000000ull);
	CHECK_EQ(written(DECODE(L64, 0xc6, 0x07, 0x80), &r), 0x80);
	CHECK_EQ(written(DECODE(L64, 0xaa), &r), 0x11);
	CHECK_EQ(written(DECODE(L64, 0x66, 0xf3, 0xab), &r), 0x2211);
	CHECK_EQ(written(DECODE(L64, 0xf3, 0x48, 0xab), &r), 0x8877665544332211);
}

static uint64_t after_read(struct mmio_insn in, uint64_t reg_before, uint64_t value)
{
	struct guest_regs r = {0};
	r.gpr[in.reg] = reg_before;
	mmio_insn_complete(&in, &r, RFLAGS_FIXED, value);
	return r.gpr[in.reg];
}

TEST(reads_write_registers_with_x86_width_rules)
{
	/* mov (%rdi),%eax: a 32-bit write clears bits 63:32 */
	CHECK_EQ(after_read(DECODE(L64, 0x8b, 0x07), ~0ull, 0x12345678), 0x12345678);
	/* mov (%rdi),%rax */
	CHECK_EQ(after_read(DECODE(L64, 0x48, 0x8b, 0x07), 0, 0x8877665544332211),
		 0x8877665544332211);
	/* mov 0x1234(%bx,%si),%ax: merges into bits 15:0 */
	CHECK_EQ(after_read(DECODE(R16, 0x8b, 0x80, 0x34, 0x12), 0xaaaaaaaabbbbcccc, 0x1234),
		 0xaaaaaaaabbbb1234);
	/* mov (%rdi),%r10b: merges into bits 7:0 */
	CHECK_EQ(after_read(DECODE(L64, 0x44, 0x8a, 0x17), 0x1122334455667788, 0xab),
		 0x11223344556677ab);
	/* mov (%rdi),%ah: merges into bits 15:8 of RAX */
	CHECK_EQ(after_read(DECODE(L64, 0x8a, 0x27), 0x1122334455667788, 0xab), 0x112233445566ab88);
	/* mov (%rdi),%spl with REX: bits 7:0 of RSP, not AH */
	CHECK_EQ(after_read(DECODE(L64, 0x40, 0x8a, 0x27), 0x1122334455667788, 0xab),
		 0x11223344556677ab);
	/* mov %es:(%di),%dh in real mode */
	CHECK_EQ(after_read(DECODE(R16, 0x26, 0x8a, 0x35), 0xffff, 0x12), 0x12ff);
}

TEST(extending_reads)
{
	/* movzbl: only the low byte of the device value counts, zero-extended */
	CHECK_EQ(after_read(DECODE(L64, 0x0f, 0xb6, 0x07), ~0ull, 0x1280), 0x80);
	/* movzwl */
	CHECK_EQ(after_read(DECODE(L64, 0x0f, 0xb7, 0x07), ~0ull, 0xabcdef01), 0xef01);
	/* movzbw (%rdi),%ax: 16-bit destination merges */
	CHECK_EQ(after_read(DECODE(L64, 0x66, 0x0f, 0xb6, 0x07), 0x1111111111111111, 0xfe),
		 0x11111111111100fe);
	/* movsbl: sign-extends to 32, then the 32-bit write clears 63:32 */
	CHECK_EQ(after_read(DECODE(L64, 0x0f, 0xbe, 0x07), ~0ull, 0x80), 0xffffff80);
	CHECK_EQ(after_read(DECODE(L64, 0x0f, 0xbe, 0x07), ~0ull, 0x7f), 0x7f);
	/* movswq */
	CHECK_EQ(after_read(DECODE(L64, 0x48, 0x0f, 0xbf, 0x17), 0, 0x8000), 0xffffffffffff8000);
	/* movsbw (%rdi),%cx */
	CHECK_EQ(after_read(DECODE(L64, 0x66, 0x0f, 0xbe, 0x0f), 0x1111111111111111, 0x80),
		 0x111111111111ff80);
	/* movslq */
	CHECK_EQ(after_read(DECODE(L64, 0x48, 0x63, 0x07), 0, 0x80000000), 0xffffffff80000000);
	CHECK_EQ(after_read(DECODE(L64, 0x48, 0x63, 0x07), ~0ull, 0x7fffffff), 0x7fffffff);
}

TEST(writes_leave_registers_alone)
{
	struct guest_regs r, before;
	for (int i = 0; i < GPR_COUNT; i++)
		r.gpr[i] = 0x0101010101010101ull * (uint64_t)(i + 1);
	before = r;
	struct mmio_insn in = DECODE(L64, 0x89, 0x37);
	mmio_insn_complete(&in, &r, RFLAGS_FIXED, 0xdead);
	CHECK(memcmp(&r, &before, sizeof r) == 0);
}

static struct guest_regs stos_step(struct mmio_insn in, uint64_t rdi, uint64_t rcx, bool df)
{
	struct guest_regs r = {0};
	r.gpr[GPR_RDI] = rdi;
	r.gpr[GPR_RCX] = rcx;
	mmio_insn_complete(&in, &r, RFLAGS_FIXED | (df ? RFLAGS_DF : 0), 0);
	return r;
}

TEST(rep_stos_steps_rdi_and_rcx_by_direction)
{
	struct mmio_insn in = DECODE(L64, 0xf3, 0xab); /* rep stosl */
	struct guest_regs r = stos_step(in, 0x1000, 3, false);
	CHECK_EQ(r.gpr[GPR_RDI], 0x1004);
	CHECK_EQ(r.gpr[GPR_RCX], 2);
	CHECK(mmio_insn_rep_pending(&in, &r));
	r = stos_step(in, 0x1000, 3, true);
	CHECK_EQ(r.gpr[GPR_RDI], 0xffc);
	CHECK_EQ(r.gpr[GPR_RCX], 2);
	r = stos_step(in, 0x1000, 1, false);
	CHECK_EQ(r.gpr[GPR_RCX], 0);
	CHECK(!mmio_insn_rep_pending(&in, &r));

	in = DECODE(L64, 0xf3, 0x48, 0xab); /* rep stosq */
	r = stos_step(in, 0x2000, 5, true);
	CHECK_EQ(r.gpr[GPR_RDI], 0x1ff8);
	CHECK_EQ(r.gpr[GPR_RCX], 4);
}

TEST(stos_without_rep_keeps_rcx)
{
	struct mmio_insn in = DECODE(L64, 0xaa); /* stosb */
	struct guest_regs r = stos_step(in, 0x1000, 7, false);
	CHECK_EQ(r.gpr[GPR_RDI], 0x1001);
	CHECK_EQ(r.gpr[GPR_RCX], 7);
	CHECK(!mmio_insn_rep_pending(&in, &r));
	r = stos_step(in, 0x1000, 7, true);
	CHECK_EQ(r.gpr[GPR_RDI], 0xfff);
}

TEST(stos_register_updates_follow_address_size)
{
	/* real mode rep stosw: DI and CX wrap in 16 bits, upper bits untouched */
	struct mmio_insn in = DECODE(R16, 0xf3, 0xab);
	struct guest_regs r = stos_step(in, 0x12340000fffe, 0x55550001, false);
	CHECK_EQ(r.gpr[GPR_RDI], 0x123400000000);
	CHECK_EQ(r.gpr[GPR_RCX], 0x55550000);
	CHECK(!mmio_insn_rep_pending(&in, &r)); /* CX is 0 even though RCX is not */
	r = stos_step(in, 0x12340000, 2, true);
	CHECK_EQ(r.gpr[GPR_RDI], 0x1234fffe);

	/* 64-bit mode addr32 rep stosl: EDI/ECX writes clear bits 63:32 */
	in = DECODE(L64, 0x67, 0xf3, 0xab);
	r = stos_step(in, 0x1fffffffc, 0xffffffff00000002, false);
	CHECK_EQ(r.gpr[GPR_RDI], 0);
	CHECK_EQ(r.gpr[GPR_RCX], 1);
	CHECK(mmio_insn_rep_pending(&in, &r));
}

TEST(cpu_mode_from_cr0_efer_and_cs)
{
	CHECK_EQ(cpu_mode_of(CR0_PE | CR0_PG, RFLAGS_FIXED, EFER_LME | EFER_LMA, SEG_AR_L),
		 CPU_MODE_LONG64);
	CHECK_EQ(cpu_mode_of(CR0_PE | CR0_PG, RFLAGS_FIXED, EFER_LME | EFER_LMA, SEG_AR_DB),
		 CPU_MODE_PROT32);
	CHECK_EQ(cpu_mode_of(CR0_PE | CR0_PG, RFLAGS_FIXED, EFER_LME | EFER_LMA, 0),
		 CPU_MODE_PROT16);
	CHECK_EQ(cpu_mode_of(CR0_PE, RFLAGS_FIXED, 0, SEG_AR_L | SEG_AR_DB), CPU_MODE_PROT32);
	CHECK_EQ(cpu_mode_of(CR0_PE, RFLAGS_FIXED, 0, 0), CPU_MODE_PROT16);
	CHECK_EQ(cpu_mode_of(0, RFLAGS_FIXED, 0, SEG_AR_DB), CPU_MODE_REAL16);
	CHECK_EQ(cpu_mode_of(CR0_PE, RFLAGS_FIXED | RFLAGS_VM, 0, 0), CPU_MODE_REAL16);
}

CHECK_MAIN("insn_decode", CASE(table_has_at_least_forty_forms), CASE(valid_forms_decode_exactly),
	   CASE(valid_forms_ignore_following_bytes), CASE(truncated_forms_rejected),
	   CASE(unsupported_forms_rejected), CASE(fifteen_byte_limit),
	   CASE(write_values_from_registers_and_immediates),
	   CASE(reads_write_registers_with_x86_width_rules), CASE(extending_reads),
	   CASE(writes_leave_registers_alone), CASE(rep_stos_steps_rdi_and_rcx_by_direction),
	   CASE(stos_without_rep_keeps_rcx), CASE(stos_register_updates_follow_address_size),
	   CASE(cpu_mode_from_cr0_efer_and_cs), CASE(available_bytes_capped_at_fifteen),
	   CASE(moffs64_needs_all_eight_bytes))
