/* Minimal emulated i8042 keyboard controller on ports 0x60 (data) and 0x64 (status and
 * command). Enough for firmware and kernels to probe it, program the command byte and reset
 * the machine through it. No keys are ever pressed, there is no auxiliary (mouse) device and
 * no IRQ 1: replies sit in the output buffer for polling. */
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
	uint8_t out_head;
	uint8_t out_count;
	uint8_t last_read; /* the data port repeats it when nothing new is waiting */
};

/* `reset` is called when the guest pulses or drives the CPU reset line. */
void i8042_init(struct i8042 *k, void (*reset)(void *ctx), void *ctx);
/* io_handler_fn for both ports: 0x64 (bit 2 of the port set) or 0x60. Byte accesses. */
void i8042_io(void *kbc, struct io_access *a);
