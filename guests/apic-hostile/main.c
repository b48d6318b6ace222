/* A guest that does everything wrong with its interrupt controllers, next to a good VM
 * that must not notice: reserved and nonsensical IA32_APIC_BASE values, the APIC moved
 * onto RAM and onto the I/O APIC, every x2APIC MSR read and written with junk, ICR values
 * of every delivery mode and shorthand with vectors 0-15, odd-sized and string accesses to
 * the APIC page, a timer firing an illegal vector as fast as it can, I/O APIC registers out
 * of range and at odd widths, interrupt and NMI storms from the PIT, an INIT/SIPI storm at
 * two of its three APs (the third, declared with cpus=4, is never started), and at last an
 * INIT to itself, which mhv takes as the VM resetting itself. Run it with cpus=4. */
#include "guests/apic-hostile/hostile.h"
#include "guests/lib/apic.h"
#include "guests/lib/multiboot.h"
#include "guests/lib/pic.h"
#include "guests/lib/printf.h"
#include "guests/lib/trap.h"
#include "guests/lib/tsc.h"
#include "guests/lib/x86.h"

#define FIRST_SAFE_VECTOR 0x20 /* vectors a stray interrupt may use without an error code */

volatile u32 interrupts, nmis;

static void on_any(struct trap_frame *f)
{
	(void)f;
	interrupts++;
	apic_eoi();
}

static void on_nmi(struct trap_frame *f)
{
	(void)f;
	nmis++;
}

u32 junk(void)
{
	static u32 state = 0x12345678;
	state ^= state << 13;
	state ^= state >> 17;
	state ^= state << 5;
	return state;
}

int main(u32 magic, const struct mb1_info *mbi)
{
	(void)magic;
	(void)mbi;
	printf("apic-hostile: started\n");
	tsc_khz_for_timeouts();
	pic_init(PIC_MASK_ALL);
	for (u32 v = FIRST_SAFE_VECTOR; v < 256; v++)
		trap_set_handler((u8)v, on_any);
	trap_set_handler(VEC_NMI, on_nmi);

	abuse_apic_base();
	abuse_x2apic_msrs();
	abuse_icr();
	abuse_apic_page();
	abuse_timer();
	abuse_ioapic();
	storm_from_pit();
	storm_init_sipi();
	printf("apic-hostile: %u interrupts and %u NMIs taken; INIT to itself\n", interrupts, nmis);
	apic_icr_write(APIC_DM_INIT | APIC_INT_LEVEL | APIC_INT_ASSERT, apic_id());
	printf("apic-hostile: still running after INIT to itself\n");
	return 1;
}
