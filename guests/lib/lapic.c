#include "guests/lib/lapic.h"
#include "guests/lib/mmio.h"
#include "guests/lib/trap.h"

volatile u32 lapic_irq_count[256];

static void on_spurious(struct trap_frame *f)
{
	(void)f; /* a spurious interrupt sets no ISR bit: it takes no EOI */
}

static void on_counted(struct trap_frame *f)
{
	lapic_irq_count[f->vector & 0xff]++;
	lapic_eoi();
}

void lapic_enable(void)
{
	trap_set_handler(LAPIC_SPURIOUS_VEC, on_spurious);
	mmio_write32(LAPIC_BASE + LAPIC_SVR, LAPIC_SVR_ENABLE | LAPIC_SPURIOUS_VEC);
}

u8 lapic_id(void)
{
	return (u8)(mmio_read32(LAPIC_BASE + LAPIC_ID) >> 24);
}

void lapic_eoi(void)
{
	mmio_write32(LAPIC_BASE + LAPIC_EOI, 0);
}

u32 lapic_msi_address(void)
{
	return MSI_ADDR_BASE | (u32)lapic_id() << MSI_ADDR_DEST_SHIFT;
}

void lapic_count_vector(u8 vector)
{
	trap_set_handler(vector, on_counted);
}
