/* The scheduling policy's calls one by one, without the simulator: what each returns and
 * which kicks it asks for. Nanoseconds; 10 ms slices, 0.5 ms minimum, 10 ms cap periods. */
#include "sched/policy.h"
#include "tests/unit/check.h"

#define US    1000ull
#define MS    1000000ull
#define SLICE (10 * MS)
#define MIN   (500 * US)

static struct sched_policy P;
static struct sched_group G, CAPPED;
static struct sched_entity A, B, C;

static void start(unsigned ncpus)
{
	policy_init(&P, ncpus, SLICE, MIN, 10 * MS);
	policy_group_init(&G, 0, 0);
	policy_group_init(&CAPPED, 0, 10);
	policy_entity_init(&A, &G, 0);
	policy_entity_init(&B, &G, 0);
	policy_entity_init(&C, &G, 0);
}

static struct sched_entity *pick(unsigned cpu, uint64_t now, uint64_t *until)
{
	return policy_pick(&P, cpu, now, until);
}

TEST(new_entities_go_to_idle_cpus_and_kick_them)
{
	start(2);
	struct sched_kick k = policy_add(&P, &A, 0, true);
	CHECK(k.resched && k.cpu == 0 && k.at == 0);
	k = policy_add(&P, &B, 0, true);
	CHECK(k.resched && k.cpu == 1 && k.at == 0);
	CHECK(!A.boosted && !B.boosted); /* new, not woken: no latency to keep short */
	uint64_t until;
	CHECK(pick(0, 0, &until) == &A && until == SLICE);
	CHECK(pick(1, 0, &until) == &B && until == SLICE);
	CHECK(A.state == SE_RUNNING && B.state == SE_RUNNING);
}

TEST(idle_cpu_waits_for_the_timer_of_its_blocked_entity)
{
	start(2);
	policy_add(&P, &A, 0, true);
	policy_add(&P, &B, 0, true);
	uint64_t until;
	pick(0, 0, &until);
	pick(1, 0, &until);
	/* No other CPU is idle to hand the timer to: CPU 0 takes it into account itself. */
	struct sched_kick k = policy_block(&P, &A, 1 * MS, 5 * MS);
	CHECK(!k.resched);
	CHECK(pick(0, 1 * MS, &until) == 0 && until == 5 * MS);
	/* CPU 0 comes back at 5 ms anyway: no kick needed. */
	k = policy_wake(&P, &A, 5 * MS);
	CHECK(!k.resched && k.cpu == 0 && P.cpu[0].run_until == 5 * MS);
	CHECK(A.boosted);
	CHECK(pick(0, 5 * MS, &until) == &A && until == 5 * MS + MIN);
	/* Idle with nothing blocked: wait for a kick. */
	policy_remove(&P, &B, 6 * MS);
	CHECK(pick(1, 6 * MS, &until) == 0 && until == SCHED_NEVER);
}

TEST(boosted_wake_preempts_once_the_runner_had_min_slice)
{
	start(1);
	policy_add(&P, &A, 0, true);
	policy_add(&P, &B, 0, false);
	uint64_t until;
	CHECK(pick(0, 0, &until) == &A);
	struct sched_kick k = policy_wake(&P, &B, 100 * US);
	CHECK(B.boosted && k.resched && k.cpu == 0 && k.at == MIN);
	/* A second wake-up changes nothing: B is runnable already. */
	k = policy_wake(&P, &B, 200 * US);
	CHECK(!k.resched && B.state == SE_QUEUED);
	policy_put(&P, &A, MIN);
	CHECK(pick(0, MIN, &until) == &B && until == 2 * MIN);
	policy_put(&P, &B, MIN + 50 * US);
	CHECK(!B.boosted);
}

/* The runner's slice is cut where a blocked entity's timer will make it preempt. */
TEST(slice_is_cut_at_the_timer_of_an_entity_that_would_preempt)
{
	start(1);
	policy_add(&P, &A, 0, true);
	policy_add(&P, &B, 0, false);
	struct sched_kick k = policy_set_wake_time(&P, &B, 0, 3 * MS);
	CHECK(!k.resched); /* CPU 0 is to pick now anyway, for A */
	uint64_t until;
	CHECK(pick(0, 0, &until) == &A && until == 3 * MS);
	/* A timer due sooner than min_slice after the pick waits for min_slice. */
	k = policy_set_wake_time(&P, &B, 0, 100 * US);
	CHECK(k.resched && k.at == MIN);
	/* A later timer needs no new kick. */
	k = policy_set_wake_time(&P, &B, 0, 4 * MS);
	CHECK(!k.resched);
}

/* An entity that has run far more than its neighbours wakes without a boost, and waits
 * for the slice end as the runner is not ahead of it. */
TEST(unboosted_wake_does_not_preempt)
{
	start(1);
	policy_add(&P, &A, 0, true);
	policy_add(&P, &B, 0, false);
	uint64_t until;
	pick(0, 0, &until);
	B.vtime = A.vtime + 4 * SLICE;
	struct sched_kick k = policy_wake(&P, &B, 1 * MS);
	CHECK(!B.boosted && !k.resched);
	CHECK_EQ(B.vtime, A.vtime + 4 * SLICE); /* no credit either */
}

/* An interrupt for a queued entity: its CPU picks again once the runner is min_slice ahead
 * of it, never for one far ahead (it would take more than its share), nor for one that is
 * running or blocked (policy_wake is for those). */
TEST(notify_of_a_queued_entity_cuts_the_slice_when_the_runner_is_ahead)
{
	start(1);
	policy_add(&P, &A, 0, true);
	policy_add(&P, &B, 0, true);
	policy_add(&P, &C, 0, false);
	uint64_t until;
	CHECK(pick(0, 0, &until) == &A && until == SLICE);
	struct sched_kick k = policy_notify(&P, &B, 100 * US);
	CHECK(k.resched && k.cpu == 0 && k.at == MIN);
	CHECK(!B.boosted && B.state == SE_QUEUED);
	k = policy_notify(&P, &A, 100 * US);
	CHECK(!k.resched);
	k = policy_notify(&P, &C, 100 * US);
	CHECK(!k.resched && C.state == SE_BLOCKED);
	policy_put(&P, &A, MIN);
	CHECK(pick(0, MIN, &until) == &B);
	/* A is now the queued one, and far ahead: no cut. */
	A.vtime = B.vtime + 4 * SLICE;
	k = policy_notify(&P, &A, MIN + 100 * US);
	CHECK(!k.resched);
}

/* A yield lets every queued entity go first and costs the yielder what it was ahead of them
 * by; with nothing queued it runs on. */
TEST(yield_goes_behind_the_queued_entities)
{
	start(1);
	policy_add(&P, &A, 0, true);
	policy_add(&P, &B, 0, true);
	policy_add(&P, &C, 0, true);
	uint64_t until;
	CHECK(pick(0, 0, &until) == &A);
	B.vtime += 3 * MS;
	policy_yield(&P, &A, 100 * US);
	CHECK(A.state == SE_QUEUED && A.vtime == B.vtime);
	CHECK(pick(0, 100 * US, &until) == &C);
	policy_put(&P, &C, 200 * US);
	CHECK(pick(0, 200 * US, &until) == &C); /* still the least virtual time */
	policy_remove(&P, &B, 300 * US);
	policy_remove(&P, &C, 300 * US);
	CHECK(pick(0, 300 * US, &until) == &A);
	policy_yield(&P, &A, 400 * US);
	CHECK(pick(0, 400 * US, &until) == &A);
}

/* With no cap period given, a cap is a share of every slice. */
TEST(cap_period_zero_is_one_slice)
{
	policy_init(&P, 1, SLICE, MIN, 0);
	CHECK_EQ(P.cap_period, SLICE);
	policy_group_init(&CAPPED, 0, 50);
	policy_entity_init(&A, &CAPPED, 0);
	policy_add(&P, &A, 0, true);
	uint64_t until;
	CHECK(pick(0, 0, &until) == &A && until == SLICE / 2);
	policy_put(&P, &A, SLICE / 2);
	CHECK(pick(0, SLICE / 2, &until) == 0 && until == SLICE);
}

TEST(remove_in_every_state)
{
	start(1);
	policy_add(&P, &A, 0, true);
	policy_add(&P, &B, 0, true);
	policy_add(&P, &C, 0, false);
	uint64_t until;
	struct sched_entity *first = pick(0, 0, &until);
	struct sched_entity *second = first == &A ? &B : &A;
	policy_remove(&P, first, 1 * MS);
	CHECK(first->state == SE_OFF && !P.cpu[0].running);
	CHECK_EQ(first->ran, 1 * MS);
	policy_remove(&P, &C, 1 * MS);
	CHECK(C.state == SE_OFF && !P.blocked.n);
	CHECK(pick(0, 1 * MS, &until) == second);
	policy_put(&P, second, 2 * MS);
	policy_remove(&P, second, 2 * MS);
	CHECK(!P.cpu[0].queue.n && pick(0, 2 * MS, &until) == 0);
}

TEST(idle_cpu_pulls_queued_work)
{
	start(2);
	policy_add(&P, &A, 0, true); /* CPU 0 */
	policy_add(&P, &B, 0, true); /* CPU 1 */
	policy_add(&P, &C, 0, true); /* CPU 0 again */
	uint64_t until;
	CHECK(pick(0, 0, &until) == &A);
	CHECK(pick(1, 0, &until) == &B);
	CHECK_EQ(C.cpu, 0);
	policy_block(&P, &B, 1 * MS, SCHED_NEVER);
	CHECK(pick(1, 1 * MS, &until) == &C && C.cpu == 1);
}

TEST(pinned_entity_is_not_pulled)
{
	start(2);
	A.affinity = B.affinity = C.affinity = 1u << 0;
	policy_add(&P, &A, 0, true);
	policy_add(&P, &B, 0, true);
	policy_add(&P, &C, 0, true);
	uint64_t until;
	CHECK(pick(0, 0, &until) == &A);
	CHECK(pick(1, 0, &until) == 0);
	policy_balance(&P, 1, 1 * MS);
	CHECK(B.cpu == 0 && C.cpu == 0);
}

TEST(capped_entity_waits_for_its_next_period)
{
	start(1);
	A.group = &CAPPED;
	policy_add(&P, &A, 0, true);
	uint64_t until;
	CHECK(pick(0, 0, &until) == &A && until == 1 * MS); /* 10 % of 10 ms */
	policy_put(&P, &A, 1 * MS);
	CHECK(pick(0, 1 * MS, &until) == 0 && until == 10 * MS);
	CHECK(pick(0, 10 * MS, &until) == &A && until == 11 * MS);
	/* A late caller's overrun is taken off the next period. */
	policy_put(&P, &A, 11500 * US);
	CHECK(pick(0, 20 * MS, &until) == &A && until == 20500 * US);
}

TEST(masks_and_weights_are_sanitised)
{
	start(2);
	A.affinity = 1u << 7; /* no such CPU: any */
	policy_add(&P, &A, 0, true);
	CHECK(A.cpu < 2);
	struct sched_group g;
	policy_group_init(&g, 0, 0);
	CHECK_EQ(g.weight, SCHED_WEIGHT_DEFAULT);
	policy_group_init(&g, 1000000, 0);
	CHECK_EQ(g.weight, SCHED_WEIGHT_MAX);
	policy_init(&P, 99, SLICE, 2 * SLICE, 10 * MS);
	CHECK(P.ncpus == SCHED_MAX_CPUS && P.min_slice == SLICE);
}

CHECK_MAIN("sched_policy_api", CASE(new_entities_go_to_idle_cpus_and_kick_them),
	   CASE(idle_cpu_waits_for_the_timer_of_its_blocked_entity),
	   CASE(boosted_wake_preempts_once_the_runner_had_min_slice),
	   CASE(slice_is_cut_at_the_timer_of_an_entity_that_would_preempt),
	   CASE(unboosted_wake_does_not_preempt), CASE(remove_in_every_state),
	   CASE(notify_of_a_queued_entity_cuts_the_slice_when_the_runner_is_ahead),
	   CASE(cap_period_zero_is_one_slice), CASE(yield_goes_behind_the_queued_entities),
	   CASE(idle_cpu_pulls_queued_work), CASE(pinned_entity_is_not_pulled),
	   CASE(capped_entity_waits_for_its_next_period), CASE(masks_and_weights_are_sanitised))
