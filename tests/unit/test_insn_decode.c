/* MMIO instruction decoder. Every byte sequence below came from GNU as (--64, --32, .code16)
 * or from GCC -O2 output for volatile loads/stores, disassembled with objdump; a few invalid
 * ones (LOCK where the CPU raises #UD) were written by hand. */
#include "kernel/x86.h"
#include "tests/unit/check.h"
#include "vmx/guest_regs.h"
#include "vmx/insn_decode.h"
#include "vmx/vmcs.h"
#include <stdlib.h>

#define MAX_BYTES 15

#define L64 CPU_MODE_LONG64
#define P32 CPU_MODE_PROT32
#define P16 CPU_MODE_PROT16
#define R16 CPU_MODE_REAL16

#define R(r, sz)                                                                                   \
	{                                                                                          \
		.kind = OPERAND_REG, .size = sz, .reg = r                                          \
	}
#define RH(r)                                                                                      \
	{                                                                                          \
		.kind = OPERAND_REG, .size = 1, .reg = r, .high_byte = true                        \
	}
#define M(sz)                                                                                      \
	{                                                                                          \
		.kind = OPERAND_MEM, .size = sz                                                    \
	}
#define I(value, sz)                                                                               \
	{                                                                                          \
		.kind = OPERAND_IMM, .size = sz, .imm = value                                      \
	}
#define NO                                                                                         \
	{                                                                                          \
		.kind = OPERAND_NONE                                                               \
	}

#define INSN(len, op_, asz, dst_, src_, ...)                                                       \
	{                                                                                          \
		.length = len, .op = op_, .addr_size = asz, .dst = dst_, .src = src_, __VA_ARGS__  \
	}
#define READ(len, sz, r, rsz, ext, asz) INSN(len, INSN_MOV, asz, R(r, rsz), M(sz), .extend = ext)
#define READ_HIGH(len, r, asz)		INSN(len, INSN_MOV, asz, RH(r), M(1))
#define WRITE(len, sz, r, asz)		INSN(len, INSN_MOV, asz, M(sz), R(r, sz))
#define WRITE_HIGH(len, r, asz)		INSN(len, INSN_MOV, asz, M(1), RH(r))
#define WRITE_IMM(len, sz, value, asz)	INSN(len, INSN_MOV, asz, M(sz), I(value, sz))
#define STOS(len, sz, rep_, asz)	INSN(len, INSN_STOS, asz, M(sz), R(GPR_RAX, sz), .rep = rep_)
/* A locked read-modify-write of memory (not through INSN: its operands arrive expanded). */
#define LOCKED(len, op_, asz, dst_, src_)                                                          \
	{                                                                                          \
		.length = len, .op = op_, .addr_size = asz, .dst = dst_, .src = src_, .lock = true \
	}

#define NONE EXTEND_NONE
#define ZERO EXTEND_ZERO
#define SIGN EXTEND_SIGN

struct decode_case {
	const char *text;
	enum cpu_mode mode;
	uint8_t bytes[MAX_BYTES];
	struct insn want;
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
    /* read-modify-write ALU forms, with and without LOCK */
    {"lock orl $0x1,(%rdi)", L64, {0xf0, 0x83, 0x0f, 0x01}, LOCKED(4, INSN_OR, 8, M(4), I(1, 4))},
    {"lock orl %esi,(%rdi)", L64, {0xf0, 0x09, 0x37}, LOCKED(3, INSN_OR, 8, M(4), R(GPR_RSI, 4))},
    {"orl (%rdi),%esi", L64, {0x0b, 0x37}, INSN(2, INSN_OR, 8, R(GPR_RSI, 4), M(4))},
    {"lock andl $0xfffffffe,0x10(%rdi)",
     L64,
     {0xf0, 0x83, 0x67, 0x10, 0xfe},
     LOCKED(5, INSN_AND, 8, M(4), I(0xfffffffe, 4))},
    {"lock addq $0x7f,(%rax)",
     L64,
     {0xf0, 0x48, 0x83, 0x00, 0x7f},
     LOCKED(5, INSN_ADD, 8, M(8), I(0x7f, 8))},
    {"lock addl %eax,(%rdx)", L64, {0xf0, 0x01, 0x02}, LOCKED(3, INSN_ADD, 8, M(4), R(GPR_RAX, 4))},
    {"addq (%rdx),%r9", L64, {0x4c, 0x03, 0x0a}, INSN(3, INSN_ADD, 8, R(GPR_R9, 8), M(8))},
    {"lock subw $0x1234,(%rbx)",
     L64,
     {0x66, 0xf0, 0x81, 0x2b, 0x34, 0x12},
     LOCKED(6, INSN_SUB, 8, M(2), I(0x1234, 2))},
    {"xorb $0x80,(%rsi)", L64, {0x80, 0x36, 0x80}, INSN(3, INSN_XOR, 8, M(1), I(0x80, 1))},
    {"lock xorb %cl,(%rsi)", L64, {0xf0, 0x30, 0x0e}, LOCKED(3, INSN_XOR, 8, M(1), R(GPR_RCX, 1))},
    {"adcl %eax,(%rdi)", L64, {0x11, 0x07}, INSN(2, INSN_ADC, 8, M(4), R(GPR_RAX, 4))},
    {"sbbl $-1,(%rdi)", L64, {0x83, 0x1f, 0xff}, INSN(3, INSN_SBB, 8, M(4), I(0xffffffff, 4))},
    {"cmpl $0x10,0x4(%rdi)", L64, {0x83, 0x7f, 0x04, 0x10}, INSN(4, INSN_CMP, 8, M(4), I(0x10, 4))},
    {"cmpb %al,(%rdi)", L64, {0x38, 0x07}, INSN(2, INSN_CMP, 8, M(1), R(GPR_RAX, 1))},
    {"cmp (%rdi),%eax", L64, {0x3b, 0x07}, INSN(2, INSN_CMP, 8, R(GPR_RAX, 4), M(4))},
    {"testl $0x80000000,(%rdi)",
     L64,
     {0xf7, 0x07, 0x00, 0x00, 0x00, 0x80},
     INSN(6, INSN_TEST, 8, M(4), I(0x80000000, 4))},
    {"testb $0x1,(%rdi)", L64, {0xf6, 0x07, 0x01}, INSN(3, INSN_TEST, 8, M(1), I(1, 1))},
    {"test %eax,(%rdi)", L64, {0x85, 0x07}, INSN(2, INSN_TEST, 8, M(4), R(GPR_RAX, 4))},
    {"notl (%rdi)", L64, {0xf7, 0x17}, INSN(2, INSN_NOT, 8, M(4), NO)},
    {"lock negq (%rdi)", L64, {0xf0, 0x48, 0xf7, 0x1f}, LOCKED(4, INSN_NEG, 8, M(8), NO)},
    {"lock incl (%rdi)", L64, {0xf0, 0xff, 0x07}, LOCKED(3, INSN_INC, 8, M(4), NO)},
    {"decw (%rdi)", L64, {0x66, 0xff, 0x0f}, INSN(3, INSN_DEC, 8, M(2), NO)},
    {"incb (%rdi)", L64, {0xfe, 0x07}, INSN(2, INSN_INC, 8, M(1), NO)},
    {"lock orl $0x4,(%eax)", P32, {0xf0, 0x83, 0x08, 0x04}, LOCKED(4, INSN_OR, 4, M(4), I(4, 4))},
    {"lock orw $0x1,(%di)", R16, {0xf0, 0x83, 0x0d, 0x01}, LOCKED(4, INSN_OR, 2, M(2), I(1, 2))},
    {"orb $0x1,(%eax) via 82 (not in 64-bit mode)",
     P32,
     {0x82, 0x08, 0x01},
     INSN(3, INSN_OR, 4, M(1), I(1, 1))},
    /* exchanges */
    {"xchg %eax,(%rdi)", L64, {0x87, 0x07}, INSN(2, INSN_XCHG, 8, M(4), R(GPR_RAX, 4))},
    {"xchg %r10,(%rdi)", L64, {0x4c, 0x87, 0x17}, INSN(3, INSN_XCHG, 8, M(8), R(GPR_R10, 8))},
    {"xchg %bl,(%rdi)", L64, {0x86, 0x1f}, INSN(2, INSN_XCHG, 8, M(1), R(GPR_RBX, 1))},
    {"xchg %bh,(%rdi)", L64, {0x86, 0x3f}, INSN(2, INSN_XCHG, 8, M(1), RH(GPR_RBX))},
    {"lock cmpxchg %ecx,(%rdi)",
     L64,
     {0xf0, 0x0f, 0xb1, 0x0f},
     LOCKED(4, INSN_CMPXCHG, 8, M(4), R(GPR_RCX, 4))},
    {"lock cmpxchg %rcx,(%rdi)",
     L64,
     {0xf0, 0x48, 0x0f, 0xb1, 0x0f},
     LOCKED(5, INSN_CMPXCHG, 8, M(8), R(GPR_RCX, 8))},
    {"cmpxchg %dl,(%rdi)", L64, {0x0f, 0xb0, 0x17}, INSN(3, INSN_CMPXCHG, 8, M(1), R(GPR_RDX, 1))},
    {"lock cmpxchg %edx,(%ebx)",
     P32,
     {0xf0, 0x0f, 0xb1, 0x13},
     LOCKED(4, INSN_CMPXCHG, 4, M(4), R(GPR_RDX, 4))},
    {"lock xadd %eax,(%rdi)",
     L64,
     {0xf0, 0x0f, 0xc1, 0x07},
     LOCKED(4, INSN_XADD, 8, M(4), R(GPR_RAX, 4))},
    {"xadd %ax,(%rdi)", L64, {0x66, 0x0f, 0xc1, 0x07}, INSN(4, INSN_XADD, 8, M(2), R(GPR_RAX, 2))},
    /* bit tests */
    {"btl $0x5,(%rdi)", L64, {0x0f, 0xba, 0x27, 0x05}, INSN(4, INSN_BT, 8, M(4), I(5, 4))},
    {"lock btsl $0x1f,(%rdi)",
     L64,
     {0xf0, 0x0f, 0xba, 0x2f, 0x1f},
     LOCKED(5, INSN_BTS, 8, M(4), I(0x1f, 4))},
    {"btrq $0x3f,(%rdi)",
     L64,
     {0x48, 0x0f, 0xba, 0x37, 0x3f},
     INSN(5, INSN_BTR, 8, M(8), I(0x3f, 8))},
    {"lock btcw $0x3,(%rdi)",
     L64,
     {0x66, 0xf0, 0x0f, 0xba, 0x3f, 0x03},
     LOCKED(6, INSN_BTC, 8, M(2), I(3, 2))},
    {"bt %eax,(%rdi)", L64, {0x0f, 0xa3, 0x07}, INSN(3, INSN_BT, 8, M(4), R(GPR_RAX, 4))},
    {"lock bts %rax,(%rdi)",
     L64,
     {0xf0, 0x48, 0x0f, 0xab, 0x07},
     LOCKED(5, INSN_BTS, 8, M(8), R(GPR_RAX, 8))},
    {"btr %ecx,(%rdi)", L64, {0x0f, 0xb3, 0x0f}, INSN(3, INSN_BTR, 8, M(4), R(GPR_RCX, 4))},
    {"btc %dx,(%rdi)", L64, {0x66, 0x0f, 0xbb, 0x17}, INSN(4, INSN_BTC, 8, M(2), R(GPR_RDX, 2))},
    {"bt %ecx,(%eax)", P32, {0x0f, 0xa3, 0x08}, INSN(3, INSN_BT, 4, M(4), R(GPR_RCX, 4))},
    /* string forms */
    {"movsb", L64, {0xa4}, INSN(1, INSN_MOVS, 8, M(1), M(1))},
    {"rep movsl", L64, {0xf3, 0xa5}, INSN(2, INSN_MOVS, 8, M(4), M(4), .rep = true)},
    {"rep movsq", L64, {0xf3, 0x48, 0xa5}, INSN(3, INSN_MOVS, 8, M(8), M(8), .rep = true)},
    {"movsw", L64, {0x66, 0xa5}, INSN(2, INSN_MOVS, 8, M(2), M(2))},
    {"repne movsb (F2 repeats as F3)",
     L64,
     {0xf2, 0xa4},
     INSN(2, INSN_MOVS, 8, M(1), M(1), .rep = true)},
    {"addr32 rep movsl", L64, {0x67, 0xf3, 0xa5}, INSN(3, INSN_MOVS, 4, M(4), M(4), .rep = true)},
    {"rep movsb", P32, {0xf3, 0xa4}, INSN(2, INSN_MOVS, 4, M(1), M(1), .rep = true)},
    {"rep movsw", P32, {0x66, 0xf3, 0xa5}, INSN(3, INSN_MOVS, 4, M(2), M(2), .rep = true)},
    {"rep movsw", R16, {0xf3, 0xa5}, INSN(2, INSN_MOVS, 2, M(2), M(2), .rep = true)},
    {"rep lodsl", L64, {0xf3, 0xad}, INSN(2, INSN_LODS, 8, R(GPR_RAX, 4), M(4), .rep = true)},
    {"lodsb", L64, {0xac}, INSN(1, INSN_LODS, 8, R(GPR_RAX, 1), M(1))},
    {"lodsq %gs:(%rsi),%rax", L64, {0x65, 0x48, 0xad}, INSN(3, INSN_LODS, 8, R(GPR_RAX, 8), M(8))},
    {"repne stos (F2 repeats as F3)", L64, {0xf2, 0xab}, STOS(2, 4, true, 8)},
    /* stack */
    {"pushq (%rdi)", L64, {0xff, 0x37}, INSN(2, INSN_PUSH, 8, NO, M(8))},
    {"pushw (%rdi)", L64, {0x66, 0xff, 0x37}, INSN(3, INSN_PUSH, 8, NO, M(2))},
    {"rex.W push (%rdi) is still 8 bytes",
     L64,
     {0x48, 0xff, 0x37},
     INSN(3, INSN_PUSH, 8, NO, M(8))},
    {"popq (%rdi)", L64, {0x8f, 0x07}, INSN(2, INSN_POP, 8, M(8), NO)},
    {"popq 0x8(%rsp)", L64, {0x8f, 0x44, 0x24, 0x08}, INSN(4, INSN_POP, 8, M(8), NO)},
    {"pushl (%eax)", P32, {0xff, 0x30}, INSN(2, INSN_PUSH, 4, NO, M(4))},
    {"popl 0x10(%esp)", P32, {0x8f, 0x44, 0x24, 0x10}, INSN(4, INSN_POP, 4, M(4), NO)},
    {"pushw (%eax)", P32, {0x66, 0xff, 0x30}, INSN(3, INSN_PUSH, 4, NO, M(2))},
    {"pushw (%bx)", R16, {0xff, 0x37}, INSN(2, INSN_PUSH, 2, NO, M(2))},
    {"popw (%bx,%si)", R16, {0x8f, 0x00}, INSN(2, INSN_POP, 2, M(2), NO)},
};

#define NVALID (sizeof valid / sizeof valid[0])

static bool same_operand(const struct insn_operand *a, const struct insn_operand *b)
{
	return a->kind == b->kind && a->size == b->size && a->reg == b->reg &&
	       a->high_byte == b->high_byte && a->imm == b->imm;
}

static bool same_decode(const struct insn *a, const struct insn *b)
{
	return a->length == b->length && a->op == b->op && a->addr_size == b->addr_size &&
	       a->extend == b->extend && a->lock == b->lock && a->rep == b->rep &&
	       same_operand(&a->dst, &b->dst) && same_operand(&a->src, &b->src);
}

static void check_operand(const char *which, const struct insn_operand *got,
			  const struct insn_operand *want)
{
	if (same_operand(got, want))
		return;
	printf("    operand %s:\n", which);
	CHECK_EQ(got->kind, want->kind);
	CHECK_EQ(got->size, want->size);
	CHECK_EQ(got->reg, want->reg);
	CHECK_EQ(got->high_byte, want->high_byte);
	CHECK_EQ(got->imm, want->imm);
}

static void check_decodes_as(const struct decode_case *c, const uint8_t *bytes, size_t avail)
{
	struct insn got;
	bool ok = insn_decode(bytes, avail, c->mode, &got);
	if (ok && same_decode(&got, &c->want))
		return;
	printf("    %s (avail %zu):\n", c->text, avail);
	CHECK(ok);
	if (!ok)
		return;
	CHECK_EQ(got.length, c->want.length);
	CHECK_EQ(got.op, c->want.op);
	CHECK_EQ(got.addr_size, c->want.addr_size);
	CHECK_EQ(got.extend, c->want.extend);
	CHECK_EQ(got.lock, c->want.lock);
	CHECK_EQ(got.rep, c->want.rep);
	check_operand("dst", &got.dst, &c->want.dst);
	check_operand("src", &got.src, &c->want.src);
}

TEST(table_has_at_least_a_hundred_forms)
{
	CHECK(NVALID >= 100);
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
		struct insn got;
		for (size_t avail = 0; avail < valid[i].want.length; avail++) {
			if (insn_decode(valid[i].bytes, avail, valid[i].mode, &got)) {
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
    {"lock mov %esi,(%rdi)", L64, {0xf0, 0x89, 0x37}},
    {"lock cmpl $1,(%rdi)", L64, {0xf0, 0x83, 0x3f, 0x01}},
    {"lock btl $1,(%rdi)", L64, {0xf0, 0x0f, 0xba, 0x27, 0x01}},
    {"lock testl $1,(%rdi)", L64, {0xf0, 0xf7, 0x07, 0x01, 0x00, 0x00, 0x00}},
    {"lock or (%rdi),%esi (register destination)", L64, {0xf0, 0x0b, 0x37}},
    {"lock movsb", L64, {0xf0, 0xa4}},
    {"mov %eax,%esi (register operand)", L64, {0x89, 0xc6}},
    {"mov %eax,%eax (register operand)", L64, {0x8b, 0xc0}},
    {"mov $0x1,%eax via C7 /0 mod 3", L64, {0xc7, 0xc0, 0x01, 0x00, 0x00, 0x00}},
    {"or %eax,%esi (register operand)", L64, {0x09, 0xc6}},
    {"inc %eax via FF /0 mod 3", L64, {0xff, 0xc0}},
    {"not %eax via F7 /2 mod 3", L64, {0xf7, 0xd0}},
    {"bt $3,%eax (register operand)", L64, {0x0f, 0xba, 0xe0, 0x03}},
    {"0F BA /0 (undefined)", L64, {0x0f, 0xba, 0x07, 0x03}},
    {"C7 /1 (undefined)", L64, {0xc7, 0x08, 0x00, 0x00, 0x00, 0x00}},
    {"8F /1 (not POP)", L64, {0x8f, 0x0f}},
    {"xabort $0x0 (C6 F8)", L64, {0xc6, 0xf8, 0x00}},
    {"movzbl %al,%eax (register operand)", L64, {0x0f, 0xb6, 0xc0}},
    {"movsxd without REX.W", L64, {0x63, 0x07}},
    {"arpl in 32-bit mode", P32, {0x63, 0x07}},
    {"82 in 64-bit mode", L64, {0x82, 0x08, 0x01}},
    {"inc %eax; mov (%edi),%eax in 32-bit mode", P32, {0x40, 0x8b, 0x07}},
    {"rep mov %esi,(%rdi)", L64, {0xf3, 0x89, 0x37}},
    {"rep addl %eax,(%rdi)", L64, {0xf3, 0x01, 0x07}},
    {"xacquire lock orl (F2 on a locked form)", L64, {0xf2, 0xf0, 0x09, 0x37}},
    {"mull (%rdi)", L64, {0xf7, 0x27}},
    {"call *(%rdi)", L64, {0xff, 0x17}},
    {"jmp *(%rdi)", L64, {0xff, 0x27}},
    {"cmpsb", L64, {0xa6}},
    {"scasb", L64, {0xae}},
    {"xchg %eax,%esi (no memory operand)", L64, {0x96}},
    {"push %rax", L64, {0x50}},
    {"movups (%rdi),%xmm0", L64, {0x0f, 0x10, 0x07}},
    {"movdqa (%rdi),%xmm0", L64, {0x66, 0x0f, 0x6f, 0x07}},
    {"nop", L64, {0x90}},
};

TEST(unsupported_forms_rejected)
{
	for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
		struct insn got;
		if (insn_decode(invalid[i].bytes, MAX_BYTES, invalid[i].mode, &got)) {
			printf("    accepted: %s\n", invalid[i].text);
			CHECK(false);
		}
	}
}

/* 13 prefixes + 2 bytes fit in 15; a 14th prefix makes it 16 and #GP. */
TEST(fifteen_byte_limit)
{
	uint8_t bytes[16];
	struct insn got;
	memset(bytes, 0x66, sizeof bytes);
	bytes[13] = 0x8b;
	bytes[14] = 0x07;
	CHECK(insn_decode(bytes, sizeof bytes, L64, &got));
	CHECK_EQ(got.length, 15);
	bytes[14] = 0x8b;
	bytes[15] = 0x07;
	CHECK(!insn_decode(bytes, sizeof bytes, L64, &got));
}

#define NOREG INSN_NO_REG

struct address_case {
	const char *text;
	enum cpu_mode mode;
	uint8_t bytes[MAX_BYTES];
	struct insn_mem want;
};

/* Where the memory operand is: registers, scale, segment and displacement. */
static const struct address_case addresses[] = {
    {"mov (%rdi),%eax", L64, {0x8b, 0x07}, {GPR_RDI, NOREG, 1, SEG_DS, 0}},
    {"mov 0x300(%rdi),%eax",
     L64,
     {0x8b, 0x87, 0x00, 0x03, 0x00, 0x00},
     {GPR_RDI, NOREG, 1, SEG_DS, 0x300}},
    {"mov %ecx,-0x10(%rip)",
     L64,
     {0x89, 0x0d, 0xf0, 0xff, 0xff, 0xff},
     {INSN_RIP, NOREG, 1, SEG_DS, -0x10}},
    {"mov 0x12345678(%rax,%rbx,4),%edx",
     L64,
     {0x8b, 0x94, 0x98, 0x78, 0x56, 0x34, 0x12},
     {GPR_RAX, GPR_RBX, 4, SEG_DS, 0x12345678}},
    {"mov %edx,0x12345678(,%rcx,8)",
     L64,
     {0x89, 0x14, 0xcd, 0x78, 0x56, 0x34, 0x12},
     {NOREG, GPR_RCX, 8, SEG_DS, 0x12345678}},
    {"mov 0x11223344,%eax (SIB, no base, no index)",
     L64,
     {0x8b, 0x04, 0x25, 0x44, 0x33, 0x22, 0x11},
     {NOREG, NOREG, 1, SEG_DS, 0x11223344}},
    {"movl (%rbp),%eax", L64, {0x8b, 0x45, 0x00}, {GPR_RBP, NOREG, 1, SEG_SS, 0}},
    {"movl (%r13),%eax", L64, {0x41, 0x8b, 0x45, 0x00}, {GPR_R13, NOREG, 1, SEG_DS, 0}},
    {"mov (%r12),%eax", L64, {0x41, 0x8b, 0x04, 0x24}, {GPR_R12, NOREG, 1, SEG_DS, 0}},
    {"movl 4(,%r12,2),%eax",
     L64,
     {0x42, 0x8b, 0x04, 0x65, 0x04, 0x00, 0x00, 0x00},
     {NOREG, GPR_R12, 2, SEG_DS, 4}},
    {"movl -8(%rsp,%r12,4),%eax",
     L64,
     {0x42, 0x8b, 0x44, 0xa4, 0xf8},
     {GPR_RSP, GPR_R12, 4, SEG_SS, -8}},
    {"lock orl $1,(%r12,%r13,8)",
     L64,
     {0xf0, 0x43, 0x83, 0x0c, 0xec, 0x01},
     {GPR_R12, GPR_R13, 8, SEG_DS, 0}},
    {"mov %fs:0x28,%rax",
     L64,
     {0x64, 0x48, 0x8b, 0x04, 0x25, 0x28, 0x00, 0x00, 0x00},
     {NOREG, NOREG, 1, SEG_FS, 0x28}},
    {"movabs 0x1122334455667788,%eax",
     L64,
     {0xa1, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11},
     {NOREG, NOREG, 1, SEG_DS, 0x1122334455667788}},
    {"movl (%ebp),%eax", P32, {0x8b, 0x45, 0x00}, {GPR_RBP, NOREG, 1, SEG_SS, 0}},
    {"movl 0x11223344,%eax (moffs)",
     P32,
     {0xa1, 0x44, 0x33, 0x22, 0x11},
     {NOREG, NOREG, 1, SEG_DS, 0x11223344}},
    {"mov 0x12345678,%eax (disp32)",
     P32,
     {0x8b, 0x05, 0x78, 0x56, 0x34, 0x12},
     {NOREG, NOREG, 1, SEG_DS, 0x12345678}},
    {"mov (%bx,%si),%eax", P32, {0x67, 0x8b, 0x00}, {GPR_RBX, GPR_RSI, 1, SEG_DS, 0}},
    {"movw (%bp,%di),%ax", R16, {0x8b, 0x03}, {GPR_RBP, GPR_RDI, 1, SEG_SS, 0}},
    {"movw 0x10(%bp),%ax", R16, {0x8b, 0x46, 0x10}, {GPR_RBP, NOREG, 1, SEG_SS, 0x10}},
    {"movw %es:(%bp),%ax", R16, {0x26, 0x8b, 0x46, 0x00}, {GPR_RBP, NOREG, 1, SEG_ES, 0}},
    {"mov 0x1234,%cx", R16, {0x8b, 0x0e, 0x34, 0x12}, {NOREG, NOREG, 1, SEG_DS, 0x1234}},
    {"mov -0x2(%si),%cx", R16, {0x8b, 0x4c, 0xfe}, {GPR_RSI, NOREG, 1, SEG_DS, -2}},
    {"movsl %fs:(%rsi),%es:(%rdi) (source segment)",
     L64,
     {0x64, 0xa5},
     {NOREG, NOREG, 1, SEG_FS, 0}},
    {"rep movsb (source DS)", P32, {0xf3, 0xa4}, {NOREG, NOREG, 1, SEG_DS, 0}},
};

TEST(memory_operands_locate_exactly)
{
	for (size_t i = 0; i < sizeof addresses / sizeof addresses[0]; i++) {
		const struct address_case *c = &addresses[i];
		struct insn got;
		bool ok = insn_decode(c->bytes, MAX_BYTES, c->mode, &got);
		const struct insn_mem *m = &got.mem;
		if (ok && m->base == c->want.base && m->index == c->want.index &&
		    m->scale == c->want.scale && m->seg == c->want.seg && m->disp == c->want.disp)
			continue;
		printf("    %s:\n", c->text);
		CHECK(ok);
		CHECK_EQ(m->base, c->want.base);
		CHECK_EQ(m->index, c->want.index);
		CHECK_EQ(m->scale, c->want.scale);
		CHECK_EQ(m->seg, c->want.seg);
		CHECK_EQ(m->disp, c->want.disp);
	}
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
	CHECK_EQ(cpu_mode_of(0, RFLAGS_FIXED, 0, 0), CPU_MODE_REAL16);
	/* PE cleared while running 32-bit code: CS keeps its D bit until a far jump. */
	CHECK_EQ(cpu_mode_of(0, RFLAGS_FIXED, 0, SEG_AR_DB), CPU_MODE_PROT32);
	CHECK_EQ(cpu_mode_of(CR0_PE, RFLAGS_FIXED | RFLAGS_VM, 0, 0), CPU_MODE_REAL16);
	CHECK_EQ(cpu_mode_of(CR0_PE, RFLAGS_FIXED | RFLAGS_VM, 0, SEG_AR_DB), CPU_MODE_REAL16);
}

/* A 15-byte instruction in a heap block of exactly 15 bytes: any "available" count from 15
 * up is capped (ASan would see a 16th byte read), one fewer truncates it. */
TEST(available_bytes_capped_at_fifteen)
{
	static const size_t avails[] = {15, 16, 4096, SIZE_MAX};
	uint8_t *bytes = malloc(MAX_BYTES);
	struct insn got;
	memset(bytes, 0x66, MAX_BYTES);
	bytes[13] = 0x8b;
	bytes[14] = 0x07;
	for (unsigned i = 0; i < sizeof avails / sizeof avails[0]; i++) {
		CHECK(insn_decode(bytes, avails[i], L64, &got));
		CHECK_EQ(got.length, 15);
	}
	CHECK(!insn_decode(bytes, 14, L64, &got));
	memset(bytes, 0x66, MAX_BYTES); /* 15 prefixes: the opcode would be the 16th byte */
	CHECK(!insn_decode(bytes, SIZE_MAX, L64, &got));
	free(bytes);
}

/* 64-bit moffs (movabs) is the longest displacement: 8 bytes, then nothing more. */
TEST(moffs64_needs_all_eight_bytes)
{
	const uint8_t movabs[] = {0x48, 0xa1, 0x00, 0x00, 0xe0, 0xfe, 0x00, 0x00, 0x00, 0x00};
	struct insn got;
	CHECK(insn_decode(movabs, sizeof movabs, L64, &got));
	CHECK_EQ(got.length, 10);
	CHECK_EQ(got.dst.size, 8);
	CHECK(!insn_decode(movabs, sizeof movabs - 1, L64, &got));
}

CHECK_MAIN("insn_decode", CASE(table_has_at_least_a_hundred_forms),
	   CASE(valid_forms_decode_exactly), CASE(valid_forms_ignore_following_bytes),
	   CASE(truncated_forms_rejected), CASE(unsupported_forms_rejected),
	   CASE(fifteen_byte_limit), CASE(memory_operands_locate_exactly),
	   CASE(cpu_mode_from_cr0_efer_and_cs),
	   CASE(available_bytes_capped_at_fifteen), CASE(moffs64_needs_all_eight_bytes))
