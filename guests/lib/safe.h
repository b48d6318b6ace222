/* Instructions that may fault, run with a recovery point: each returns false when the
 * instruction raised an exception, whose vector is then in trap_caught_vector. */
#pragma once
#include "guests/lib/types.h"

bool rdmsr_safe(u32 msr, u64 *val);
bool wrmsr_safe(u32 msr, u64 val);
bool write_cr4_safe(u32 val);
