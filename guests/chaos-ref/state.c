/* Known values in what the VMCS does not hold and the hypervisor switches or emulates per VM:
 * CR2, DR0-DR3 and DR7, x87/SSE registers, lazily switched and VMCS-held MSRs, the local APIC,
 * the I/O APIC, PCI configuration, CMOS RAM and the test device's register. */
#include "guests/chaos-ref/ref.h"
#include "guests/lib/safe.h"
#include "guests/lib/x86.h"
#include "kernel/guest_abi.h"

#define CR4_OSFXSR     (1u << 9)
#define CR2_VALUE      0xc2c2c2c2u
#define DR7_VALUE      0x000d0401u /* L0: a 4-byte write breakpoint at DR0 (a word nothing writes) */
#define FXSAVE_CHECKED 288	   /* legacy area and XMM0-7: all of it in 32-bit mode */

#define LAPIC_TPR	   0x80
#define LAPIC_LDR	   0xd0
#define LAPIC_DFR	   0xe0
#define LAPIC_SVR	   0xf0
#define LAPIC_LVT_LINT1	   0x360
#define IOAPIC_BASE	   0xfec00000u
#define IOAPIC_ID	   0x00
#define IOAPIC_PIN_FIRST   16 /* pins no device of ours drives: masked entries hold patterns */
#define IOAPIC_PINS_USED   4
#define PCI_ADDRESS	   0xcf8
#define PCI_DATA	   0xcfc
#define PCI_BRIDGE_INTLINE 0x8000003cu /* bus 0, device 0, register 0x3c */
#define CMOS_SCRATCH	   0x50
#define CMOS_VALUE	   0xa7

static volatile u32 never_written; /* DR0's breakpoint */
static u8 fx_ref[512] __attribute__((aligned(16)));
static u8 fx_now[512] __attribute__((aligned(16)));

struct msr_value {
	u32 msr;
	u64 value;
};

/* SYSCALL MSRs and TSC_AUX are switched lazily between vCPUs; the others live in the VMCS or
 * are emulated. */
static const struct msr_value msrs[] = {
    {0x174, 0x10},			 /* SYSENTER_CS */
    {0x175, 0x00000000cafe0000ull},	 /* SYSENTER_ESP */
    {0x176, 0x00000000beef0000ull},	 /* SYSENTER_EIP */
    {0x277, 0x0007010600070106ull},	 /* PAT */
    {0xc0000081, 0x0023001000000000ull}, /* STAR */
    {0xc0000082, 0xffffffff81000000ull}, /* LSTAR */
    {0xc0000083, 0xffffffff81000100ull}, /* CSTAR */
    {0xc0000084, 0x0000000000047700ull}, /* SFMASK */
    {0xc0000100, 0x0000000000000000ull}, /* FS_BASE (our FS is flat) */
    {0xc0000102, 0xffff888000001000ull}, /* KERNEL_GS_BASE */
    {0xc0000103, 0x0000000000000007ull}, /* TSC_AUX */
};

static const u32 xmm_words[8] = {0x11111111, 0x22222222, 0x33333333, 0x44444444,
				 0x55555555, 0x66666666, 0x77777777, 0x88888888};

static u32 lapic_read(u32 off)
{
	return *(volatile u32 *)(LAPIC_BASE + off);
}

static void lapic_write(u32 off, u32 v)
{
	*(volatile u32 *)(LAPIC_BASE + off) = v;
}

static u32 ioapic_read(u32 reg)
{
	*(volatile u32 *)IOAPIC_BASE = reg;
	return *(volatile u32 *)(IOAPIC_BASE + 0x10);
}

static void ioapic_write(u32 reg, u32 v)
{
	*(volatile u32 *)IOAPIC_BASE = reg;
	*(volatile u32 *)(IOAPIC_BASE + 0x10) = v;
}

static u32 rte_pattern(u32 pin)
{
	return 0x00010000u | (0x60 + pin); /* masked, fixed, vector 0x60 + pin */
}

static u32 dr_value(u32 n)
{
	return 0xd0000000u + n * 0x1110u;
}

static void fpu_set(void)
{
	u32 mxcsr = 0x3f80; /* every exception masked, rounding toward -inf */
	write_cr4(read_cr4() | CR4_OSFXSR);
	__asm__ volatile("fninit\n\t"
			 "fldpi\n\t"
			 "fld1\n\t"
			 "fldl2e\n\t"
			 "ldmxcsr %0\n\t"
			 "movups (%1), %%xmm0\n\t"
			 "movups 16(%1), %%xmm1\n\t"
			 "movups (%1), %%xmm6\n\t"
			 "movups 16(%1), %%xmm7"
			 :
			 : "m"(mxcsr), "r"(xmm_words)
			 : "memory");
	__asm__ volatile("fxsave %0" : "=m"(fx_ref));
}

void state_set(void)
{
	u32 dr7 = DR7_VALUE;
	__asm__ volatile("mov %0, %%cr2" : : "r"(CR2_VALUE));
	__asm__ volatile("mov %0, %%dr0" : : "r"((u32)&never_written));
	__asm__ volatile("mov %0, %%dr1" : : "r"(dr_value(1)));
	__asm__ volatile("mov %0, %%dr2" : : "r"(dr_value(2)));
	__asm__ volatile("mov %0, %%dr3" : : "r"(dr_value(3)));
	__asm__ volatile("mov %0, %%dr7" : : "r"(dr7));
	fpu_set();
	for (u32 i = 0; i < sizeof msrs / sizeof msrs[0]; i++)
		if (!wrmsr_safe(msrs[i].msr, msrs[i].value))
			ref_fail("WRMSR 0x%x faulted", msrs[i].msr);
	lapic_write(LAPIC_TPR, 0x10);
	lapic_write(LAPIC_DFR, 0xffffffffu);
	lapic_write(LAPIC_LDR, 0x02000000u);
	lapic_write(LAPIC_LVT_LINT1, 0x00010000u); /* masked */
	ioapic_write(IOAPIC_ID, 0x0a000000u);
	for (u32 i = 0; i < IOAPIC_PINS_USED; i++) {
		ioapic_write(0x10 + 2 * (IOAPIC_PIN_FIRST + i), rte_pattern(i));
		ioapic_write(0x11 + 2 * (IOAPIC_PIN_FIRST + i), i << 24);
	}
	outl(PCI_ADDRESS, PCI_BRIDGE_INTLINE);
	outb(PCI_DATA, 0x5a);
	outb(0x70, CMOS_SCRATCH);
	outb(0x71, CMOS_VALUE);
	*(volatile u32 *)(MHV_TESTDEV_GPA + MHV_TESTDEV_SCRATCH) = 0x55667788u;
	*(volatile u32 *)(MHV_TESTDEV_GPA + MHV_TESTDEV_SCRATCH + 4) = 0x11223344u;
}

static u32 dr_read(u32 n)
{
	u32 v = 0;
	switch (n) {
	case 0:
		__asm__ volatile("mov %%dr0, %0" : "=r"(v));
		break;
	case 1:
		__asm__ volatile("mov %%dr1, %0" : "=r"(v));
		break;
	case 2:
		__asm__ volatile("mov %%dr2, %0" : "=r"(v));
		break;
	case 3:
		__asm__ volatile("mov %%dr3, %0" : "=r"(v));
		break;
	default:
		__asm__ volatile("mov %%dr7, %0" : "=r"(v));
		break;
	}
	return v;
}

static void check_cpu(void)
{
	u32 cr2;
	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	if (cr2 != CR2_VALUE)
		ref_fail("CR2 is 0x%08x, set 0x%08x", cr2, CR2_VALUE);
	if (dr_read(0) != (u32)&never_written)
		ref_fail("DR0 is 0x%08x", dr_read(0));
	for (u32 n = 1; n < 4; n++)
		if (dr_read(n) != dr_value(n))
			ref_fail("DR%u is 0x%08x, set 0x%08x", n, dr_read(n), dr_value(n));
	if (dr_read(7) != DR7_VALUE)
		ref_fail("DR7 is 0x%08x, set 0x%08x", dr_read(7), DR7_VALUE);
	__asm__ volatile("fxsave %0" : "=m"(fx_now));
	for (u32 i = 0; i < FXSAVE_CHECKED; i++)
		if (fx_now[i] != fx_ref[i])
			ref_fail("x87/SSE state byte %u is 0x%02x, was 0x%02x", i, fx_now[i],
				 fx_ref[i]);
	for (u32 i = 0; i < sizeof msrs / sizeof msrs[0]; i++) {
		u64 v = 0;
		if (!rdmsr_safe(msrs[i].msr, &v) || v != msrs[i].value)
			ref_fail("MSR 0x%x is 0x%llx, set 0x%llx", msrs[i].msr, v, msrs[i].value);
	}
	u64 adjust = 0;
	if (rdmsr_safe(0x3b, &adjust) && adjust)
		ref_fail("IA32_TSC_ADJUST is 0x%llx: our TSC moved", adjust);
}

static void check_devices(void)
{
	if (lapic_read(LAPIC_TPR) != 0x10 || lapic_read(LAPIC_DFR) != 0xffffffffu ||
	    lapic_read(LAPIC_LDR) != 0x02000000u || lapic_read(LAPIC_LVT_LINT1) != 0x00010000u)
		ref_fail("local APIC TPR 0x%x DFR 0x%x LDR 0x%x LINT1 0x%x", lapic_read(LAPIC_TPR),
			 lapic_read(LAPIC_DFR), lapic_read(LAPIC_LDR), lapic_read(LAPIC_LVT_LINT1));
	if (ioapic_read(IOAPIC_ID) != 0x0a000000u)
		ref_fail("I/O APIC ID is 0x%x", ioapic_read(IOAPIC_ID));
	for (u32 i = 0; i < IOAPIC_PINS_USED; i++) {
		u32 lo = ioapic_read(0x10 + 2 * (IOAPIC_PIN_FIRST + i));
		u32 hi = ioapic_read(0x11 + 2 * (IOAPIC_PIN_FIRST + i));
		if (lo != rte_pattern(i) || hi != i << 24)
			ref_fail("I/O APIC pin %u is 0x%08x%08x", IOAPIC_PIN_FIRST + i, hi, lo);
	}
	u32 addr = inl(PCI_ADDRESS);
	if (addr != PCI_BRIDGE_INTLINE)
		ref_fail("PCI CONFIG_ADDRESS is 0x%08x", addr);
	u8 line = inb(PCI_DATA);
	if (line != 0x5a)
		ref_fail("PCI host bridge interrupt line is 0x%02x", line);
	outb(0x70, CMOS_SCRATCH);
	u8 cmos = inb(0x71);
	if (cmos != CMOS_VALUE)
		ref_fail("CMOS byte 0x%x is 0x%02x", CMOS_SCRATCH, cmos);
	u32 lo = *(volatile u32 *)(MHV_TESTDEV_GPA + MHV_TESTDEV_SCRATCH);
	u32 hi = *(volatile u32 *)(MHV_TESTDEV_GPA + MHV_TESTDEV_SCRATCH + 4);
	if (lo != 0x55667788u || hi != 0x11223344u)
		ref_fail("test device register is 0x%08x%08x", hi, lo);
}

void state_check(void)
{
	check_cpu();
	check_devices();
}
