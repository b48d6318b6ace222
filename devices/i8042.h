/* Minimal emulated i8042 (PS/2) keyboard controller on ports 0x60 (data) and 0x64 (status
 * and command). Enough for firmware and kernels to probe it, program the command byte and
 * reset the machine through it. No keys are ever pressed.
 *
 * The auxiliary (mouse) port exists, with no mouse plugged in: the controller's own AUX
 * commands work (0xa7/0xa8 toggle command byte bit 5, 0xd3 loops a byte back as AUX data),
 * and a byte sent to the mouse (0xd4) comes back as 0xfe with the time-out status bit, as a
 * PS/2 controller reports a device that never clocks. So a kernel's probe finds the port at
 * once and its mouse driver gives up on the first command instead of polling for replies.
 *
 * Each byte in the output buffer raises IRQ 1 (keyboard and controller bytes) or IRQ 12
 * (AUX bytes) while command byte bit 0 or 1 enables it; the line drops when the byte is
 * read and rises again for the next one. */
#pragma once
#include "devices/access.h"
#include <stdint.h>

#define I8042_OUT_QUEUE 8 /* replies waiting behind the one-byte output buffer */

struct i8042 {
	void (*reset)(void *ctx);
	void *ctx;

	uint8_t ctr;	      /* controller command byte */
	uint8_t output_port;  /* bit 0 = reset line (0 asserts reset), bit 1 = A20 gate */
	uint8_t awaiting;     /* controller command waiting for its data byte on 0x60, or 0 */
	uint8_t kbd_awaiting; /* keyboard command waiting for its argument, or 0 */
	uint8_t out[I8042_OUT_QUEUE];
	uint8_t out_status[I8042_OUT_QUEUE]; /* status bits of each byte: AUX data, time-out */
	uint8_t out_head;
	uint8_t out_count;
	uint8_t last_read; /* the data port repeats it when nothing new is waiting */

	struct irq_line irq1, irq12;
	bool irq1_level, irq12_level;
};

/* `reset` is called when the guest pulses or drives the CPU reset line. `irq1` and `irq12`
 * are copied (NULL: not connected). */
void i8042_init(struct i8042 *k, void (*reset)(void *ctx), void *ctx, const struct irq_line *irq1,
		const struct irq_line *irq12);
/* io_handler_fn for both ports: 0x64 (bit 2 of the port set) or 0x60. Byte accesses. */
void i8042_io(void *kbc, struct io_access *a);
