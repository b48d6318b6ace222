/* The state the guest itself runs on (APIC, descriptor tables) and how operations put it back. */
#include "guests/chaos/chaos.h"
#include "guests/lib/desc.h"
#include "guests/lib/safe.h"
#include "guests/lib/string.h"
#include "guests/lib/x86.h"

#define MSR_APIC_BASE  0x1b
#define APIC_BASE_BSP  (1ull << 8)
#define APIC_BASE_EXTD (1ull << 10)
#define APIC_BASE_EN   (1ull << 11)

#define LAPIC_ID	 0x20
#define LAPIC_TPR	 0x80
#define LAPIC_DFR	 0xe0
#define LAPIC_LDR	 0xd0
#define LAPIC_SVR	 0xf0
#define LAPIC_ICR_LO	 0x300
#define LAPIC_ICR_HI	 0x310
#define SVR_ENABLE	 (1u << 8)
#define DFR_FLAT	 0xffffffffu
#define LDR_BSP		 (1u << 24) /* flat logical ID 1 */
#define ICR_DM_SHIFT	 8
#define ICR_DM_INIT	 5u
#define ICR_DM_STARTUP	 6u
#define ICR_SH_ALL_BUT	 (3u << 18)
#define ICR_LEVEL_ASSERT (1u << 14)

struct __attribute__((packed)) desc_ptr {
	u16 limit;
	u32 base;
};

u64 chaos_gdt[CHAOS_GDT_ENTRIES] __attribute__((aligned(8)));
u32 chaos_idt_base;
u16 chaos_idt_limit;

u32 lapic_read(u32 offset)
{
	return *(volatile u32 *)(LAPIC_BASE + offset);
}

void lapic_write(u32 offset, u32 value)
{
	*(volatile u32 *)(LAPIC_BASE + offset) = value;
}

u32 icr_tame(u32 icr_low)
{
	if (((icr_low >> ICR_DM_SHIFT) & 7) == ICR_DM_INIT)
		icr_low |= ICR_SH_ALL_BUT;
	return icr_low;
}

void apic_restore(void)
{
	u64 base = 0, want;
	rdmsr_safe(MSR_APIC_BASE, &base);
	want = LAPIC_BASE | APIC_BASE_EN | (base & APIC_BASE_BSP);
	if (base != want) {
		/* x2APIC -> xAPIC and moves of a disabled APIC go through "disabled". */
		wrmsr_safe(MSR_APIC_BASE, base & APIC_BASE_BSP);
		wrmsr_safe(MSR_APIC_BASE, want);
	}
	apic_in_x2apic_mode = false;
	lapic_write(LAPIC_ID, 0);
	lapic_write(LAPIC_DFR, DFR_FLAT);
	lapic_write(LAPIC_LDR, LDR_BSP);
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_SVR, SVR_ENABLE | SPURIOUS_VEC);
}

/* A periodic timer faster than this is stopped after each operation: under Bochs every
 * period costs an exit that takes longer than the period, so such a timer left running
 * would keep this VM (and, through the slices it cuts, every other) crawling. Within an
 * operation it still fires as fast as it likes. */
#define TIMER_PERIOD_MIN_US 5000
#define LVT_TIMER_MODE	    (3u << 17)
#define LVT_TIMER_PERIODIC  (1u << 17)
#define LVT_MASKED_BIT	    (1u << 16)
#define LAPIC_LVT_TIMER	    0x320
#define LAPIC_TIMER_ICR	    0x380
#define LAPIC_TIMER_DCR	    0x3e0

/* DCR bits 3, 1, 0: code 111b divides by 1, code n by 2 << n (SDM vol. 3A "APIC Timer"). */
static u32 timer_divide(u32 dcr)
{
	u32 code = ((dcr >> 1) & 4) | (dcr & 3);
	return code == 7 ? 1 : 2u << code;
}

void timer_tame(void)
{
	if (apic_in_x2apic_mode || !env.lapic_hz)
		return;
	u32 lvt = lapic_read(LAPIC_LVT_TIMER);
	if ((lvt & (LVT_TIMER_MODE | LVT_MASKED_BIT)) != LVT_TIMER_PERIODIC)
		return;
	u64 ticks = (u64)lapic_read(LAPIC_TIMER_ICR) * timer_divide(lapic_read(LAPIC_TIMER_DCR));
	if (ticks < (u64)env.lapic_hz / 1000000 * TIMER_PERIOD_MIN_US)
		lapic_write(LAPIC_LVT_TIMER, lvt | LVT_MASKED_BIT);
}

static void gdt_load(void)
{
	struct desc_ptr p = {sizeof(chaos_gdt) - 1, (u32)chaos_gdt};

	__asm__ volatile("lgdt %0\n\t"
			 "ljmp %1, $1f\n"
			 "1:\n\t"
			 "mov %2, %%ds\n\t"
			 "mov %2, %%es\n\t"
			 "mov %2, %%fs\n\t"
			 "mov %2, %%gs\n\t"
			 "mov %2, %%ss"
			 :
			 : "m"(p), "i"(SEL_CODE32), "r"(SEL_DATA32)
			 : "memory");
}

void desc_setup(void)
{
	struct desc_ptr idtr;

	/* The same flat segments the library set up, in a table with room to spare. */
	chaos_gdt[SEL_CODE32 / 8] = 0x00cf9a000000ffffull;
	chaos_gdt[SEL_DATA32 / 8] = 0x00cf92000000ffffull;
	gdt_load();
	__asm__ volatile("sidt %0" : "=m"(idtr));
	chaos_idt_base = idtr.base;
	chaos_idt_limit = idtr.limit;
}

void desc_restore(void)
{
	struct desc_ptr idtr = {chaos_idt_limit, chaos_idt_base};

	gdt_load();
	/* No LDT: a random one could send later descriptor loads to any address. */
	__asm__ volatile("lldt %w0\n\t"
			 "lidt %1"
			 :
			 : "r"(0), "m"(idtr)
			 : "memory");
}

extern const u8 ap_loop_start[], ap_loop_end[];

void ap_start_all(u8 vector)
{
	lapic_write(LAPIC_ICR_HI, 0);
	lapic_write(LAPIC_ICR_LO, ICR_SH_ALL_BUT | ICR_LEVEL_ASSERT | ICR_DM_INIT << ICR_DM_SHIFT);
	for (int i = 0; i < 2; i++)
		lapic_write(LAPIC_ICR_LO, ICR_SH_ALL_BUT | ICR_LEVEL_ASSERT |
					      ICR_DM_STARTUP << ICR_DM_SHIFT | vector);
}

/* Low memory is ours once the boot information has been read: every page a SIPI can name gets
 * the AP loop, so a storm of SIPIs with random vectors never starts an AP on garbage. */
void ap_setup(void)
{
	u32 len = (u32)(ap_loop_end - ap_loop_start);
	for (u32 page = 0; page < AP_PAGES; page++) {
		u32 dst = page * PAGE_SIZE, n = len;
		const u8 *src = ap_loop_start;
		/* REP MOVSB: a plain copy to address 0 is undefined behaviour in C. */
		__asm__ volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
	}
	ap_start_all(0x08);
}
