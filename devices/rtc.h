/* Emulated MC146818 CMOS RTC on ports 0x70 (index, bit 7 = NMI mask) and 0x71 (data).
 * The clock is derived from a time source (ns since the Unix epoch) plus an offset the guest
 * sets through register B's SET bit; nothing ticks on its own. The interrupt flags in
 * register C are computed from that time when read or when rtc_update() polls them.
 *
 * UIP (register A bit 7): the real part raises it 244 us before each update of the time
 * registers. A guest that polls register A slowly (under emulation a few exits can take
 * longer than that) or is descheduled across the window would never see it, and a guest
 * that waits for its edges would wait forever. So a register-A read shows UIP = 1
 *   - when it falls in the 244 us before an update (the time registers still show the old
 *     second), or
 *   - when it is the first read since an update cycle began that no read has shown UIP for
 *     yet, even though that update is already done (the time registers show the new second).
 * So every update shows UIP = 1 to at least one register-A read however slowly the guest
 * polls, and once UIP reads 0 again the time registers show the updated second. While SET
 * stops the clock UIP is 0; setting the clock counts as an update no read needs to see. */
#pragma once
#include "devices/access.h"
#include <stdbool.h>
#include <stdint.h>

#define RTC_CMOS_SIZE 128

/* A broken-down date and time; year is the full year (century * 100 + year). */
struct rtc_time {
	uint16_t year;
	uint8_t month; /* 1-12 */
	uint8_t mday;  /* 1-31 */
	uint8_t wday;  /* 1 = Sunday ... 7 = Saturday, as the RTC counts */
	uint8_t hour;  /* 0-23 */
	uint8_t min;
	uint8_t sec;
};

struct rtc {
	struct irq_line irq8;
	uint64_t (*now_ns)(void *ctx);
	void *ctx;

	uint8_t index;
	bool nmi_masked;
	uint8_t cmos[RTC_CMOS_SIZE]; /* registers A and B, alarms and CMOS RAM; not the clock */
	int64_t offset_sec;	     /* guest time = time source + offset_sec s + offset_ns */
	uint32_t offset_ns;	     /* 0 .. 999999999 */
	struct rtc_time set_time;    /* the clock while SET freezes it */
	int64_t last_update_sec;     /* guest second of the last update cycle looked at */
	int64_t uip_shown_sec;	     /* the update (to this guest second) UIP was last shown for */
	uint64_t last_tick;	     /* 32.768 kHz time-base count when PF was last looked at */
	uint8_t flags;		     /* register C: PF, AF, UF latched since the last read */
	bool irq_level;
};

void rtc_init(struct rtc *r, const struct irq_line *irq8, uint64_t (*now_ns)(void *ctx), void *ctx);
/* io_handler_fn for ports 0x70-0x71: even port = index, odd port = data. */
void rtc_io(void *rtc, struct io_access *a);
/* Fill the BIOS memory-size bytes for a guest with `bytes` of RAM from address 0 up
 * (any PCI hole is the caller's business). */
void rtc_set_memory_size(struct rtc *r, uint64_t bytes);
/* State of the NMI-mask bit the guest last wrote to port 0x70. */
bool rtc_nmi_masked(const struct rtc *r);
/* Poll: latch newly due periodic/alarm/update-ended flags and drive IRQ8 from IRQF. */
void rtc_update(struct rtc *r);
/* Whether register B enables any interrupt, i.e. rtc_update() has work to do. */
bool rtc_interrupts_enabled(const struct rtc *r);
/* When rtc_update() must next run so that no enabled interrupt is missed: the time source's
 * ns of the next periodic tick (PIE) or update cycle (UIE, AIE), the current time when one
 * is due but not latched yet, UINT64_MAX when no interrupt is enabled. A caller that polls
 * on a fixed grid instead loses periodic interrupts whenever two ticks fall between polls. */
uint64_t rtc_next_event_ns(const struct rtc *r);

/* Date arithmetic, exposed for tests and for callers that build a time source. */
void rtc_time_from_epoch(int64_t sec, struct rtc_time *t);
int64_t rtc_time_to_epoch(const struct rtc_time *t);
