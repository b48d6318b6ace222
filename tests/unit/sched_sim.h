/* Test helper: drives sched/policy.c as the hypervisor would, on N simulated CPUs with a
 * simulated clock (nanoseconds), and records what each entity got. The caller's protocol:
 * a CPU runs what policy_pick gave it until run_until or an earlier kick; then it puts or
 * blocks that entity, wakes every entity whose timer is due (there is no host timer
 * interrupt: timers are only noticed there), balances and picks again. Entities marked
 * `irq` are woken at the exact time instead, as a device interrupt or an IPI would, with
 * the kick carried out at once. The policy's structures are checked after every event. */
#pragma once
#include "sched/policy.h"
#include <stdbool.h>
#include <stdint.h>

#define SIM_MAX_ENTS	   64
#define SIM_FOREVER	   UINT64_MAX
#define SIM_LAT_BINS	   2048	  /* 1 us each; the last one counts everything above */
#define SIM_BUCKET	   250000 /* ns of the usage record, for the cap windows */
#define SIM_BUCKETS	   8000
#define SIM_TRACKED_GROUPS 4

struct sim_ent {
	struct sched_entity se;
	bool present;
	bool irq;	 /* woken at the exact time, not at the next CPU event */
	uint64_t period; /* wakes every period ... */
	uint64_t work;	 /* ... and runs this long; SIM_FOREVER: CPU-bound */
	uint64_t due;	 /* the timer it waits for, or the tick it serves */
	uint64_t left;	 /* of this activation's work */
	bool waiting;	 /* its timer fired and it has not run since */

	uint64_t service;  /* time run */
	uint32_t cpus_run; /* mask of the CPUs it ran on */
	int last_cpu;
	unsigned migrations;
	uint64_t burst_start, longest_burst; /* runs back to back on one CPU */
	unsigned ticks, lost;		     /* periodic: activations, ticks merged into others */
	uint64_t lat_max;
	uint32_t lat_hist[SIM_LAT_BINS];
};

struct sim_cpu {
	struct sim_ent *cur;
	uint64_t until;
	struct sim_ent *last; /* what ran before, and when it stopped */
	uint64_t last_end;
	unsigned idle_picks;
};

struct sim {
	struct sched_policy pol;
	unsigned ncpus;
	uint64_t now;
	unsigned ngroups, nents;
	struct sched_group groups[SIM_MAX_ENTS];
	struct sim_ent ents[SIM_MAX_ENTS];
	struct sim_cpu cpu[SCHED_MAX_CPUS];
	uint64_t usage[SIM_TRACKED_GROUPS][SIM_BUCKETS];
	unsigned long events;
	bool broken; /* an invariant failed: stop */
};

void sim_init(struct sim *s, unsigned ncpus, uint64_t slice, uint64_t min_slice,
	      uint64_t cap_period);
unsigned sim_group(struct sim *s, unsigned weight, unsigned cap);
/* A CPU-bound entity, runnable now. */
unsigned sim_hog(struct sim *s, unsigned group, uint32_t affinity);
/* Blocked until `first`, then runs `work` every `period` (work SIM_FOREVER: runs on). */
unsigned sim_periodic(struct sim *s, unsigned group, uint32_t affinity, uint64_t first,
		      uint64_t period, uint64_t work, bool irq);
void sim_remove(struct sim *s, unsigned ent);
/* Runs the simulation up to `end`. */
void sim_run(struct sim *s, uint64_t end);

/* The most group `g` (< SIM_TRACKED_GROUPS) ran in any window of `len` within [from, to). */
uint64_t sim_window_max(const struct sim *s, unsigned g, uint64_t len, uint64_t from, uint64_t to);
/* Wake-up latency of entity `i` at quantile q/100 (1 us resolution). */
uint64_t sim_latency_quantile(const struct sim *s, unsigned i, unsigned q);
/* Jain's fairness index of x[0..n): 1 when all are equal, 1/n when one has everything. */
double sim_jain(const double *x, unsigned n);
