/* The devices every VM gets, wired to its buses. */
#pragma once
#include <stdbool.h>

struct vm;

/* Debug-exit port 0xf4, the guest console on 0x3f8 and the MMIO test device (see
 * kernel/guest_abi.h). */
bool platform_devices_attach(struct vm *vm);
