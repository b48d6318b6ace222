#include "guests/lib/cmos.h"
#include "guests/lib/x86.h"

u8 cmos_read(u8 reg)
{
	outb(CMOS_INDEX, reg);
	return inb(CMOS_DATA);
}

void cmos_write(u8 reg, u8 v)
{
	outb(CMOS_INDEX, reg);
	outb(CMOS_DATA, v);
}

u16 cmos_read16(u8 reg)
{
	return (u16)(cmos_read(reg) | cmos_read(reg + 1) << 8);
}
