/* INIT and SIPI storms: AP 1 restarted a thousand times, AP 2 started once and then sent
 * SIPIs with junk vectors (ignored: it runs), IDs that do not exist, INIT de-asserts, NMIs
 * and fixed IPIs to APs that sit in real mode with interrupts off. AP 3 is never started. */
#include "guests/apic-hostile/hostile.h"
#include "guests/lib/apic.h"
#include "guests/lib/printf.h"
#include "guests/lib/string.h"
#include "guests/lib/tsc.h"
#include "guests/lib/x86.h"

#define PARK_PAGE   0x9000 /* SIPI vector 9: the APs' only code */
#define PARK_VECTOR (PARK_PAGE >> 12)
#define IVT_NMI	    (2 * 4) /* real-mode vector 2: offset, segment */
#define RESTARTS    1000

/* cli; hlt; jmp back to the hlt; at +0x10 an IRET for the NMIs they get. */
static const u8 park_code[] = {0xfa, 0xf4, 0xeb, 0xfd};
static const u8 iret_code[] = {0xcf};

static void sipi(u32 id, u8 vector)
{
	apic_icr_write(APIC_DM_STARTUP | vector, id);
}

static void init(u32 id)
{
	apic_icr_write(APIC_DM_INIT | APIC_INT_LEVEL | APIC_INT_ASSERT, id);
}

void storm_init_sipi(void)
{
	memcpy((void *)PARK_PAGE, park_code, sizeof park_code);
	memcpy((void *)(PARK_PAGE + 0x10), iret_code, sizeof iret_code);
	volatile u16 *ivt_nmi;
	__asm__("" : "=r"(ivt_nmi) : "0"(IVT_NMI)); /* page 0 is RAM here, whatever GCC thinks */
	ivt_nmi[0] = 0x10;
	ivt_nmi[1] = PARK_PAGE >> 4;

	for (u32 i = 0; i < RESTARTS; i++) {
		init(1);
		sipi(1, PARK_VECTOR);
		sipi(1, (u8)junk()); /* AP 1 already starts: ignored */
	}
	sipi(2, PARK_VECTOR);
	for (u32 i = 0; i < RESTARTS; i++)
		sipi(2, (u8)junk());
	for (u32 id = 4; id < 0xff; id++) {
		init(id);
		sipi(id, (u8)junk());
	}
	apic_icr_write(APIC_DEST_ALL_BUT_SELF | APIC_DM_INIT | APIC_INT_LEVEL, 0); /* de-assert */
	for (u32 i = 0; i < 100; i++) {
		apic_icr_write(APIC_DM_NMI, 1 + i % 2);
		apic_icr_write(APIC_DM_FIXED | 0x50, 1 + i % 2);
	}
	sti();
	tsc_spin_ms(5);
	cli();
	printf("apic-hostile: %u INIT-SIPI restarts of AP 1, %u junk SIPIs to running AP 2, "
	       "INIT/SIPI to absent IDs 4-254, NMIs to parked APs; AP 3 never started\n",
	       RESTARTS, RESTARTS);
}
