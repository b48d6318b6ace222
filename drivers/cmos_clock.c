#include "drivers/cmos_clock.h"
#include "devices/rtc.h"
#include "kernel/x86.h"

#define CMOS_INDEX 0x70
#define CMOS_DATA  0x71
#define NMI_OFF    0x80 /* keep NMIs masked while the index points at the clock */
#define REG_D	   0x0d /* status D (read-only): a harmless register to leave selected */
#define REG_A_UIP  0x80 /* update in progress: the time registers are changing */
#define REG_B_BIN  0x04
#define REG_B_24H  0x02
#define HOUR_PM    0x80

static uint8_t cmos_read(uint8_t reg)
{
	outb(CMOS_INDEX, NMI_OFF | reg);
	return inb(CMOS_DATA);
}

static unsigned from_bcd(uint8_t v, bool binary)
{
	return binary ? v : (v >> 4) * 10 + (v & 0xf);
}

static void read_once(uint8_t r[10])
{
	for (unsigned spins = 0; (cmos_read(0x0a) & REG_A_UIP) && spins < 1000000; spins++)
		cpu_relax();
	static const uint8_t regs[] = {0x00, 0x02, 0x04, 0x07, 0x08, 0x09, 0x32, 0x0b};
	for (unsigned i = 0; i < sizeof regs; i++)
		r[i] = cmos_read(regs[i]);
}

uint64_t host_rtc_epoch(void)
{
	uint8_t a[10], b[10];
	/* Read until two passes agree, so no field was caught mid-update. */
	read_once(a);
	for (int tries = 0; tries < 5; tries++) {
		read_once(b);
		bool same = true;
		for (int i = 0; i < 8; i++)
			same = same && a[i] == b[i];
		if (same)
			break;
		for (int i = 0; i < 8; i++)
			a[i] = b[i];
	}
	/* Index bit 7 is the chipset's NMI mask: leave it clear, or every NMI (the end-of-run
	 * stop among them) is lost for good. */
	outb(CMOS_INDEX, REG_D);
	inb(CMOS_DATA);
	bool bin = a[7] & REG_B_BIN;
	unsigned hour = from_bcd(a[2] & ~HOUR_PM, bin);
	if (!(a[7] & REG_B_24H)) {
		hour %= 12;
		if (a[2] & HOUR_PM)
			hour += 12;
	}
	unsigned century = from_bcd(a[6], bin);
	unsigned year = from_bcd(a[5], bin) + (century >= 19 && century <= 21 ? century * 100 : 2000);
	struct rtc_time t = {
		.year = (uint16_t)year,
		.month = (uint8_t)from_bcd(a[4], bin),
		.mday = (uint8_t)from_bcd(a[3], bin),
		.hour = (uint8_t)hour,
		.min = (uint8_t)from_bcd(a[1], bin),
		.sec = (uint8_t)from_bcd(a[0], bin),
	};
	int64_t e = rtc_time_to_epoch(&t);
	return e > 0 ? (uint64_t)e : 0;
}
