/* One-instruction wrappers for the 32-bit guests: port I/O, CPUID, TSC, MSRs, control registers. */
#pragma once
#include "guests/lib/types.h"

#define CR0_TS (1u << 3)  /* task switched: next x87/SSE use raises #NM */
#define CR0_PG (1u << 31) /* paging */

#define CR4_PSE	 (1u << 4)  /* 4 MiB pages in 32-bit paging */
#define CR4_VMXE (1u << 13) /* VMX enable */
#define CR4_OSXSAVE (1u << 18) /* XSAVE and XCR0 */
#define CPUID1_ECX_XSAVE   (1u << 26)
#define CPUID1_ECX_OSXSAVE (1u << 27) /* mirrors CR4.OSXSAVE */
#define CR4_PKE  (1u << 22) /* protection keys (PKRU) */

#define CPUID1_ECX_VMX	      (1u << 5)	 /* VMX supported */
#define CPUID1_ECX_HYPERVISOR (1u << 31) /* running under a hypervisor */

#define MSR_IA32_TSC			0x10
#define MSR_IA32_FEATURE_CONTROL	0x3a
#define FEATURE_CONTROL_VMX_OUTSIDE_SMX (1u << 2)
#define MSR_IA32_SYSENTER_CS		0x174
#define MSR_IA32_VMX_BASIC		0x480
#define MSR_IA32_EFER			0xc0000080
#define EFER_LMA			(1u << 10) /* long mode active */

#define VEC_NMI 2
#define VEC_UD	6  /* invalid opcode */
#define VEC_GP	13 /* general protection */

static inline void outb(u16 port, u8 v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(u16 port, u16 v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(u16 port, u32 v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline u8 inb(u16 port)
{
	u8 v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u16 inw(u16 port)
{
	u16 v;
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u32 inl(u16 port)
{
	u32 v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

struct cpuid_regs {
	u32 a, b, c, d;
};

static inline struct cpuid_regs cpuid_count(u32 leaf, u32 subleaf)
{
	struct cpuid_regs r;
	__asm__ volatile("cpuid"
			 : "=a"(r.a), "=b"(r.b), "=c"(r.c), "=d"(r.d)
			 : "a"(leaf), "c"(subleaf));
	return r;
}

static inline struct cpuid_regs cpuid(u32 leaf)
{
	return cpuid_count(leaf, 0);
}

static inline u64 rdtsc(void)
{
	u32 lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

/* RDTSC that neither starts before earlier instructions finish nor lets later ones start early. */
static inline u64 rdtsc_ordered(void)
{
	u32 lo, hi;
	__asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) : : "memory");
	return ((u64)hi << 32) | lo;
}

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static inline void wrmsr(u32 msr, u64 v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)) : "memory");
}

static inline u32 read_cr0(void)
{
	u32 v;
	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static inline void write_cr0(u32 v)
{
	__asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

static inline void write_cr3(u32 v)
{
	__asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}

static inline u32 read_cr4(void)
{
	u32 v;
	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline void write_cr4(u32 v)
{
	__asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

static inline void cli(void)
{
	__asm__ volatile("cli" : : : "memory");
}

static inline void sti(void)
{
	__asm__ volatile("sti" : : : "memory");
}

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" : : : "memory");
}

/* STI's one-instruction interrupt shadow makes the pair atomic: no wakeup is lost before HLT. */
static inline void sti_hlt(void)
{
	__asm__ volatile("sti; hlt" : : : "memory");
}
