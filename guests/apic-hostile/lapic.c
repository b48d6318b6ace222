/* Abuse of the local APIC: IA32_APIC_BASE, the x2APIC MSRs, the ICR, the xAPIC page and
 * the timer. A junk LVT or a pending junk vector is never let in: before interrupts go on,
 * the APIC is reset by disabling it (IA32_APIC_BASE.EN = 0), as INIT would. */
#include "guests/apic-hostile/hostile.h"
#include "guests/lib/apic.h"
#include "guests/lib/printf.h"
#include "guests/lib/safe.h"
#include "guests/lib/trap.h"
#include "guests/lib/tsc.h"
#include "guests/lib/x86.h"

#define DEFAULT_BASE	   (APIC_DEFAULT_BASE | APIC_BASE_EN | APIC_BASE_BSP)
#define ON_RAM		   0x00200000u /* guest RAM above the image */
#define ON_IOAPIC	   0xfec00000u
#define ICR_DM_SHIFT	   8
#define ICR_DM_INIT	   5
#define ICR_DM_STARTUP	   6
#define STORM_MS	   20
#define TIMER_STORM_VECTOR 0x40

/* Back to xAPIC at the default base in the INIT state, software-enabled, LINT0 masked. */
static void apic_reset(void)
{
	apic_x2apic = false;
	apic_base_write(DEFAULT_BASE & ~(u64)APIC_BASE_EN);
	apic_base_write(DEFAULT_BASE);
	apic_sw_enable(0xff);
	apic_write(APIC_LVT_LINT0, APIC_LVT_MASKED);
}

static void let_in(u32 ms)
{
	sti();
	tsc_spin_ms(ms);
	cli();
}

void abuse_apic_base(void)
{
	u32 gp = 0;
	for (u32 bit = 0; bit < 64; bit++)
		gp += !wrmsr_safe(MSR_IA32_APIC_BASE, DEFAULT_BASE ^ (1ull << bit));
	gp += !wrmsr_safe(MSR_IA32_APIC_BASE, APIC_BASE_EXTD | APIC_BASE_BSP);
	gp += !wrmsr_safe(MSR_IA32_APIC_BASE, ~0ull);
	static const u32 bases[] = {ON_RAM, ON_IOAPIC, 0xfeb00000u, 0, 0xfffff000u};
	for (u32 i = 0; i < sizeof bases / sizeof bases[0]; i++) {
		if (!apic_base_write(bases[i] | APIC_BASE_EN | APIC_BASE_BSP))
			continue;
		volatile u32 *page = (volatile u32 *)bases[i];
		u32 id = page[APIC_ID / 4];
		page[APIC_TPR / 4] = 0x20;
		page[APIC_ICR / 4] = APIC_DEST_SELF | 0x44;
		(void)id;
	}
	apic_reset();
	let_in(1);
	printf("apic-hostile: IA32_APIC_BASE: %u writes refused; the page moved onto RAM, the I/O "
	       "APIC, the test device, page 0 and the top page\n",
	       gp);
}

/* A SELF_IPI or ICR vector that either is illegal (0-15, refused) or has no error code. */
static u8 safe_vector(u32 j)
{
	u8 v = (u8)j;
	return v >= 16 && v < 32 ? v - 16 : v;
}

void abuse_x2apic_msrs(void)
{
	apic_enter_x2apic();
	u32 gp = 0;
	for (u32 msr = 0x800; msr <= 0x8ff; msr++) {
		u64 v;
		gp += !rdmsr_safe(msr, &v);
		if (msr == 0x830) /* the ICR: abuse_icr() */
			continue;
		u32 j = junk();
		u64 values[] = {0, ~0ull, (u64)junk() << 32 | j, j & 0xff, safe_vector(j)};
		for (u32 i = 0; i < sizeof values / sizeof values[0]; i++) {
			if (msr == 0x83f && (values[i] & 0xff) >= 16 && (values[i] & 0xff) < 32)
				continue;
			gp += !wrmsr_safe(msr, values[i]);
		}
	}
	apic_reset();
	let_in(1);
	printf("apic-hostile: x2APIC MSRs 0x800-0x8ff read and written with junk: %u #GPs\n", gp);
}

/* Whether an ICR value could INIT the BSP (that ends the VM: kept for the end) or start an
 * AP at a junk page (storm_init_sipi does that with a page that holds code). */
static bool too_far(u32 icr, u32 dest, bool x2apic)
{
	u32 dm = (icr >> ICR_DM_SHIFT) & 7, sh = icr & APIC_DEST_ALL_BUT_SELF;
	if (dm == ICR_DM_STARTUP)
		return true;
	if (dm != ICR_DM_INIT || sh == APIC_DEST_ALL_BUT_SELF)
		return false;
	bool broadcast = x2apic ? dest == 0xffffffff : (dest & 0xff) == 0xff;
	if (sh != 0 || broadcast)
		return true;
	if (!(icr & APIC_DEST_LOGICAL))
		return dest == 0;
	return x2apic && (dest >> 16) == 0 && (dest & 1); /* the BSP's derived LDR */
}

static u32 send_junk_ipis(bool x2apic)
{
	static const u8 vectors[] = {0, 1, 2, 5, 15, 0x20, 0x7f, 0xff};
	u32 sent = 0;
	for (u32 dm = 0; dm < 8; dm++) {
		for (u32 sh = 0; sh < 4; sh++) {
			for (u32 i = 0; i < sizeof vectors; i++) {
				u32 icr = dm << ICR_DM_SHIFT | sh << 18 | vectors[i];
				u32 j = junk();
				icr |= j & (APIC_DEST_LOGICAL | APIC_INT_ASSERT | APIC_INT_LEVEL);
				u32 dest = x2apic ? junk() : j >> 24;
				if (j & 0x100000)
					dest = x2apic ? 0xffffffff : 0xff;
				if (too_far(icr, dest, x2apic))
					continue;
				apic_icr_write(icr, dest);
				sent++;
			}
		}
	}
	return sent;
}

void abuse_icr(void)
{
	u32 sent = send_junk_ipis(false);
	apic_enter_x2apic();
	apic_x2apic = true;
	sent += send_junk_ipis(true);
	for (u32 i = 0; i < 64; i++) /* reserved bits in x2APIC mode: #GP */
		wrmsr_safe(0x830, (u64)junk() << 32 | (junk() | 0xfff00000u));
	apic_x2apic = false;
	let_in(2);
	apic_reset();
	let_in(1);
	printf("apic-hostile: %u junk IPIs (every delivery mode and shorthand, vectors 0-15)\n",
	       sent);
}

void abuse_apic_page(void)
{
	volatile u8 *page = apic_mmio;
	u32 sum = 0;
	for (u32 off = 0; off < 0x1000; off++) {
		sum += page[off];
		if (!(off & 0xf))
			sum += *(volatile u16 *)(page + off + 1); /* a word at an odd offset */
		if ((off & ~0xfu) != APIC_ICR) /* a junk byte there sends, maybe an INIT to self */
			page[off] = (u8)junk();
	}
	for (u32 off = 0; off < 0x1000; off += 4) {
		if (off == APIC_ICR || off == APIC_LVT_TIMER || off == APIC_TIMER_ICR)
			continue; /* junk there could INIT the BSP or fire an exception vector */
		*(volatile u32 *)(page + off) = junk();
	}
	u32 n = 0x1000;
	void *dst = (void *)page;
	__asm__ volatile("rep stosb" : "+D"(dst), "+c"(n) : "a"(0xff) : "memory");
	n = 0x400;
	dst = (void *)page;
	__asm__ volatile("rep stosl" : "+D"(dst), "+c"(n) : "a"(0) : "memory");
	apic_reset();
	let_in(1);
	printf("apic-hostile: every byte of the xAPIC page read, written, and REP STOSed over "
	       "(sum 0x%x)\n",
	       sum);
}

/* A CPU whose handler costs more than the interrupt period (apicv=off, under Bochs) would
 * never leave its handlers: the storms stop themselves after STORM_TAKES interrupts. */
static volatile u32 storm_taken;

static void on_timer_storm(struct trap_frame *f)
{
	(void)f;
	if (++storm_taken >= STORM_TAKES)
		apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED);
	apic_eoi();
}

void abuse_timer(void)
{
	trap_set_handler(TIMER_STORM_VECTOR, on_timer_storm);
	storm_taken = 0;
	apic_write(APIC_LVT_ERROR, 2); /* an illegal error vector: no error interrupt */
	apic_write(APIC_TIMER_DCR, APIC_DCR_DIV1);
	apic_write(APIC_LVT_TIMER, APIC_TIMER_PERIODIC | 3);
	apic_write(APIC_TIMER_ICR, 1);
	let_in(STORM_MS);
	apic_write(APIC_LVT_TIMER, APIC_TIMER_PERIODIC | TIMER_STORM_VECTOR);
	let_in(STORM_MS);
	apic_write(APIC_LVT_TIMER, APIC_TIMER_TSC_DEADLINE | 7);
	wrmsr(MSR_IA32_TSC_DEADLINE, 1);
	let_in(1);
	apic_write(APIC_LVT_TIMER, APIC_TIMER_TSC_DEADLINE | 0x41);
	for (u32 i = 0; i < 1000; i++)
		wrmsr(MSR_IA32_TSC_DEADLINE, rdtsc() - junk() % 1000);
	let_in(1);
	apic_write(APIC_ESR, 0);
	u32 esr = apic_read(APIC_ESR);
	apic_reset();
	let_in(1);
	printf("apic-hostile: timer at its 200 us floor with vector 3, then 0x%x (%u taken), TSC "
	       "deadlines in the past (ESR 0x%x)\n",
	       TIMER_STORM_VECTOR, storm_taken, esr);
}
