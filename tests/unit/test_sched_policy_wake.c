/* The scheduling policy's wake-ups: latency of timer and interrupt wake-ups next to
 * CPU-bound entities, the shares of entities that sleep, blocking and waking through the
 * API, idle CPUs, and entities coming and going. Nanoseconds; 10 ms slices, 0.5 ms
 * minimum. */
#include "tests/unit/check.h"
#include "tests/unit/sched_sim.h"

#define US    1000ull
#define MS    1000000ull
#define SEC   1000000000ull
#define SLICE (10 * MS)
#define MIN   (500 * US)
#define CAPP  (10 * MS)

static struct sim S;

static void start(unsigned ncpus)
{
	sim_init(&S, ncpus, SLICE, MIN, CAPP);
}

static unsigned hog(void)
{
	return sim_hog(&S, sim_group(&S, 0, 0), 0);
}

static double share(unsigned i, uint64_t before, uint64_t span)
{
	return (double)(S.ents[i].service - before) / (double)span;
}

static bool near(double got, double want, double rel)
{
	return got >= want * (1 - rel) && got <= want * (1 + rel);
}

static void report_latency(const char *what, unsigned i)
{
	const struct sim_ent *e = &S.ents[i];
	printf("    %s: %u ticks, %u lost, latency max %llu us, p99 <= %llu us\n", what, e->ticks,
	       e->lost, (unsigned long long)(e->lat_max / US),
	       (unsigned long long)(sim_latency_quantile(&S, i, 99) / US));
}

/* The bench's case: a VM waiting in HLT for its 1000 Hz timer (50 us of work a tick) next
 * to three CPU-bound VMs. Its timer is only seen when the CPU comes back to the scheduler,
 * so the policy must cut the CPU-bound slices there: every tick starts within min_slice,
 * none is lost, and the CPU-bound VMs still share the rest equally. */
TEST(timer_wakeups_next_to_cpu_bound_vms)
{
	start(1);
	unsigned tick = sim_periodic(&S, sim_group(&S, 0, 0), 0, 1 * MS, 1 * MS, 50 * US, false);
	for (int i = 0; i < 3; i++)
		hog();
	sim_run(&S, 10 * SEC);
	report_latency("1 kHz timer next to 3 CPU-bound", tick);
	CHECK(S.ents[tick].ticks >= 9999);
	CHECK_EQ(S.ents[tick].lost, 0);
	CHECK(S.ents[tick].lat_max <= MIN);
	double x[3];
	for (unsigned i = 0; i < 3; i++)
		x[i] = share(i + 1, 0, 10 * SEC);
	CHECK(sim_jain(x, 3) >= 0.999);
	CHECK(near(x[0], 0.95 / 3, 0.01));
}

/* Eight such timer VMs on one CPU with four CPU-bound ones, all ticking at the same
 * instant: they queue behind each other, each boosted run being 50 us. */
TEST(many_timer_vms_at_once)
{
	start(1);
	for (int i = 0; i < 8; i++)
		sim_periodic(&S, sim_group(&S, 0, 0), 0, 1 * MS, 1 * MS, 50 * US, false);
	for (int i = 0; i < 4; i++)
		hog();
	sim_run(&S, 5 * SEC);
	uint64_t worst = 0;
	for (unsigned i = 0; i < 8; i++) {
		CHECK_EQ(S.ents[i].lost, 0);
		worst = S.ents[i].lat_max > worst ? S.ents[i].lat_max : worst;
	}
	printf("    8 timer VMs + 4 CPU-bound: worst latency %llu us\n",
	       (unsigned long long)(worst / US));
	CHECK(worst <= MIN);
}

/* Timer wake-ups on two CPUs whose five CPU-bound entities keep migrating, with three timer
 * VMs ticking at 1 kHz and 1.4 kHz: each tick waits at most for min_slice of the runner
 * and the other timer VMs' work, none is lost. */
TEST(timer_wakeups_on_two_cpus_with_migrations)
{
	start(2);
	static const uint64_t period[3] = {1 * MS, 1 * MS, 700 * US};
	static const uint64_t work[3] = {50 * US, 120 * US, 20 * US};
	for (unsigned i = 0; i < 3; i++)
		sim_periodic(&S, sim_group(&S, i == 2 ? 512 : 0, 0), 0, MS, period[i], work[i],
			     false);
	for (int i = 0; i < 5; i++)
		hog();
	sim_run(&S, 10 * SEC);
	for (unsigned i = 0; i < 3; i++) {
		report_latency(i < 2 ? "1 kHz timer, 2 CPUs, 5 CPU-bound" : "1.4 kHz timer, same",
			       i);
		CHECK(S.ents[i].lat_max <= MIN + 170 * US);
		CHECK_EQ(S.ents[i].lost, 0);
	}
	double x[5];
	for (unsigned i = 0; i < 5; i++)
		x[i] = share(i + 3, 0, 10 * SEC);
	CHECK(sim_jain(x, 5) >= 0.99);
}

/* Device interrupts and IPIs wake the entity at the exact time and kick its CPU: two CPUs
 * with six CPU-bound entities and two interrupt-driven ones. */
TEST(interrupt_wakeups_on_two_cpus)
{
	start(2);
	unsigned a = sim_periodic(&S, sim_group(&S, 0, 0), 0, 1 * MS, 1 * MS, 80 * US, true);
	unsigned b = sim_periodic(&S, sim_group(&S, 0, 0), 0, 1300 * US, 700 * US, 30 * US, true);
	for (int i = 0; i < 6; i++)
		hog();
	sim_run(&S, 10 * SEC);
	report_latency("1 kHz IRQ, 2 CPUs, 6 CPU-bound", a);
	report_latency("1.4 kHz IRQ, same", b);
	CHECK(S.ents[a].lat_max <= MIN && S.ents[b].lat_max <= MIN);
	CHECK_EQ(S.ents[a].lost, 0);
	CHECK_EQ(S.ents[b].lost, 0);
	double x[6];
	for (unsigned i = 0; i < 6; i++)
		x[i] = share(i + 2, 0, 10 * SEC);
	CHECK(sim_jain(x, 6) >= 0.99);
}

/* An entity that sleeps often but wants 31 % of the CPU next to three CPU-bound ones
 * (fair: 25 %). Credit for sleeping would give it more; starting each wake-up at the
 * virtual clock holds it to its share. */
TEST(frequent_sleeper_gets_no_more_than_its_share)
{
	start(1);
	unsigned f = sim_periodic(&S, sim_group(&S, 0, 0), 0, 1 * MS, 1300 * US, 400 * US, false);
	for (int i = 0; i < 3; i++)
		hog();
	sim_run(&S, 10 * SEC);
	double got = share(f, 0, 10 * SEC);
	printf("    sleeper wanting 31 %% next to 3 CPU-bound: %.4f; they %.4f %.4f %.4f\n", got,
	       share(1, 0, 10 * SEC), share(2, 0, 10 * SEC), share(3, 0, 10 * SEC));
	CHECK(got <= 0.25 * 1.02);
	for (unsigned i = 1; i < 4; i++)
		CHECK(share(i, 0, 10 * SEC) >= 0.25 * 0.98);
}

/* An entity that slept for 2 s, then turns CPU-bound: it gets no credit for the sleep, so
 * it runs at most a boosted run plus a slice back to back, and from then on its share. */
TEST(long_sleeper_gets_a_bounded_burst)
{
	start(1);
	unsigned s = sim_periodic(&S, sim_group(&S, 0, 0), 0, 2 * SEC, 0, SIM_FOREVER, false);
	for (int i = 0; i < 3; i++)
		hog();
	sim_run(&S, 2 * SEC);
	uint64_t before[4];
	for (unsigned i = 0; i < 4; i++)
		before[i] = S.ents[i].service;
	sim_run(&S, 4 * SEC);
	printf("    after 2 s asleep: longest run %llu us, then %.4f of the CPU\n",
	       (unsigned long long)(S.ents[s].longest_burst / US), share(s, before[s], 2 * SEC));
	CHECK(S.ents[s].longest_burst <= MIN + SLICE);
	CHECK(near(share(s, before[s], 2 * SEC), 0.25, 0.02));
	for (unsigned i = 1; i < 4; i++)
		CHECK(near(share(i, before[i], 2 * SEC), 0.25, 0.02));
}

/* Two CPUs, four CPU-bound entities; two more come at 2 s, three go at 4 s (running or
 * not), an interrupt-driven one comes at 6 s. Each phase's shares follow the count. */
TEST(entities_come_and_go)
{
	start(2);
	for (int i = 0; i < 4; i++)
		hog();
	sim_run(&S, 2 * SEC);
	for (unsigned i = 0; i < 4; i++)
		CHECK(near(share(i, 0, 2 * SEC), 0.5, 0.02));
	hog();
	hog();
	uint64_t before[6];
	sim_run(&S, 2 * SEC + 100 * MS);
	for (unsigned i = 0; i < 6; i++)
		before[i] = S.ents[i].service;
	sim_run(&S, 4 * SEC);
	for (unsigned i = 0; i < 6; i++)
		CHECK(near(share(i, before[i], 1900 * MS), 1.0 / 3, 0.05));
	for (unsigned i = 0; i < 3; i++)
		sim_remove(&S, i);
	sim_run(&S, 4 * SEC + 100 * MS);
	for (unsigned i = 3; i < 6; i++)
		before[i] = S.ents[i].service;
	sim_run(&S, 6 * SEC);
	for (unsigned i = 3; i < 6; i++)
		CHECK(near(share(i, before[i], 1900 * MS), 2.0 / 3, 0.05));
	unsigned t = sim_periodic(&S, sim_group(&S, 0, 0), 0, 6 * SEC + MS, MS, 50 * US, true);
	sim_run(&S, 8 * SEC);
	CHECK(S.ents[t].ticks >= 1999 && S.ents[t].lat_max <= MIN);
	CHECK(!S.broken);
}

/* Four CPUs, two CPU-bound entities: two CPUs stay idle (pick returns NULL) and each entity
 * has a CPU of its own. */
TEST(idle_cpus_pick_nothing)
{
	start(4);
	hog();
	hog();
	sim_run(&S, 1 * SEC);
	CHECK(near(share(0, 0, SEC), 1.0, 0.001) && near(share(1, 0, SEC), 1.0, 0.001));
	CHECK(S.cpu[2].idle_picks > 0 && S.cpu[3].idle_picks > 0);
	CHECK(!S.cpu[2].cur && !S.cpu[3].cur);
	CHECK_EQ(S.cpu[2].until, SCHED_NEVER);
}

static uint32_t rnd(void)
{
	static uint32_t x = 12345;
	x = x * 1103515245 + 12345;
	return x >> 8;
}

/* Four CPUs and a random population that changes every 100 ms for 10 s: CPU-bound entities
 * of random weights, some pinned, some capped, some sharing a VM; timer and interrupt
 * driven ones; late sleepers; removals. The structures stay consistent (checked after
 * every event), nothing runs outside its mask, and at the end nobody starves. */
TEST(random_population_under_churn)
{
	start(4);
	for (int step = 0; step < 100 && !S.broken; step++) {
		uint32_t r = rnd();
		unsigned w = 64u << rnd() % 5, cap = rnd() % 4 ? 0 : 20 + rnd() % 60;
		uint32_t mask = rnd() % 3 ? 0 : 1 + rnd() % 15;
		bool add = S.nents < SIM_MAX_ENTS && r % 3;
		unsigned g = !add			   ? 0
			     : S.ngroups && rnd() % 4 == 0 ? rnd() % S.ngroups
							   : sim_group(&S, w, cap);
		if (add && r % 7 < 3)
			sim_hog(&S, g, mask);
		else if (add && r % 7 < 5)
			sim_periodic(&S, g, mask, S.now + rnd() % MS, (1 + rnd() % 5) * MS,
				     (20 + rnd() % 300) * US, rnd() % 2);
		else if (add)
			sim_periodic(&S, g, mask, S.now + rnd() % SEC, 0, SIM_FOREVER, false);
		else if (S.nents)
			sim_remove(&S, rnd() % S.nents);
		sim_run(&S, S.now + 100 * MS);
	}
	uint64_t before[SIM_MAX_ENTS];
	for (unsigned i = 0; i < S.nents; i++)
		before[i] = S.ents[i].service;
	sim_run(&S, S.now + 2 * SEC);
	unsigned present = 0;
	for (unsigned i = 0; i < S.nents; i++) {
		present += S.ents[i].present;
		CHECK(!S.ents[i].present || S.ents[i].service > before[i]);
	}
	printf("    churn: %u entities seen, %u present at the end, %lu events\n", S.nents, present,
	       S.events);
	CHECK(!S.broken);
}

CHECK_MAIN("sched_policy_wake", CASE(timer_wakeups_next_to_cpu_bound_vms),
	   CASE(many_timer_vms_at_once), CASE(timer_wakeups_on_two_cpus_with_migrations),
	   CASE(interrupt_wakeups_on_two_cpus), CASE(frequent_sleeper_gets_no_more_than_its_share),
	   CASE(long_sleeper_gets_a_bounded_burst), CASE(entities_come_and_go),
	   CASE(idle_cpus_pick_nothing), CASE(random_population_under_churn))
