/* MMIO: every instruction form mhv decodes (MOV in both directions with every register, MOV
 * imm, moffs, MOVZX/MOVSX, STOS and REP STOS in both directions, segment overrides, SIB
 * addressing), at the local APIC, the I/O APIC and the test device, at widths 1, 2 and 4.
 * The test device's scratch register has simple semantics (kernel/guest_abi.h), so every
 * access to it is checked against a model: a wrong emulation fails the run. */
#include "guests/chaos/chaos.h"
#include "guests/lib/exit.h"
#include "guests/lib/printf.h"
#include "guests/lib/trap.h"
#include "kernel/guest_abi.h"

#define LAPIC_ICR_LO	0x300
#define IOAPIC_REGSEL	0x00
#define IOAPIC_WINDOW	0x10
#define IOAPIC_DM_SHIFT 8
#define DM_INIT		5u
#define SCRATCH_BYTES	8
#define SCRATCH_END	(PAGE_SIZE - SCRATCH_BYTES) /* MHV_TESTDEV_SCRATCH_END */

enum target { TARGET_TESTDEV, TARGET_LAPIC, TARGET_IOAPIC };

static u8 scratch_model[2][SCRATCH_BYTES];

/* The model's byte at `offset` of the page, or 0 where no register is. */
static u8 *model_byte(u32 offset)
{
	if (offset < SCRATCH_BYTES)
		return &scratch_model[0][offset];
	if (offset >= SCRATCH_END && offset < PAGE_SIZE)
		return &scratch_model[1][offset - SCRATCH_END];
	return 0;
}

void testdev_model_write(u32 offset, u32 size, u32 value)
{
	for (u32 i = 0; i < size; i++) {
		u8 *b = model_byte(offset + i);
		if (b)
			*b = (u8)(value >> (8 * i));
	}
}

u32 testdev_model_read(u32 offset, u32 size)
{
	u32 v = 0;
	for (u32 i = 0; i < size; i++) {
		const u8 *b = model_byte(offset + i);
		v |= b ? (u32)*b << (8 * i) : 0;
	}
	return v;
}

void testdev_check(u32 offset, u32 size, u32 got, const char *form)
{
	u32 want = testdev_model_read(offset, size);
	if (got == want)
		return;
	printf("chaos: seed %u: FAIL: op %u: test device %s at offset 0x%x size %u read 0x%x, "
	       "expected 0x%x\n",
	       env.seed, env.op_index, form, offset, size, got, want);
	guest_exit(EXIT_FAIL);
}

/* May `len` bytes of elements of `size` bytes, each `*value`, be stored from `low` on without
 * resetting the VM? Tames the value where needed. */
static bool tame_range(enum target t, u32 low, u32 len, u32 size, u32 *value)
{
	if (t == TARGET_LAPIC && low < LAPIC_ICR_LO + 4 && low + len > LAPIC_ICR_LO) {
		if (size != 4 || (LAPIC_ICR_LO - low) % 4)
			return false;
		*value = icr_tame(*value);
	}
	/* An INIT redirection entry could reset the VM: never write that pattern, whatever the
	 * selector. */
	if (t == TARGET_IOAPIC && ((*value >> IOAPIC_DM_SHIFT) & 7) == DM_INIT)
		*value &= ~(7u << IOAPIC_DM_SHIFT);
	return true;
}

static u32 target_base(enum target t)
{
	return t == TARGET_TESTDEV ? MHV_TESTDEV_GPA : t == TARGET_LAPIC ? LAPIC_BASE : IOAPIC_BASE;
}

static u32 random_offset(enum target t, u32 size)
{
	u32 off;
	if (t == TARGET_TESTDEV)
		off = rnd_chance(80) ? rnd_below(12) : rnd_below(PAGE_SIZE);
	else if (t == TARGET_IOAPIC)
		off = rnd_chance(80) ? (rnd_chance(50) ? IOAPIC_REGSEL : IOAPIC_WINDOW)
				     : rnd_below(PAGE_SIZE);
	else
		off = rnd_chance(70) ? rnd_below(64) * 16 : rnd_below(PAGE_SIZE);
	return off > PAGE_SIZE - size ? PAGE_SIZE - size : off; /* straddling is final-op only */
}

/* One store of `size` bytes of `v` at `a`, in a form picked at random. */
static void store(u32 a, u32 size, u32 v)
{
	u32 i = rnd_below(4), zero = 0;
	if (size == 1) {
		if (i == 0)
			__asm__ volatile("movb %%ah, (%1)" : : "a"(v << 8), "r"(a) : "memory");
		else if (i == 1)
			__asm__ volatile("movb %b0, %%es:(%1)" : : "q"(v), "r"(a) : "memory");
		else
			__asm__ volatile("movb %b0, 3(%1,%2,1)"
					 :
					 : "q"(v), "r"(a - 3), "r"(zero)
					 : "memory");
	} else if (size == 2) {
		if (i == 0)
			__asm__ volatile("movw %w0, %%ss:(%1)" : : "r"(v), "r"(a) : "memory");
		else
			__asm__ volatile("movw %w0, -0x80(%1,%2,4)"
					 :
					 : "r"(v), "r"(a + 0x80), "r"(zero)
					 : "memory");
	} else {
		if (i == 0)
			__asm__ volatile("movl %0, (%1)" : : "r"(v), "r"(a) : "memory");
		else if (i == 1)
			__asm__ volatile("movl %0, 0x12345678(%1)"
					 :
					 : "r"(v), "r"(a - 0x12345678)
					 : "memory");
		else if (!(a & 1))
			__asm__ volatile("movl %0, %%fs:(,%1,2)" : : "r"(v), "r"(a / 2) : "memory");
		else
			__asm__ volatile("movl %0, (%1)" : : "r"(v), "r"(a) : "memory");
	}
}

/* One load of `size` bytes at `a`, zero-extended, in a form picked at random. */
static u32 load(u32 a, u32 size)
{
	u32 i = rnd_below(3), v = rnd();
	if (size == 1) {
		if (i == 0)
			__asm__ volatile("movzbl (%1), %0" : "=r"(v) : "r"(a) : "memory");
		else if (i == 1)
			__asm__ volatile("movb (%1), %%ah\n\tshr $8, %0\n\tmovzbl %b0, %0"
					 : "+a"(v)
					 : "r"(a)
					 : "memory");
		else
			__asm__ volatile("movsbl %%cs:(%1), %0\n\tmovzbl %b0, %0"
					 : "=q"(v)
					 : "r"(a)
					 : "memory");
	} else if (size == 2) {
		if (i == 0)
			__asm__ volatile("movzwl (%1), %0" : "=r"(v) : "r"(a) : "memory");
		else if (i == 1)
			__asm__ volatile("movw (%1), %w0\n\tmovzwl %w0, %0"
					 : "+r"(v)
					 : "r"(a)
					 : "memory");
		else
			__asm__ volatile("movswl 2(%1), %0\n\tmovzwl %w0, %0"
					 : "=r"(v)
					 : "r"(a - 2)
					 : "memory");
	} else {
		__asm__ volatile("movl (%1), %0" : "=r"(v) : "r"(a) : "memory");
	}
	return v;
}

/* Fixed-address encodings: moffs (A0-A3) and MOV imm (C6/C7) at the scratch register. */
static void fixed_forms(void)
{
	u32 v = rnd(), got;
	switch (rnd_below(5)) {
	case 0:
		__asm__ volatile("movl %%eax, %c0" : : "i"(MHV_TESTDEV_GPA), "a"(v) : "memory");
		testdev_model_write(0, 4, v);
		break;
	case 1:
		__asm__ volatile("movb %%al, %c0" : : "i"(MHV_TESTDEV_GPA + 1), "a"(v) : "memory");
		testdev_model_write(1, 1, v);
		break;
	case 2:
		__asm__ volatile("movl $0x5aa5c33c, %c0" : : "i"(MHV_TESTDEV_GPA) : "memory");
		testdev_model_write(0, 4, 0x5aa5c33cu);
		break;
	case 3:
		__asm__ volatile("movw $0xbeef, %c0" : : "i"(MHV_TESTDEV_GPA + 2) : "memory");
		testdev_model_write(2, 2, 0xbeefu);
		break;
	default:
		__asm__ volatile("movb $0x81, %c0" : : "i"(MHV_TESTDEV_GPA + 5) : "memory");
		testdev_model_write(5, 1, 0x81u);
		break;
	}
	__asm__ volatile("movl %c1, %%eax" : "=a"(got) : "i"(MHV_TESTDEV_GPA) : "memory");
	testdev_check(0, 4, got, "moffs read");
	__asm__ volatile("movw %c1, %%ax"
			 : "=a"(got)
			 : "i"(MHV_TESTDEV_GPA + 4), "0"(0)
			 : "memory");
	testdev_check(4, 2, got, "moffs read");
}

/* Faulting forms that never reach the device: LOCK MOV is #UD, a store through CS is #GP. */
static void faulting_forms(u32 a)
{
	__asm__ volatile(TRAP_TRY(".byte 0xf0\n\tmovl %0, (%1)") : : "r"(0), "r"(a) : "memory");
	faulted();
	__asm__ volatile(TRAP_TRY("movl %0, %%cs:(%1)") : : "r"(0), "r"(a) : "memory");
	faulted();
}

void op_mmio(void)
{
	u32 n = 1 + rnd_below(16);
	for (u32 k = 0; k < n; k++) {
		enum target t = (enum target)rnd_below(3);
		u32 size = 1u << rnd_below(3), off = random_offset(t, size), v = rnd_value();
		u32 a = target_base(t) + off;
		if (rnd_chance(5)) {
			faulting_forms(a);
		} else if (rnd_chance(10)) {
			fixed_forms();
		} else if (rnd_chance(50)) {
			if (!tame_range(t, off, size, size, &v))
				continue;
			store(a, size, v);
			if (t == TARGET_TESTDEV)
				testdev_model_write(off, size, v);
		} else {
			u32 got = load(a, size);
			if (t == TARGET_TESTDEV)
				testdev_check(off, size, got, "load");
		}
	}
}

static void rep_stos(u32 a, u32 size, u32 count, u32 v)
{
	if (size == 1)
		__asm__ volatile("rep stosb" : "+D"(a), "+c"(count) : "a"(v) : "memory");
	else if (size == 2)
		__asm__ volatile("rep stosw" : "+D"(a), "+c"(count) : "a"(v) : "memory");
	else
		__asm__ volatile("rep stosl" : "+D"(a), "+c"(count) : "a"(v) : "memory");
}

void op_mmio_string(void)
{
	enum target t = (enum target)rnd_below(3);
	u32 size = 1u << rnd_below(3), count = rnd_below(17), v = rnd_value();
	bool down = rnd_chance(30), single = rnd_chance(20);
	u32 span = (count ? count : 1) * size;
	u32 off = rnd_chance(50) ? 0 : rnd_below(PAGE_SIZE - span);
	if (down)
		off += span - size; /* the first element is the highest */
	if (single)
		count = 1;
	/* Every element stores the same value: tame it for the whole range. */
	u32 low = down ? off - (count ? count - 1 : 0) * size : off;
	if (!tame_range(t, low, (count ? count : 1) * size, size, &v))
		return;
	trace("%sstos%u x%u at 0x%x%s", single ? "" : "rep ", size, count, target_base(t) + off,
	      down ? " down" : "");
	if (down)
		__asm__ volatile("std");
	u32 a = target_base(t) + off;
	if (single) {
		if (size == 1)
			__asm__ volatile("stosb" : "+D"(a) : "a"(v) : "memory");
		else if (size == 2)
			__asm__ volatile("stosw" : "+D"(a) : "a"(v) : "memory");
		else
			__asm__ volatile("stosl" : "+D"(a) : "a"(v) : "memory");
	} else {
		rep_stos(a, size, count, v);
	}
	__asm__ volatile("cld");
	if (t != TARGET_TESTDEV)
		return;
	for (u32 i = 0; i < count; i++)
		testdev_model_write(down ? off - i * size : off + i * size, size, v);
	testdev_check(0, 4, load(MHV_TESTDEV_GPA, 4), "read after stos");
}
