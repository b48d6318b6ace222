/* The local APIC (xAPIC MMIO and x2APIC MSRs, timers in every mode, LVTs, IPIs of every kind,
 * IA32_APIC_BASE moves), the I/O APIC's redirection entries, and INIT/SIPI storms at the APs.
 * Interrupts these leave armed keep arriving during later operations. */
#include "guests/chaos/chaos.h"
#include "guests/lib/safe.h"
#include "guests/lib/x86.h"

#define MSR_APIC_BASE	 0x1b
#define MSR_TSC_DEADLINE 0x6e0
#define APIC_BASE_EXTD	 (1ull << 10)
#define APIC_BASE_EN	 (1ull << 11)
#define X2APIC_MSR(off)	 (0x800u + ((off) >> 4))
#define X2APIC_SELF_IPI	 0x83f

#define LAPIC_TPR	 0x80
#define LAPIC_ESR	 0x280
#define LAPIC_ICR_LO	 0x300
#define LAPIC_ICR_HI	 0x310
#define LAPIC_LVT_TIMER	 0x320
#define LAPIC_TIMER_ICR	 0x380
#define LAPIC_TIMER_CCR	 0x390
#define LAPIC_TIMER_DCR	 0x3e0
#define LVT_MASKED	 (1u << 16)
#define ICR_DM_SHIFT	 8
#define ICR_LEVEL_ASSERT (1u << 14)
#define ICR_SH_SHIFT	 18
#define ICR_SH_SELF	 (1u << 18)
#define ICR_SH_ALL_BUT	 (3u << 18)
#define DM_NMI		 4u
#define DM_INIT		 5u
#define DM_STARTUP	 6u

#define IOAPIC_REGSEL 0x00
#define IOAPIC_WINDOW 0x10
#define IOAPIC_PINS   24

/* Registers an operation may write at random: everything but EOI and the ICR, which have
 * operations of their own. */
static const u32 lapic_regs[] = {0x20,	0x80,  0xd0,  0xe0,  0xf0,  0x280, 0x2f0, 0x310,
				 0x320, 0x330, 0x340, 0x350, 0x360, 0x370, 0x380, 0x3e0};

/* A little time with interrupts on, for what the operation made pending. */
static void interrupt_window(void)
{
	sti();
	for (int i = 0; i < 8; i++)
		__asm__ volatile("nop");
	cli();
}

static u32 random_lvt(void)
{
	u32 v = rnd();
	if (rnd_chance(60))
		v &= 0x000f07ffu | (7u << 8); /* vector, delivery mode, mask, timer mode */
	if (rnd_chance(40))
		v &= ~LVT_MASKED;
	return v;
}

void op_lapic(void)
{
	u32 n = 1 + rnd_below(12);
	for (u32 i = 0; i < n; i++) {
		u32 reg = rnd_pick(lapic_regs, COUNT(lapic_regs));
		u32 v = reg >= 0x320 && reg <= 0x370 ? random_lvt() : rnd_value();
		trace("lapic[0x%x] = 0x%x", reg, v);
		lapic_write(reg, v);
		lapic_read(reg);
	}
	lapic_write(LAPIC_ESR, 0);
	lapic_read(LAPIC_ESR);
	interrupt_window();
	apic_restore();
}

void op_lapic_timer(void)
{
	u32 mode = rnd_below(4) << 17;
	u32 lvt = (rnd_chance(80) ? 32 + rnd_below(224) : rnd_below(32)) | mode;
	if (rnd_chance(15))
		lvt |= LVT_MASKED;
	lapic_write(LAPIC_TIMER_DCR, rnd_below(16));
	lapic_write(LAPIC_LVT_TIMER, lvt);
	if (mode == 2u << 17) {
		u64 now = rdtsc();
		u64 when = rnd_chance(20)   ? 0
			   : rnd_chance(30) ? now - rnd_below(1000)
					    : now + rnd_below(20000);
		trace("tsc-deadline lvt 0x%x at now%+lld", lvt, (long long)(when - now));
		wrmsr_safe(MSR_TSC_DEADLINE, when);
	} else {
		u32 count = rnd_chance(70) ? rnd_below(64) : rnd_value();
		trace("lapic timer lvt 0x%x count %u", lvt, count);
		lapic_write(LAPIC_TIMER_ICR, count);
	}
	for (int i = 0; i < 3; i++)
		lapic_read(LAPIC_TIMER_CCR);
	interrupt_window();
	if (rnd_chance(30)) /* mostly the timer keeps running into later operations */
		lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
}

static void ioapic_write(u32 reg, u32 v)
{
	*(volatile u32 *)(IOAPIC_BASE + IOAPIC_REGSEL) = reg;
	*(volatile u32 *)(IOAPIC_BASE + IOAPIC_WINDOW) = v;
}

static u32 ioapic_read(u32 reg)
{
	*(volatile u32 *)(IOAPIC_BASE + IOAPIC_REGSEL) = reg;
	return *(volatile u32 *)(IOAPIC_BASE + IOAPIC_WINDOW);
}

void op_ioapic(void)
{
	u32 n = 1 + rnd_below(6);
	for (u32 i = 0; i < n; i++) {
		u32 reg = rnd_chance(80) ? 0x10 + rnd_below(2 * IOAPIC_PINS) : rnd_below(256);
		u32 v = rnd_chance(50) ? random_lvt() : rnd_value();
		/* An INIT entry would reset the VM when its pin fires. */
		if (((v >> ICR_DM_SHIFT) & 7) == DM_INIT)
			v &= ~(7u << ICR_DM_SHIFT);
		trace("ioapic reg 0x%x = 0x%x", reg, v);
		ioapic_write(reg, v);
		ioapic_read(reg);
	}
}

static void send_ipi(u32 dest, u32 icr)
{
	lapic_write(LAPIC_ICR_HI, dest << 24);
	lapic_write(LAPIC_ICR_LO, icr_tame(icr));
}

void op_self_ipi(void)
{
	u32 vector = rnd_chance(85) ? 32 + rnd_below(224) : rnd_below(32);
	u32 trigger = rnd_chance(20) ? 1u << 15 : 0;
	trace("self IPI vector %u%s", vector, trigger ? " level" : "");
	send_ipi(0, ICR_SH_SELF | ICR_LEVEL_ASSERT | trigger | vector);
	interrupt_window();
}

/* Random IPIs at the APs and everyone: INIT and SIPI with random vectors (every low page
 * holds the AP loop), NMIs, fixed and lowest-priority interrupts, SMI, ExtINT. */
void op_ipi_storm(void)
{
	u32 n = 4 + rnd_below(60);
	trace("IPI storm of %u", n);
	for (u32 i = 0; i < n; i++) {
		u32 icr =
		    rnd() & 0x000fcfffu; /* vector, mode, dest mode, level, trigger, shorthand */
		u32 dest = rnd_chance(70)   ? rnd_below(env.cpus)
			   : rnd_chance(50) ? 0xff
					    : rnd() & 0xff;
		if (rnd_chance(25))
			icr = (icr & ~(7u << ICR_DM_SHIFT)) | DM_INIT << ICR_DM_SHIFT;
		else if (rnd_chance(25))
			icr = (icr & ~(7u << ICR_DM_SHIFT)) | DM_STARTUP << ICR_DM_SHIFT;
		send_ipi(dest, icr);
	}
	if (rnd_chance(50))
		ap_start_all((u8)rnd());
	interrupt_window();
	apic_restore();
}

void op_x2apic(void)
{
	u64 base = 0;
	rdmsr_safe(MSR_APIC_BASE, &base);
	if (!wrmsr_safe(MSR_APIC_BASE, base | APIC_BASE_EN | APIC_BASE_EXTD)) {
		stats.faults++;
		return;
	}
	apic_in_x2apic_mode = true;
	u32 n = 1 + rnd_below(12);
	for (u32 i = 0; i < n; i++) {
		u32 msr = rnd_chance(70) ? X2APIC_MSR(rnd_pick(lapic_regs, COUNT(lapic_regs)))
					 : 0x800 + rnd_below(256);
		u64 v = rnd_chance(80) ? rnd_value() : rnd64();
		if (msr == X2APIC_MSR(LAPIC_ICR_LO))
			v = (u64)rnd_below(env.cpus) << 32 | icr_tame((u32)v);
		else if (msr == X2APIC_SELF_IPI)
			v = rnd_below(256);
		trace("x2apic msr 0x%x = 0x%llx", msr, v);
		if (!wrmsr_safe(msr, v))
			stats.faults++;
		if (!rdmsr_safe(msr, &v))
			stats.faults++;
	}
	interrupt_window();
	apic_restore();
}

/* Moves, disables and mode changes through IA32_APIC_BASE, then accesses at the new base and
 * at the old one. */
void op_apic_base(void)
{
	u64 base = 0;
	rdmsr_safe(MSR_APIC_BASE, &base);
	u64 v;
	switch (rnd_below(5)) {
	case 0: /* a page of the 4 GiB below, where nothing else is (or where a device is) */
		v = (base & 0xfff) | (0xfe000000u + rnd_below(0x2000) * PAGE_SIZE);
		break;
	case 1: /* over our own RAM: RAM wins, as EPT maps it */
		v = (base & 0xfff) | (rnd_below(env.ram_bytes / PAGE_SIZE) * PAGE_SIZE);
		break;
	case 2:
		v = base ^ (1ull << rnd_below(64));
		break;
	case 3:
		v = base & ~APIC_BASE_EN;
		break;
	default:
		v = rnd64();
		break;
	}
	trace("apic base 0x%llx -> 0x%llx", base, v);
	if (!wrmsr_safe(MSR_APIC_BASE, v)) {
		stats.faults++;
		return;
	}
	u32 at = (u32)(v & ~0xfffull);
	if ((v & (APIC_BASE_EN | APIC_BASE_EXTD)) == APIC_BASE_EN && !(v >> 32) &&
	    at >= env.ram_bytes) {
		*(volatile u32 *)(at + LAPIC_TPR) = rnd_below(256);
		(void)*(volatile u32 *)(at + 0x30);
		(void)*(volatile u32 *)(LAPIC_BASE + 0x30);
	}
	apic_restore();
}
