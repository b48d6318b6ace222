/* The TSC as the guests' clock, its rate measured against PIT channel 2 the way Linux's
 * pit_calibrate_tsc() does: gate channel 2 on, count down in mode 0, poll OUT2 in port 0x61. */
#pragma once
#include "guests/lib/types.h"

/* Calibrates (first call only) and returns TSC kHz; 0 if every attempt was disturbed. */
u32 tsc_calibrate_khz(void);
/* mhv's own TSC rate from CPUID leaf MHV_CPUID_LEAF_TIMING; 0 without mhv or the leaf. */
u32 tsc_hypervisor_khz(void);
/* For guests that time only timeouts and waits: the calibrated rate, else mhv's (which the
 * functions below then use); 0 if neither is known. */
u32 tsc_khz_for_timeouts(void);
/* TSC cycles in ms milliseconds at the calibrated rate. */
u64 tsc_from_ms(u32 ms);
/* Busy-waits ms milliseconds; interrupts stay as they are. */
void tsc_spin_ms(u32 ms);
