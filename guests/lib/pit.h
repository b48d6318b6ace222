/* The 8254 PIT and system control port B, as the device guests use them: channel 0 drives
 * IRQ0, channel 2 (gated and read back through port 0x61) times the TSC calibration. */
#pragma once
#include "guests/lib/types.h"

#define PIT_HZ	     1193182u /* input clock of every channel */
#define PIT_CH0	     0x40
#define PIT_CH2	     0x42
#define PIT_CMD	     0x43 /* control word; write-only */
#define PORT_SYSCTLB 0x61 /* PC system control port B */

/* Control word: SC1-SC0 channel, RW1-RW0 access, M2-M0 mode, BCD. */
#define PIT_SEL_CH0   0x00
#define PIT_SEL_CH2   0x80
#define PIT_READ_BACK 0xc0 /* SC = 11: read-back command */
#define PIT_LATCH     0x00 /* RW = 00: counter latch command */
#define PIT_LOHI      0x30 /* RW = 11: LSB then MSB */
#define PIT_MODE0     0x00 /* interrupt on terminal count: OUT rises once, N+1 clocks on */
#define PIT_MODE2     0x04 /* rate generator: OUT pulses low every N clocks */

/* Read-back command: COUNT (and STATUS, bit 4) are active low. */
#define PIT_RB_NO_COUNT 0x20
#define PIT_RB_CH0	0x02

/* Status byte: OUT (bit 7), NULL COUNT, then bits 5:0 of the last control word. */
#define PIT_STATUS_NULL	     0x40
#define PIT_STATUS_CTRL_MASK 0x3f

#define SYSCTLB_GATE2	0x01 /* channel 2 gate */
#define SYSCTLB_SPEAKER 0x02 /* channel 2 output to the speaker */
#define SYSCTLB_OUT2	0x20 /* channel 2 OUT, read-only */

/* Channel 0: control word for mode (binary, LSB then MSB), then the count. */
void pit_start(u8 mode, u16 count);
/* Channel 0's count through the counter latch command. */
u16 pit_read_count(void);
/* Channel 0's status byte through the read-back command. */
u8 pit_read_status(void);
/* Counts for a period of us microseconds (1..54925). */
u16 pit_count_for_us(u32 us);
