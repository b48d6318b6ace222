#include "guests/lib/ioapic.h"

static volatile u32 *reg(u32 offset)
{
	return (volatile u32 *)(IOAPIC_BASE + offset);
}

u32 ioapic_read(u32 index)
{
	*reg(IOAPIC_REGSEL) = index;
	return *reg(IOAPIC_WINDOW);
}

void ioapic_write(u32 index, u32 value)
{
	*reg(IOAPIC_REGSEL) = index;
	*reg(IOAPIC_WINDOW) = value;
}

u64 ioapic_rte_read(u32 pin)
{
	u32 lo = ioapic_read(IOAPIC_REDTBL + 2 * pin);
	return (u64)ioapic_read(IOAPIC_REDTBL + 2 * pin + 1) << 32 | lo;
}

void ioapic_rte_write(u32 pin, u64 rte)
{
	ioapic_write(IOAPIC_REDTBL + 2 * pin + 1, (u32)(rte >> 32));
	ioapic_write(IOAPIC_REDTBL + 2 * pin, (u32)rte);
}

u64 ioapic_rte(u8 vector, u8 dest, u32 flags)
{
	return (u64)dest << IOAPIC_DEST_SHIFT | flags | vector;
}
