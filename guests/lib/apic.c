#include "guests/lib/apic.h"
#include "guests/lib/safe.h"
#include "guests/lib/x86.h"

#define CPUID_LEAF_TSC_CRYSTAL 0x15

bool apic_x2apic;
volatile u8 *apic_mmio = (volatile u8 *)APIC_DEFAULT_BASE;

static u32 x2apic_msr(u32 reg)
{
	return MSR_X2APIC_BASE + (reg >> 4);
}

u32 apic_read(u32 reg)
{
	if (apic_x2apic)
		return (u32)rdmsr(x2apic_msr(reg));
	return *(volatile u32 *)(apic_mmio + reg);
}

void apic_write(u32 reg, u32 value)
{
	if (apic_x2apic)
		wrmsr(x2apic_msr(reg), value);
	else
		*(volatile u32 *)(apic_mmio + reg) = value;
}

void apic_icr_write(u32 icr, u32 dest)
{
	if (apic_x2apic) {
		wrmsr(x2apic_msr(APIC_ICR), (u64)dest << 32 | icr);
		return;
	}
	/* The destination first: the low-half write is what sends. */
	apic_write(APIC_ICR2, dest << 24);
	apic_write(APIC_ICR, icr);
}

u32 apic_icr_read_low(void)
{
	return apic_read(APIC_ICR);
}

void apic_eoi(void)
{
	apic_write(APIC_EOI, 0);
}

u32 apic_id(void)
{
	u32 id = apic_read(APIC_ID);
	return apic_x2apic ? id : id >> 24;
}

bool apic_vector_bit(u32 base, u8 vector)
{
	return apic_read(base + (vector / 32) * 0x10) & (1u << (vector % 32));
}

u64 apic_base_read(void)
{
	return rdmsr(MSR_IA32_APIC_BASE);
}

bool apic_base_write(u64 value)
{
	if (!wrmsr_safe(MSR_IA32_APIC_BASE, value))
		return false;
	apic_mmio = (volatile u8 *)(uintptr_t)((u32)value & APIC_BASE_ADDR);
	return true;
}

bool apic_enter_x2apic(void)
{
	return apic_base_write(apic_base_read() | APIC_BASE_EN | APIC_BASE_EXTD);
}

bool apic_leave_x2apic(void)
{
	u64 base = apic_base_read() & ~(u64)(APIC_BASE_EN | APIC_BASE_EXTD);
	return apic_base_write(base) && apic_base_write(base | APIC_BASE_EN);
}

void apic_sw_enable(u8 spurious)
{
	apic_write(APIC_SVR, APIC_SVR_ENABLE | spurious);
	apic_write(APIC_TPR, 0);
}

u32 apic_timer_hz(void)
{
	if (cpuid(0).a < CPUID_LEAF_TSC_CRYSTAL)
		return 0;
	return cpuid(CPUID_LEAF_TSC_CRYSTAL).c;
}

u32 apic_tsc_per_tick(void)
{
	if (cpuid(0).a < CPUID_LEAF_TSC_CRYSTAL)
		return 0;
	struct cpuid_regs r = cpuid(CPUID_LEAF_TSC_CRYSTAL);
	return r.a ? r.b / r.a : 0;
}
