/* Host-test stand-ins for the hypervisor's memory and console (see tests/unit/shim.c). */
#pragma once
#include <stdint.h>

#define SHIM_PHYS_BASE  0x40000000ull /* fake physical address of the arena's first byte */
#define SHIM_ARENA_SIZE (64ull << 20)

uint64_t shim_frames_in_use(void);
/* Make the next `n` frame allocations fail (exhaustion tests); -1 disables. */
void shim_fail_after(long n);
/* Text of everything klog/kprintf printed since the last call (then cleared). */
const char *shim_log_take(void);
