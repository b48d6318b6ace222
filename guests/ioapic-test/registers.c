/* Register read-back: the ID's writable bits, the version, the arbitration ID, the
 * power-on redirection table (all masked) and which entry bits software can set. */
#include "guests/ioapic-test/tests.h"
#include "guests/lib/ioapic.h"
#include "guests/lib/report.h"

#define PINS		 24
#define VERSION_EXPECTED 0x00170011u /* version 0x11, highest entry 23 */
#define ID_WRITABLE	 0x0f000000u
#define RTE_RO		 (IOAPIC_DELIVERY_PENDING | IOAPIC_REMOTE_IRR)
#define RTE_LOW_FIELDS	 0x0001afffu /* vector, delivery and destination mode, polarity, */
				     /* trigger, mask: everything but the read-only bits */
#define OUT_OF_RANGE (IOAPIC_REDTBL + 2 * PINS)

void test_registers(void)
{
	u32 id0 = ioapic_read(IOAPIC_ID);
	ioapic_write(IOAPIC_ID, 0xffffffff);
	u32 id = ioapic_read(IOAPIC_ID), arb = ioapic_read(IOAPIC_ARB);
	ioapic_write(IOAPIC_ID, id0);
	report(id0 == 0 && id == ID_WRITABLE,
	       "ioapic: ID 0x%x at reset; only bits 27:24 are writable (0x%08x)", id0, id);
	report(arb == id, "ioapic: the arbitration register holds the ID (0x%08x)", arb);
	u32 version = ioapic_read(IOAPIC_VERSION);
	report(version == VERSION_EXPECTED, "ioapic: version 0x%08x: 24 pins, version 0x11",
	       version);

	bool masked = true;
	for (u32 pin = 0; pin < PINS; pin++)
		masked &= ioapic_rte_read(pin) == IOAPIC_MASKED;
	report(masked, "ioapic: all 24 entries masked at reset (0x%llx)", ioapic_rte_read(0));

	const u32 pin = 10; /* no device of the guest's drives it */
	ioapic_write(IOAPIC_REDTBL + 2 * pin, 0xffffffff);
	ioapic_write(IOAPIC_REDTBL + 2 * pin + 1, 0xffffffff);
	u64 rte = ioapic_rte_read(pin);
	ioapic_rte_write(pin, IOAPIC_MASKED);
	report(!((u32)rte & RTE_RO) && ((u32)rte & RTE_LOW_FIELDS) == RTE_LOW_FIELDS,
	       "ioapic: entry bits read back, delivery status and remote IRR stay 0 (0x%08x)",
	       (u32)rte);
	report((rte >> IOAPIC_DEST_SHIFT) == 0xff,
	       "ioapic: destination bits 63:56 read back (0x%x)", (u32)(rte >> 32));

	ioapic_write(OUT_OF_RANGE, 0x12345678);
	u32 beyond = ioapic_read(OUT_OF_RANGE);
	u64 last = ioapic_rte_read(PINS - 1);
	report(beyond == 0 && last == IOAPIC_MASKED,
	       "ioapic: index 0x%x past the table reads 0, its write changed nothing",
	       OUT_OF_RANGE);
}
