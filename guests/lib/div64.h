/* 64-by-32-bit division without libgcc's __udivdi3. */
#pragma once
#include "guests/lib/types.h"

u64 udiv64(u64 n, u32 d, u32 *rem);
