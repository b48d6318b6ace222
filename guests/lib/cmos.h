/* The MC146818 RTC and CMOS RAM behind ports 0x70 (index) and 0x71 (data). */
#pragma once
#include "guests/lib/types.h"

#define CMOS_INDEX 0x70 /* bit 7 masks NMI; these guests leave it clear */
#define CMOS_DATA  0x71

/* Clock registers, in BCD or binary as register B's DM bit says. */
#define RTC_SEC	    0x00
#define RTC_MIN	    0x02
#define RTC_HOUR    0x04 /* 12-hour mode: bit 7 = PM */
#define RTC_MDAY    0x07
#define RTC_MONTH   0x08
#define RTC_YEAR    0x09
#define RTC_CENTURY 0x32 /* PC/AT convention */

#define RTC_REG_A	0x0a
#define RTC_A_UIP	0x80 /* update in progress: clock registers about to change */
#define RTC_A_DV_32K	0x20 /* divider chain for the 32.768 kHz time base */
#define RTC_A_RATE_1024 0x06 /* periodic interrupt every 976.5625 us */
#define RTC_REG_B	0x0b
#define RTC_B_SET	0x80 /* updates stopped */
#define RTC_B_PIE	0x40 /* periodic interrupt enable */
#define RTC_B_BINARY	0x04 /* DM: 1 = binary, 0 = BCD */
#define RTC_B_24H	0x02 /* 1 = 24-hour mode */
#define RTC_REG_C	0x0c /* interrupt flags; reading clears them and drops IRQ8 */
#define RTC_REG_D	0x0d
#define RTC_D_VRT	0x80 /* valid RAM and time */
#define RTC_HOUR_PM	0x80

/* BIOS memory-size bytes, 16-bit little-endian, in KiB. */
#define CMOS_BASE_KB	 0x15 /* below 1 MiB: 640 */
#define CMOS_EXT_KB	 0x17 /* above 1 MiB, up to 0xffff */
#define CMOS_EXT_KB_POST 0x30 /* the same as POST found it */
#define CMOS_ABOVE_16M	 0x34 /* 64 KiB units from 16 MiB up to 4 GiB */

u8 cmos_read(u8 reg);
void cmos_write(u8 reg, u8 v);
/* Two consecutive bytes, low first. */
u16 cmos_read16(u8 reg);
