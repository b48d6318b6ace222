/* Emulated Intel 8254 programmable interval timer (ports 0x40-0x43) and the PC's port 0x61
 * (system control port B: channel 2 gate, speaker enable, refresh toggle, OUT2).
 *
 * Time is virtual: the caller's time source returns an absolute count of CLK edges of the
 * 1.193182 MHz input clock. Nothing counts by itself; every count and OUT level is computed
 * from that tick, so reads never drift and periodic modes keep an exact phase.
 * Timing follows the datasheet: a count written at tick t is loaded into the counting element
 * on the next edge (t + 1), so mode 0 raises OUT at t + 1 + N and mode 2 first pulses then.
 *
 * IRQ0 (channel 0's OUT): each rising edge of OUT0 is delivered as a pulse on the IRQ line,
 * when pit_update() or a port access notices it. Missed ticks are coalesced: if several
 * edges happened since the last look (the vCPU was not running), IRQ0 is pulsed once; the
 * counter phase is unaffected, so later interrupts stay on the exact period grid.
 *
 * Choices where the datasheet leaves room:
 * - Power-on: every channel as if programmed for mode 2, LSB-then-MSB, binary, without a
 *   count: OUT high, not counting. Channel 2's gate (port 0x61 bit 0) starts low; the gates
 *   of channels 0 and 1 are tied high.
 * - Reading the control port 0x43 returns 0xff (the 8254 leaves the bus floating).
 * - A count written in mode 3 while counting takes effect at the end of the current
 *   period (the datasheet says half-period); mode 2 uses the period end, as specified.
 * - A control word releases latched count and status, and resets both byte flip-flops.
 * - In mode 1 OUT drops at the trigger instead of one clock later. */
#pragma once
#include "devices/access.h"
#include <stdbool.h>
#include <stdint.h>

#define PIT_HZ		  1193182u /* CLK input of all three counters */
#define PIT_PORT_COUNTER0 0x40
#define PIT_PORT_COUNTER1 0x41
#define PIT_PORT_COUNTER2 0x42
#define PIT_PORT_CONTROL  0x43 /* control word; write-only */
#define PIT_PORT_SYSCTL_B 0x61 /* PC system control port B */
#define PIT_CHANNELS	  3

struct pit_channel {
	uint8_t mode_bits; /* M2-M0 as written: modes 6 and 7 are 2 and 3, read back as 6/7 */
	uint8_t access;	   /* RW1-RW0 as written: LSB, MSB or LSB then MSB */
	bool bcd;	   /* counts in four BCD decades */
	bool gate;
	bool have_count;     /* a count was written since the control word */
	bool running;	     /* the counting element is decrementing */
	bool done;	     /* modes 0, 1, 4, 5: OUT's event for this count already happened */
	uint32_t count;	     /* CR: last written count, 0 stored as 65536 (10000 in BCD) */
	uint32_t start;	     /* counting element at tick `t0`; its frozen value when stopped */
	uint64_t t0;	     /* tick at which the counting element held `start` */
	bool reload_pending; /* modes 2, 3: `count` replaces `start` at `reload_tick` */
	uint64_t reload_tick;
	uint64_t null_until; /* NULL COUNT is set before this tick */
	bool write_msb;	     /* write flip-flop: next byte written is the MSB */
	uint8_t lsb_written;
	bool read_msb; /* read flip-flop: next byte read is the MSB */
	bool count_latched;
	uint16_t latched_count;
	bool status_latched;
	uint8_t latched_status;
};

struct pit {
	struct pit_channel ch[PIT_CHANNELS];
	struct irq_line irq0;
	uint64_t (*now)(void *ctx);
	void *now_ctx;
	uint64_t irq_checked_until; /* OUT0 edges up to this tick have been delivered */
	bool speaker_enable;	    /* port 0x61 bit 1, stored only */
};

/* Power-on state (see above). `irq0` is copied; pit_init does not drive it. */
void pit_init(struct pit *p, const struct irq_line *irq0);
/* io_handler_fn for 0x40-0x43 and 0x61; dispatches on a->port. */
void pit_io(void *pit, struct io_access *a);
/* `now` returns the current PIT tick; until one is set, time stands still at tick 0. */
void pit_set_time_source(struct pit *p, uint64_t (*now)(void *ctx), void *ctx);
/* Pulse IRQ0 if OUT0 rose since the last look (several rises count as one). */
void pit_update(struct pit *p);
/* Tick of the next rising edge of OUT0 not yet delivered, or UINT64_MAX. May be in the
 * past: then pit_update() has an interrupt to deliver. */
uint64_t pit_next_irq_tick(const struct pit *p);
