/* Which VM receives what is typed on the hypervisor's serial console.
 *
 * Keys go to the VM with console focus (the first VM at boot). Ctrl-] (0x1d) starts a
 * command: Ctrl-] then 1..9 focuses VM N, Ctrl-] n the next VM, Ctrl-] q ends the run
 * (the console's "power switch", as Ctrl-A x is QEMU's), Ctrl-] Ctrl-] sends one Ctrl-] to
 * the guest. Any other key after Ctrl-] is dropped with the Ctrl-].
 * Bytes the focused guest's UART cannot take yet wait in a FIFO here, so nothing typed is
 * lost while the guest's receive FIFO is full. Pure logic, host-tested. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#define FOCUS_ESCAPE	 0x1d /* Ctrl-] */
#define FOCUS_QUEUE_SIZE 1024

enum focus_result {
	FOCUS_CONSUMED, /* part of a command; nothing to deliver */
	FOCUS_DELIVER,	/* queue the byte for the focused VM */
	FOCUS_CHANGED,	/* focus moved: announce it */
	FOCUS_QUIT,	/* Ctrl-] q: stop every VM */
};

struct console_focus {
	unsigned current; /* index of the focused VM */
	unsigned count;	  /* how many VMs can take focus */
	bool escape;
	uint8_t queue[FOCUS_QUEUE_SIZE];
	unsigned head, len;
};

void focus_init(struct console_focus *f, unsigned count);
enum focus_result focus_feed(struct console_focus *f, uint8_t byte);
bool focus_queue_push(struct console_focus *f, uint8_t byte);
bool focus_queue_peek(const struct console_focus *f, uint8_t *byte);
void focus_queue_pop(struct console_focus *f);
/* Moves focus to the VM at index target (queued bytes are dropped, as on a switch). */
void focus_set(struct console_focus *f, unsigned target);
/* When the focused VM is not in live (bit n set: VM n can still take input), moves focus to
 * the first live VM after it, wrapping around; returns whether focus moved. */
bool focus_leave_ended(struct console_focus *f, uint64_t live);
