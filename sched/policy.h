/* The scheduling policy: which vCPU each physical CPU runs next and for how long. Plain C
 * with no VMX and no hardware knowledge: the caller embeds a struct sched_entity in each
 * vCPU and a struct sched_group in each VM, holds one lock around every call, reads the
 * clock and carries out the decisions (enter the guest until `run_until`, send an IPI for a
 * kick). Nothing here allocates; time is in caller units (TSC ticks), never floating point.
 *
 * The algorithm: weighted virtual time as in start-time fair queuing (Goyal, Vin and Cheng,
 * SIGCOMM 1996), with a credit1-style wake-up boost and credit2-style caps.
 *  - Each entity has a virtual time that advances by the time it runs times
 *    SCHED_WEIGHT_DEFAULT / weight. A CPU runs its entity with the least virtual time for
 *    one slice. Among entities that stay runnable, virtual times stay within about a slice
 *    of each other, so the shares are proportional to the weights with an error that does
 *    not grow with time: that is the property the shares rest on.
 *  - Each CPU has a virtual clock: the weighted average of the virtual times of what it
 *    runs and queues (SFQ's system virtual time, EEVDF's V). It advances whenever the CPU
 *    runs anything, at the rate a unit of weight is owed. An entity that wakes starts at
 *    max(its own virtual time, clock): sleeping earns nothing, so an entity that slept for
 *    an hour cannot then monopolise the CPU, and one that sleeps often can never run faster
 *    than the clock, which is its share. (EEVDF keeps lag across sleep and CFS grants a
 *    sleeper credit; either lets frequent sleepers take more than their share, which a
 *    hypervisor whose guests HLT all the time cannot afford.)
 *  - Latency comes from the order, not from credit. An entity that wakes not ahead of the
 *    clock by more than two slices' worth (it has not used its share) is boosted, like
 *    credit1's BOOST: it goes before the unboosted entities and preempts one that runs,
 *    once that one has had min_slice. A boosted run lasts at most min_slice and is charged
 *    in full, so boosting changes who runs first, never how much each gets: an entity
 *    further ahead is not boosted. An unboosted entity that wakes preempts when the runner
 *    has got min_slice ahead of it in virtual time. Nothing interrupts a running guest but
 *    its slice end, so a slice is also cut at the timer of a blocked entity that would
 *    preempt it then. A boosted wake-up therefore starts within min_slice, plus min_slice
 *    for each boosted entity ahead of it (normally none).
 *  - Caps are per VM (group), as in credit2: a budget of cap% of one CPU per cap period,
 *    which all the VM's vCPUs draw from; a vCPU takes a part of it when it is picked and
 *    gives back what it did not use, so vCPUs on several CPUs cannot overrun it together.
 *    A VM with its budget spent is not picked until the next period; an overrun (a late
 *    caller) is taken off the next period. Any window of length L then holds at most
 *    cap * L plus one period's budget.
 *  - One run queue per CPU. Virtual times of all CPUs are on one scale, so a CPU's clock
 *    says how far its entities have progressed per unit of weight. Balancing pulls a
 *    queued entity that is more than a slice behind the puller's clock (its CPU is more
 *    contended), choosing the one that evens the loads best. That balances progress, not
 *    counts: 3 equal entities on 2 CPUs take turns being the one alone, and each gets 2/3
 *    of a CPU. A migrated entity keeps at most two slices of lag, which bounds its burst on
 *    arrival. An idle CPU pulls any queued entity. Affinity masks are honoured everywhere.
 * Virtual times are compared modulo 2^64, so they may wrap; two CPUs' clocks must stay
 * within 2^63 of each other: more than 100 days at 3 GHz even at weight 1. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#define SCHED_MAX_CPUS	     8
#define SCHED_WEIGHT_DEFAULT 256
#define SCHED_WEIGHT_MAX     65535
#define SCHED_NEVER	     UINT64_MAX

struct sched_group {	 /* a VM */
	uint32_t weight; /* of each of its entities (credit2's per-vCPU weight) */
	uint32_t cap;	 /* percent of one CPU for the whole group; 0: none */
	int64_t budget;	 /* left in this cap period; negative: an overrun to pay back */
	uint64_t period_end;
};

enum sched_state {
	SE_OFF,	    /* not known to the policy */
	SE_QUEUED,  /* runnable, on its CPU's run queue */
	SE_RUNNING, /* its CPU's current entity */
	SE_BLOCKED, /* halted or waiting for SIPI: on the blocked list */
};

struct sched_entity { /* a vCPU */
	struct sched_group *group;
	uint32_t affinity; /* CPUs it may run on; 0: any */
	unsigned cpu;	   /* queued or running there; blocked: where it last was */
	enum sched_state state;
	bool boosted;
	uint64_t vtime;
	uint64_t start;	  /* when it last began to run */
	uint64_t held;	  /* cap budget taken for this run */
	uint64_t wake_at; /* blocked: when its timer makes it runnable; SCHED_NEVER: no timer */
	uint64_t ran;	  /* total time run, for statistics */
	struct sched_entity *next, *prev; /* run queue or blocked list */
};

struct sched_list {
	struct sched_entity *head, *tail;
	unsigned n;
};

struct sched_cpu {
	struct sched_list queue; /* runnable entities not running, in arrival order */
	struct sched_entity *running;
	uint64_t vclock;    /* its virtual clock when last computed */
	uint64_t run_until; /* when this CPU calls policy_pick next, as last told */
};

struct sched_policy {
	unsigned ncpus;
	uint64_t slice, min_slice, cap_period;
	struct sched_cpu cpu[SCHED_MAX_CPUS];
	struct sched_list blocked;
};

/* What the caller must do after a change: make CPU `cpu` call policy_pick no later than
 * `at` (cut the running guest's slice there, or end the idle wait; an IPI when `cpu` is
 * another CPU). Nothing to do when !resched. */
struct sched_kick {
	unsigned cpu;
	bool resched;
	uint64_t at;
};

/* `slice`: the normal run length; `min_slice` (<= slice): what a running entity keeps before
 * a woken one preempts it, and the longest boosted run; `cap_period`: the window of the
 * caps (0: one slice). */
void policy_init(struct sched_policy *p, unsigned ncpus, uint64_t slice, uint64_t min_slice,
		 uint64_t cap_period);
/* weight: 1..SCHED_WEIGHT_MAX (0: the default); cap: percent of one CPU, 0: none. */
void policy_group_init(struct sched_group *g, unsigned weight, unsigned cap);
/* Affinity bits of CPUs the policy does not have are ignored; a mask with none of its CPUs
 * means any. */
void policy_entity_init(struct sched_entity *e, struct sched_group *g, uint32_t affinity);

/* A new entity goes to the least loaded CPU it may use, level with the entities there; a
 * runnable one is queued at once (unboosted: it has no wake-up latency to keep short), a
 * blocked one waits for policy_wake. */
struct sched_kick policy_add(struct sched_policy *p, struct sched_entity *e, uint64_t now,
			     bool runnable);
/* Its VM ended: forget it in any state (a running one stops being its CPU's). */
void policy_remove(struct sched_policy *p, struct sched_entity *e, uint64_t now);
/* It halted or waits for SIPI (running or queued): `wake_at` is when its timer fires. Its
 * own CPU picks next and cuts the new slice there if the wake-up would preempt; the kick
 * wakes an idle CPU for it otherwise. With neither, the caller wakes it at the next pick
 * of any CPU (within a slice): it would not have preempted anyway. */
struct sched_kick policy_block(struct sched_policy *p, struct sched_entity *e, uint64_t now,
			       uint64_t wake_at);
/* A blocked entity's timer moved (another vCPU reprogrammed a device timer). */
struct sched_kick policy_set_wake_time(struct sched_policy *p, struct sched_entity *e, uint64_t now,
				       uint64_t wake_at);
/* It can take an interrupt (its timer, a device IRQ, an IPI, typed input, a SIPI): queue it
 * and say which CPU should look at it when. Nothing happens if it is not blocked. */
struct sched_kick policy_wake(struct sched_policy *p, struct sched_entity *e, uint64_t now);
/* A queued entity got an interrupt while another runs on its CPU: its CPU should pick again
 * when the entity would preempt the runner as an unboosted arrival does (once the runner
 * is min_slice ahead of it in virtual time), so the interrupt waits no longer than that and
 * the shares do not change. Nothing happens if it is not queued. */
struct sched_kick policy_notify(struct sched_policy *p, struct sched_entity *e, uint64_t now);
/* The entity `cpu` runs next (NULL: idle) and until when; the CPU then runs it, or idles,
 * until *run_until or an earlier kick, and calls policy_put or policy_block for it. Nothing
 * may be running on `cpu`, and the caller has woken the entities whose timers are due
 * (timers are only noticed there). An idle CPU first pulls work from the others. */
struct sched_entity *policy_pick(struct sched_policy *p, unsigned cpu, uint64_t now,
				 uint64_t *run_until);
/* The running entity `e` stops (slice over, preempted) but stays runnable. */
void policy_put(struct sched_policy *p, struct sched_entity *e, uint64_t now);
/* As policy_put, but the entity asked to let the others run first (a vCPU spinning on a
 * lock another holds): it queues behind every entity queued on its CPU, its virtual time
 * raised to theirs, so it gives away time it was owed, never takes more. */
void policy_yield(struct sched_policy *p, struct sched_entity *e, uint64_t now);
/* Called now and then on each CPU (every pick is fine): pulls at most one entity that has
 * progressed less than the ones on `cpu`, or any one when `cpu` has nothing to run. */
void policy_balance(struct sched_policy *p, unsigned cpu, uint64_t now);
