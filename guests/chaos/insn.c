/* Instructions that exit or fault: VMX instructions (all #UD for a guest without VMX),
 * hypercalls with random numbers and arguments, CPUID of random leaves, HLT, and a set of
 * privileged, obscure and invalid instructions. */
#include "guests/chaos/chaos.h"
#include "guests/lib/trap.h"
#include "guests/lib/x86.h"
#include "kernel/guest_abi.h"

#define INSN_TRY(text) __asm__ volatile(TRAP_TRY(text) : : : "eax", "ecx", "edx", "memory")

static u64 vmx_area[2] __attribute__((aligned(8)));

void op_vmx(void)
{
	vmx_area[0] = rnd64();
	vmx_area[1] = rnd64();
	u32 eax = rnd(), ecx = rnd();
	switch (rnd_below(12)) {
	case 0:
		__asm__ volatile(TRAP_TRY("vmxon %0") : : "m"(vmx_area[0]) : "memory");
		break;
	case 1:
		INSN_TRY("vmxoff");
		break;
	case 2:
		__asm__ volatile(TRAP_TRY("vmptrld %0") : : "m"(vmx_area[0]) : "memory");
		break;
	case 3:
		__asm__ volatile(TRAP_TRY("vmclear %0") : : "m"(vmx_area[0]) : "memory");
		break;
	case 4:
		__asm__ volatile(TRAP_TRY("vmptrst %0") : "=m"(vmx_area[0]) : : "memory");
		break;
	case 5:
		__asm__ volatile(TRAP_TRY("vmread %1, %0") : "=r"(eax) : "r"(ecx) : "memory");
		break;
	case 6:
		__asm__ volatile(TRAP_TRY("vmwrite %0, %1") : : "r"(eax), "r"(ecx) : "memory");
		break;
	case 7:
		INSN_TRY("vmlaunch");
		break;
	case 8:
		INSN_TRY("vmresume");
		break;
	case 9:
		__asm__ volatile(TRAP_TRY("invept %0, %1") : : "m"(vmx_area), "r"(ecx) : "memory");
		break;
	case 10:
		__asm__ volatile(TRAP_TRY("invvpid %0, %1") : : "m"(vmx_area), "r"(ecx) : "memory");
		break;
	default:
		__asm__ volatile(TRAP_TRY("vmfunc") : : "a"(eax), "c"(ecx) : "memory");
		break;
	}
	faulted();
}

/* Hypercalls, with the exit hypercall left for the final operation. Console writes point at
 * text, past the end of RAM, across it, or wrap around 4 GiB: only the first may print. */
void op_vmcall(void)
{
	static const char text[] = "chaos: hypercall console write\n";
	u32 nr = rnd_chance(70) ? rnd_below(6) : rnd();
	u32 a0 = rnd_value(), a1 = rnd_value(), a2 = rnd(), a3 = rnd();
	if (nr == MHV_HC_EXIT)
		nr = MHV_HC_NOP;
	if (nr == MHV_HC_CONSOLE_WRITE) {
		switch (rnd_below(4)) {
		case 0:
			a0 = (u32)text;
			a1 = env.trace ? sizeof text - 1 : 0;
			break;
		case 1:
			a0 = env.ram_bytes + rnd_below(PAGE_SIZE);
			break;
		case 2:
			a0 = env.ram_bytes - rnd_below(16);
			a1 = 16 + rnd_below(4096);
			break;
		default:
			a0 = 0xffffffffu - rnd_below(64);
			a1 = 64 + rnd_below(4096);
			break;
		}
	}
	if (nr == MHV_HC_TIMER_ONESHOT) {
		a0 = rnd_chance(80) ? rnd_below(2000) : a0;
		a1 = rnd_chance(80) ? 32 + rnd_below(224) : a1;
	}
	trace("vmcall %u (0x%x, 0x%x, 0x%x, 0x%x)", nr, a0, a1, a2, a3);
	u32 ret = nr;
	__asm__ volatile(TRAP_TRY("vmcall")
			 : "+a"(ret)
			 : "b"(a0), "c"(a1), "d"(a2), "S"(a3)
			 : "memory");
	faulted();
}

void op_cpuid(void)
{
	static const u32 leaves[] = {0,		 1,	     2,		 4,	     6,
				     7,		 0xa,	     0xb,	 0xd,	     0xf,
				     0x10,	 0x12,	     0x14,	 0x15,	     0x16,
				     0x1f,	 0x40000000, 0x40000001, 0x40000010, 0x40000100,
				     0x80000000, 0x80000001, 0x80000008, 0x8000001f, 0xffffffff};
	u32 n = 1 + rnd_below(8);
	for (u32 i = 0; i < n; i++) {
		u32 a = rnd_chance(70) ? rnd_pick(leaves, COUNT(leaves)) : rnd(), c = rnd_value();
		u32 b, d;
		__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	}
}

/* HLT with the hypercall timer armed, so something always wakes us; whatever else is
 * pending comes in first. */
void op_hlt(void)
{
	u32 us = rnd_below(500), ret = MHV_HC_TIMER_ONESHOT;
	__asm__ volatile("vmcall" : "+a"(ret) : "b"(us), "c"(HC_WAKE_VEC) : "memory");
	__asm__ volatile("sti; hlt; cli" : : : "memory");
}

void op_insn(void)
{
	u32 v = rnd();
	switch (rnd_below(24)) {
	case 0:
		INSN_TRY("rdtscp");
		break;
	case 1:
		__asm__ volatile(TRAP_TRY("rdpmc") : : "c"(v) : "eax", "edx", "memory");
		break;
	case 2:
		INSN_TRY("wbinvd");
		break;
	case 3:
		INSN_TRY("invd");
		break;
	case 4:
		__asm__ volatile(TRAP_TRY("xsetbv") : : "a"(v), "c"(0), "d"(0) : "memory");
		break;
	case 5:
		__asm__ volatile(TRAP_TRY("xgetbv") : : "c"(v & 1) : "eax", "edx", "memory");
		break;
	case 6:
		__asm__ volatile(TRAP_TRY("monitor") : : "a"(&v), "c"(0), "d"(0) : "memory");
		break;
	case 7:
		__asm__ volatile(TRAP_TRY("mwait") : : "a"(0), "c"(0) : "memory");
		break;
	case 8:
		INSN_TRY("getsec");
		break;
	case 9:
		__asm__ volatile(TRAP_TRY("invpcid %0, %1")
				 :
				 : "m"(vmx_area), "r"(v & 3)
				 : "memory");
		break;
	case 10:
		INSN_TRY("int3");
		break;
	case 11:
		INSN_TRY(".byte 0xf1"); /* ICEBP */
		break;
	case 12:
		INSN_TRY("ud2");
		break;
	case 13:
		INSN_TRY("sysenter");
		break;
	case 14:
		INSN_TRY("syscall");
		break;
	case 15:
		INSN_TRY("sysexit");
		break;
	case 16:
		INSN_TRY("rsm");
		break;
	case 17:
		INSN_TRY("rdrand %%eax");
		break;
	case 18:
		INSN_TRY("rdseed %%eax");
		break;
	case 19:
		__asm__ volatile(TRAP_TRY("invlpg (%0)") : : "r"(v) : "memory");
		break;
	case 20:
		INSN_TRY("pause; pause; pause; pause");
		break;
	case 21:
		__asm__ volatile(TRAP_TRY("clflush (%0)") : : "r"(&v) : "memory");
		break;
	case 22:
		INSN_TRY(".byte 0xf0, 0x0f, 0x20, 0xc0"); /* LOCK MOV from CR0: CR8 on AMD only */
		break;
	default:
		INSN_TRY("rdpid %%eax");
		break;
	}
	faulted();
}
