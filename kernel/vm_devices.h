/* The devices every VM gets: a PC's legacy platform (8259A pair, 8254 PIT with port 0x61,
 * 16550A COM1, CMOS RTC, i8042), QEMU's fw_cfg ports, the debug-exit port 0xf4 and the MMIO
 * test device (see kernel/guest_abi.h). Device models know nothing of VMX; this file wires
 * them to a VM's buses, its clock and its first vCPU's interrupt input. */
#pragma once
#include "devices/fw_cfg.h"
#include "devices/i8042.h"
#include "devices/pic.h"
#include "devices/pit.h"
#include "devices/rtc.h"
#include "devices/uart16550.h"
#include <stdbool.h>
#include <stdint.h>

struct vm;

struct vm_platform {
	struct pic_pair pic;
	struct pit pit;
	struct uart16550 com1;
	struct rtc rtc;
	struct i8042 kbc;
	struct fw_cfg fw_cfg;
	struct irq_line irq0, irq1, irq4, irq8, irq12;
	uint64_t tsc_origin;     /* TSC when the VM's clocks started */
	uint64_t timer_deadline; /* TSC of the next device timer event, ~0 if none */
	bool timers_dirty;       /* a guest reprogrammed a timer: recompute the deadline */
};

bool platform_devices_attach(struct vm *vm);
/* Brings the device clocks up to now (raising due timer interrupts) and recomputes the
 * next timer deadline. Called when a deadline passed or a timer was reprogrammed. */
void platform_update(struct vm *vm, uint64_t now);
/* The guest's host-clock epoch: host RTC at boot, or the rtc= option for repeatable runs. */
void platform_clock_init(void);
