#include "guests/lib/pit.h"
#include "guests/lib/div64.h"
#include "guests/lib/x86.h"

void pit_start(u8 mode, u16 count)
{
	outb(PIT_CMD, PIT_SEL_CH0 | PIT_LOHI | mode);
	outb(PIT_CH0, (u8)count);
	outb(PIT_CH0, (u8)(count >> 8));
}

u16 pit_read_count(void)
{
	outb(PIT_CMD, PIT_SEL_CH0 | PIT_LATCH);
	u8 lo = inb(PIT_CH0);
	return (u16)(lo | inb(PIT_CH0) << 8);
}

u8 pit_read_status(void)
{
	outb(PIT_CMD, PIT_READ_BACK | PIT_RB_NO_COUNT | PIT_RB_CH0);
	return inb(PIT_CH0);
}

u16 pit_count_for_us(u32 us)
{
	return (u16)udiv64((u64)PIT_HZ * us, 1000000, NULL);
}
