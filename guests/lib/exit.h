/* Ending the test VM with an exit code. */
#pragma once
#include "guests/lib/types.h"

#define EXIT_PASS      0
#define EXIT_FAIL      1
#define EXIT_EXCEPTION 3 /* an exception or interrupt nobody expected */

void guest_exit(u32 code) __attribute__((noreturn));
