/* What the benchmark guest's parts share: the iteration count and the row format
 * tools/bench parses. */
#pragma once
#include "guests/lib/types.h"

#define ITERS 1000

/* One result row: "bench: NAME N iters, avg A cycles, min M cycles". */
void bench_print(const char *name, u32 iters, u64 avg, u64 min);
/* The local APIC rows (apic.c); the IPI round trip needs cpus=2. */
void bench_apic(void);
