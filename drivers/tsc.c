#include "drivers/tsc.h"
#include "kernel/log.h"
#include "kernel/x86.h"

#define PIT_HZ          1193182
#define PIT_CH2_DATA    0x42
#define PIT_MODE_CMD    0x43
#define PIT_CH2_MODE0   0xb0 /* channel 2, lobyte/hibyte, mode 0 (interrupt on terminal count) */
#define PORT_B          0x61
#define PORT_B_GATE2    0x01 /* channel 2 gate */
#define PORT_B_SPEAKER  0x02 /* speaker data enable: keep off */
#define PORT_B_OUT2     0x20 /* channel 2 output, read-only */
#define CALIBRATE_MS    10
#define FALLBACK_HZ     1000000000ull

uint64_t tsc_hz;

/* Counts TSC ticks while PIT channel 2 counts down CALIBRATE_MS worth of its 1.193182 MHz
 * clock in mode 0; OUT2 goes high at terminal count. */
void tsc_calibrate(void)
{
	uint16_t count = PIT_HZ * CALIBRATE_MS / 1000;
	uint8_t b = inb(PORT_B);
	outb(PORT_B, (uint8_t)((b & ~PORT_B_SPEAKER) & ~PORT_B_GATE2));
	outb(PIT_MODE_CMD, PIT_CH2_MODE0);
	outb(PIT_CH2_DATA, (uint8_t)count);
	outb(PIT_CH2_DATA, (uint8_t)(count >> 8));
	outb(PORT_B, (uint8_t)((b & ~PORT_B_SPEAKER) | PORT_B_GATE2));

	uint64_t start = rdtsc();
	uint64_t spins = 0;
	while (!(inb(PORT_B) & PORT_B_OUT2)) {
		if (++spins > 100000000ull)
			break;
	}
	uint64_t delta = rdtsc() - start;
	outb(PORT_B, b);

	if (spins > 100000000ull || delta == 0) {
		tsc_hz = FALLBACK_HZ;
		log_warn("tsc: PIT calibration failed; assuming %llu MHz",
			 (unsigned long long)(tsc_hz / 1000000));
		return;
	}
	tsc_hz = delta * (1000 / CALIBRATE_MS);
	log_info("tsc: %llu.%03llu MHz (calibrated against PIT channel 2)",
		 (unsigned long long)(tsc_hz / 1000000),
		 (unsigned long long)(tsc_hz / 1000 % 1000));
}
