/* Control registers, debug registers and x87/SSE state: random writes, each inside a recovery
 * point, then the values our own code needs are put back. FPU state is left dirty on purpose:
 * another VM must never see it. */
#include "guests/chaos/chaos.h"
#include "guests/lib/safe.h"
#include "guests/lib/trap.h"
#include "guests/lib/x86.h"
#include "kernel/guest_abi.h"

#define CR0_PE	     (1u << 0)
#define CR0_MP	     (1u << 1)
#define CR0_EM	     (1u << 2)
#define CR0_NE	     (1u << 5)
#define CR0_WP	     (1u << 16)
#define CR0_AM	     (1u << 18)
#define CR0_NW	     (1u << 29)
#define CR0_CD	     (1u << 30)
#define CR0_RESERVED 0x1ffaffc0u /* bits 28:19, 17, 15:6 */
#define CR0_RANDOM                                                                                 \
	(CR0_MP | CR0_EM | CR0_TS | (1u << 4) | CR0_NE | CR0_WP | CR0_AM | CR0_NW | CR0_CD)
#define CR4_DE	       (1u << 3)
#define CR4_OSFXSR     (1u << 9)
#define CR4_OSXMMEXCPT (1u << 10)
#define DR7_GD	       (1u << 13)
#define DR7_LE_GE      (3u << 8)

static volatile u32 watched[4]; /* what the data breakpoints we arm look at */

static bool write_cr0_safe(u32 v)
{
	__asm__ volatile(TRAP_TRY("mov %0, %%cr0") : : "r"(v) : "memory");
	return !faulted();
}

static void fpu_touch(void)
{
	__asm__ volatile(TRAP_TRY("fnop") : : : "memory");
	faulted();
	__asm__ volatile(TRAP_TRY("fwait") : : : "memory");
	faulted();
}

static void cr0_chaos(void)
{
	u32 old = read_cr0(), v = (old & ~CR0_RANDOM) | (rnd() & CR0_RANDOM);
	if (rnd_chance(10))
		v |= rnd() & CR0_RESERVED;
	if (rnd_chance(5))
		v = (v | CR0_PG) & ~CR0_PE; /* PG without PE: #GP */
	trace("cr0 0x%x -> 0x%x", old, v);
	if (write_cr0_safe(v))
		fpu_touch();
	write_cr0(old);
}

static void cr4_chaos(void)
{
	u32 old = read_cr4(), v;
	switch (rnd_below(3)) {
	case 0:
		v = old ^ (1u << rnd_below(32));
		break;
	case 1:
		v = rnd() & 0x7fffffu; /* the architectural bits so far */
		break;
	default:
		v = rnd();
		break;
	}
	trace("cr4 0x%x -> 0x%x", old, v);
	if (!write_cr4_safe(v))
		stats.faults++;
	__asm__ volatile(TRAP_TRY("rdtsc") : : : "eax", "edx", "memory");
	faulted();
	write_cr4(old);
}

void op_cr(void)
{
	u32 v = rnd_value();
	switch (rnd_below(7)) {
	case 0:
	case 1:
		cr0_chaos();
		break;
	case 2:
	case 3:
		cr4_chaos();
		break;
	case 4: /* paging is off: CR3 is only a number until the paging operation */
		__asm__ volatile("mov %%cr3, %%eax\n\t"
				 "mov %0, %%cr3\n\t"
				 "mov %%eax, %%cr3"
				 :
				 : "r"(v)
				 : "eax", "memory");
		break;
	case 5:
		__asm__ volatile("mov %0, %%cr2" : : "r"(v) : "memory");
		break;
	default: /* LMSW can set PE but never clear it; CLTS; CR1 does not exist (#UD) */
		__asm__ volatile("smsw %%ax\n\t"
				 "push %%eax\n\t"
				 "lmsw %w0\n\t"
				 "clts\n\t"
				 "pop %%eax\n\t"
				 "lmsw %%ax"
				 :
				 : "r"(v | CR0_PE)
				 : "eax", "memory");
		__asm__ volatile(TRAP_TRY(".byte 0x0f, 0x22, 0xc8")
				 :
				 :
				 : "memory"); /* mov eax, cr1 */
		faulted();
		break;
	}
}

#define MOV_TO_DR(n, v) __asm__ volatile(TRAP_TRY("mov %0, %%dr" #n) : : "r"(v) : "memory")

void op_dr(void)
{
	u32 cr4 = read_cr4();
	if (rnd_chance(50))
		write_cr4_safe(cr4 | CR4_DE); /* DR4/5 #UD, I/O breakpoints */
	u32 len_rw = rnd() & 0xffff0000u, enables = rnd() & 0xffu;
	u32 dr7 =
	    len_rw | enables | (rnd_chance(30) ? DR7_LE_GE : 0) | (rnd_chance(10) ? DR7_GD : 0);
	u32 target[4];
	for (int i = 0; i < 4; i++)
		target[i] = rnd_chance(60)   ? (u32)&watched[i]
			    : rnd_chance(50) ? rnd_below(0x10000)
					     : rnd();
	trace("dr7 0x%x, dr0-3 0x%x 0x%x 0x%x 0x%x", dr7, target[0], target[1], target[2],
	      target[3]);
	MOV_TO_DR(0, target[0]);
	faulted();
	MOV_TO_DR(1, target[1]);
	faulted();
	MOV_TO_DR(2, target[2]);
	faulted();
	MOV_TO_DR(3, target[3]);
	faulted();
	MOV_TO_DR(6, rnd_value());
	faulted();
	MOV_TO_DR(7, dr7);
	faulted();
	/* Touch what the breakpoints watch (data, and ports for I/O breakpoints); the #DB traps
	 * disarm DR7. */
	for (int i = 0; i < 4; i++)
		watched[i] += (u32)i;
	inb((u16)target[rnd_below(4)]);
	u32 v;
	__asm__ volatile(TRAP_TRY("mov %%dr4, %0") : "=r"(v) : : "memory");
	faulted();
	__asm__ volatile(TRAP_TRY("mov %%dr6, %0") : "=r"(v) : : "memory");
	faulted();
	/* DR7.GD makes the first of these a #DB, which clears GD. */
	for (int i = 0; i < 3; i++) {
		MOV_TO_DR(7, 0u);
		if (!faulted())
			break;
	}
	write_cr4(cr4);
}

static u8 fx_area[512] __attribute__((aligned(16)));

static void x87_chaos(void)
{
	u16 cw = (u16)rnd();
	u32 vals[2] = {rnd(), rnd()};
	__asm__ volatile(TRAP_TRY("fninit") : : : "memory");
	faulted();
	__asm__ volatile(TRAP_TRY("fldcw %0") : : "m"(cw) : "memory");
	faulted();
	__asm__ volatile(TRAP_TRY("fildl %0") : : "m"(vals[0]) : "memory");
	faulted();
	__asm__ volatile(TRAP_TRY("fldz") : : : "memory");
	faulted();
	__asm__ volatile(TRAP_TRY("fdivrp") : : : "memory"); /* x / 0 */
	faulted();
	__asm__ volatile(TRAP_TRY("fildl %0") : : "m"(vals[1]) : "memory");
	faulted();
	fpu_touch(); /* an unmasked exception pending: #MF here */
}

static void sse_chaos(void)
{
	u32 cr4 = read_cr4();
	u32 mxcsr = rnd_chance(70) ? rnd() & 0xffffu : rnd();
	u32 data[8] __attribute__((aligned(16)));
	for (int i = 0; i < 8; i++)
		data[i] = rnd();
	write_cr4_safe(cr4 | (rnd_chance(80) ? CR4_OSFXSR : 0) |
		       (rnd_chance(50) ? CR4_OSXMMEXCPT : 0));
	__asm__ volatile(TRAP_TRY("ldmxcsr %0") : : "m"(mxcsr) : "memory");
	faulted();
	__asm__ volatile(TRAP_TRY("movups %0, %%xmm0") : : "m"(data[0]) : "memory");
	faulted();
	__asm__ volatile(TRAP_TRY("movups %0, %%xmm7") : : "m"(data[4]) : "memory");
	faulted();
	__asm__ volatile(TRAP_TRY("xorps %%xmm1, %%xmm1\n\tdivps %%xmm1, %%xmm0") : : : "memory");
	faulted();
	__asm__ volatile(TRAP_TRY("fxsave %0") : "=m"(fx_area) : : "memory");
	if (!faulted()) {
		for (int i = 0; i < 4; i++)
			fx_area[rnd_below(sizeof fx_area)] = (u8)rnd();
		__asm__ volatile(TRAP_TRY("fxrstor %0") : : "m"(fx_area) : "memory");
		faulted();
	}
	write_cr4(cr4);
}

void op_fpu(void)
{
	u32 cr0 = read_cr0(), bits = rnd() & (CR0_TS | CR0_EM | CR0_MP | CR0_NE);
	write_cr0_safe((cr0 & ~(CR0_TS | CR0_EM | CR0_MP | CR0_NE)) | bits);
	trace("fpu with cr0 0x%x", read_cr0());
	if (rnd_chance(50))
		x87_chaos();
	else
		sse_chaos();
	write_cr0(cr0);
}

/* Real mode with the 32-bit code segment still cached ("unreal" code): an exit there (CPUID,
 * port I/O, MMIO) must be handled for the mode the CPU really executes in. */
void op_pe_toggle(void)
{
	u32 cr0 = read_cr0(), v = rnd(), back;
	trace("real mode with a 32-bit code segment, write 0x%x to the test device", v);
	__asm__ volatile(
	    "mov %[off], %%cr0\n\t"
	    "xor %%eax, %%eax\n\t"
	    "cpuid\n\t"
	    "inb $0x61, %%al\n\t"
	    "movl %[v], %%ebx\n\t"
	    "movl %%ebx, %c[addr]\n\t"
	    "movl %c[addr], %%eax\n\t"
	    "mov %[on], %%cr0\n\t"
	    "ljmp %[cs], $1f\n"
	    "1:\n\t"
	    "mov %[ds], %%ecx\n\t"
	    "mov %%ecx, %%ds\n\t"
	    "mov %%ecx, %%es\n\t"
	    "mov %%ecx, %%ss"
	    : "=a"(back)
	    : [off] "S"(cr0 & ~CR0_PE), [on] "D"(cr0), [v] "m"(v),
	      [addr] "i"(MHV_TESTDEV_GPA + MHV_TESTDEV_SCRATCH), [cs] "i"(0x08), [ds] "i"(0x10)
	    : "ebx", "ecx", "edx", "memory");
	testdev_model_write(0, 4, v);
	testdev_check(0, 4, back, "read in real mode with a 32-bit code segment");
}
