/* The scheduling policy's shares, weights, caps, pinning and migration, on simulated CPUs
 * (tests/unit/sched_sim.h). Times are nanoseconds; the parameters are the hypervisor's
 * defaults: 10 ms slices, 0.5 ms minimum, 10 ms cap periods. */
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

/* Share of one CPU that entity i got between two snapshots of its service. */
static double share(unsigned i, uint64_t before, uint64_t span)
{
	return (double)(S.ents[i].service - before) / (double)span;
}

static bool near(double got, double want, double rel)
{
	return got >= want * (1 - rel) && got <= want * (1 + rel);
}

/* n equal CPU-bound entities on `ncpus` CPUs for 10 s: returns Jain's index and checks
 * that each got ncpus/n of a CPU within 1 %. */
static double equal_hogs(unsigned n, unsigned ncpus)
{
	start(ncpus);
	for (unsigned i = 0; i < n; i++)
		sim_hog(&S, sim_group(&S, 0, 0), 0);
	sim_run(&S, 10 * SEC);
	double x[SIM_MAX_ENTS];
	for (unsigned i = 0; i < n; i++) {
		x[i] = share(i, 0, 10 * SEC);
		CHECK(near(x[i], (double)ncpus / n, 0.01));
	}
	double j = sim_jain(x, n);
	printf("    %u equal on %u CPU(s): Jain %.6f\n", n, ncpus, j);
	return j;
}

TEST(equal_shares_on_one_cpu)
{
	CHECK(equal_hogs(4, 1) >= 0.99);
	CHECK(equal_hogs(8, 1) >= 0.99);
}

TEST(equal_shares_on_two_cpus)
{
	CHECK(equal_hogs(4, 2) >= 0.99);
	CHECK(equal_hogs(8, 2) >= 0.99);
	CHECK(equal_hogs(16, 4) >= 0.99);
}

/* Two CPUs, three entities: the lone one's progress runs ahead, so the CPUs keep trading
 * entities and each gets 2/3 of a CPU. */
TEST(three_on_two_cpus_migrate_to_equal_shares)
{
	double j = equal_hogs(3, 2);
	CHECK(j >= 0.99);
	CHECK(S.ents[0].migrations + S.ents[1].migrations + S.ents[2].migrations > 0);
	/* Over short windows too: no entity stays behind for long. */
	uint64_t before[3];
	for (unsigned i = 0; i < 3; i++)
		before[i] = S.ents[i].service;
	for (int w = 0; w < 20; w++) {
		sim_run(&S, S.now + 500 * MS);
		for (unsigned i = 0; i < 3; i++) {
			CHECK(near(share(i, before[i], 500 * MS), 2.0 / 3, 0.1));
			before[i] = S.ents[i].service;
		}
	}
	printf("    3 on 2 CPUs: %u, %u, %u migrations in 20 s\n", S.ents[0].migrations,
	       S.ents[1].migrations, S.ents[2].migrations);
}

/* Migrations stay rare when the load is already even. */
TEST(balanced_load_does_not_migrate)
{
	equal_hogs(4, 2);
	unsigned m = 0;
	for (unsigned i = 0; i < 4; i++)
		m += S.ents[i].migrations;
	CHECK_EQ(m, 0);
}

TEST(weights_1_2_4_on_one_cpu)
{
	start(1);
	static const unsigned w[3] = {256, 512, 1024};
	for (unsigned i = 0; i < 3; i++)
		sim_hog(&S, sim_group(&S, w[i], 0), 0);
	sim_run(&S, 10 * SEC);
	for (unsigned i = 0; i < 3; i++) {
		double want = (double)w[i] / 1792, got = share(i, 0, 10 * SEC);
		printf("    weight %u: %.4f of the CPU (exact %.4f, %+.2f %%)\n", w[i], got, want,
		       (got / want - 1) * 100);
		CHECK(near(got, want, 0.05));
	}
}

/* On two CPUs a weight-2 entity alone on one CPU progresses as fast as two weight-1
 * entities sharing the other: nothing needs to move. */
TEST(weights_1_1_2_on_two_cpus)
{
	start(2);
	static const unsigned w[3] = {100, 100, 200};
	for (unsigned i = 0; i < 3; i++)
		sim_hog(&S, sim_group(&S, w[i], 0), 0);
	sim_run(&S, 10 * SEC);
	CHECK(near(share(0, 0, 10 * SEC), 0.5, 0.05));
	CHECK(near(share(1, 0, 10 * SEC), 0.5, 0.05));
	CHECK(near(share(2, 0, 10 * SEC), 1.0, 0.05));
}

/* Weights 1 and 65535 over an hour, with the clock near 2^63 and virtual times crossing
 * 2^64: no product overflows, no comparison flips. */
TEST(extreme_weights_and_wrapping_virtual_time)
{
	start(1);
	S.now = 1ull << 63;
	S.pol.cpu[0].vclock = UINT64_MAX - SEC;
	sim_hog(&S, sim_group(&S, 1, 0), 0);
	sim_hog(&S, sim_group(&S, SCHED_WEIGHT_MAX, 0), 0);
	sim_hog(&S, sim_group(&S, SCHED_WEIGHT_MAX, 0), 0);
	uint64_t t0 = S.now;
	sim_run(&S, t0 + 3600 * SEC);
	double want = 3600.0 * SEC / (2 * SCHED_WEIGHT_MAX + 1);
	CHECK((double)S.ents[0].service <= want + 2 * SLICE);
	CHECK((double)S.ents[0].service + 2 * SLICE >= want);
	CHECK(near((double)S.ents[1].service / (double)S.ents[2].service, 1, 0.001));
	CHECK(S.ents[1].se.vtime < 100 * SEC); /* it did wrap */
}

/* A capped VM alone: 25 % of the CPU, idle the rest of the time. */
TEST(cap_alone_leaves_the_cpu_idle)
{
	start(1);
	sim_hog(&S, sim_group(&S, 0, 25), 0);
	sim_run(&S, 2 * SEC);
	double got = share(0, 0, 2 * SEC);
	printf("    cap 25 %% alone: %.4f\n", got);
	CHECK(near(got, 0.25, 0.01));
	CHECK(S.cpu[0].idle_picks > 100);
	/* Token-bucket bound: any window of length L holds at most cap*L plus one period's
	 * budget (a run that started at the end of one period and the next period's). */
	CHECK(sim_window_max(&S, 0, CAPP, 0, 2 * SEC) <= 2 * CAPP / 4);
	CHECK(sim_window_max(&S, 0, 100 * MS, 0, 2 * SEC) <= 25 * MS + CAPP / 4);
}

TEST(cap_among_cpu_bound_neighbours)
{
	start(1);
	sim_hog(&S, sim_group(&S, 0, 10), 0);
	for (int i = 0; i < 3; i++)
		sim_hog(&S, sim_group(&S, 0, 0), 0);
	sim_run(&S, 2 * SEC);
	double x[3], capped = share(0, 0, 2 * SEC);
	for (unsigned i = 0; i < 3; i++)
		x[i] = share(i + 1, 0, 2 * SEC);
	printf("    cap 10 %% next to 3: %.4f, the others %.4f %.4f %.4f\n", capped, x[0], x[1],
	       x[2]);
	CHECK(near(capped, 0.10, 0.02));
	CHECK(sim_jain(x, 3) >= 0.999);
	CHECK(near(x[0], 0.30, 0.01));
	CHECK(sim_window_max(&S, 0, CAPP, 0, 2 * SEC) <= 2 * CAPP / 10);
	CHECK(sim_window_max(&S, 0, 100 * MS, 0, 2 * SEC) <= 10 * MS + CAPP / 10);
}

/* A cap above the fair share changes nothing. */
TEST(cap_above_share_is_not_felt)
{
	start(1);
	sim_hog(&S, sim_group(&S, 0, 60), 0);
	sim_hog(&S, sim_group(&S, 0, 0), 0);
	sim_run(&S, 2 * SEC);
	CHECK(near(share(0, 0, 2 * SEC), 0.5, 0.01));
}

/* The cap is the VM's: its two vCPUs on two CPUs share 50 % of one CPU between them. */
TEST(cap_is_shared_by_a_vms_vcpus)
{
	start(2);
	unsigned vm = sim_group(&S, 0, 50);
	sim_hog(&S, vm, 0);
	sim_hog(&S, vm, 0);
	sim_hog(&S, sim_group(&S, 0, 0), 0);
	sim_hog(&S, sim_group(&S, 0, 0), 0);
	sim_run(&S, 4 * SEC);
	double vm_share = share(0, 0, 4 * SEC) + share(1, 0, 4 * SEC);
	printf("    VM of 2 vCPUs capped at 50 %%: %.4f; the others %.4f %.4f\n", vm_share,
	       share(2, 0, 4 * SEC), share(3, 0, 4 * SEC));
	CHECK(near(vm_share, 0.5, 0.02));
	CHECK(near(share(2, 0, 4 * SEC), 0.75, 0.03));
	CHECK(near(share(3, 0, 4 * SEC), 0.75, 0.03));
	CHECK(sim_window_max(&S, 0, CAPP, 0, 4 * SEC) <= 2 * CAPP / 2);
}

/* Three entities pinned to CPU 0 and one free: the pinned never leave CPU 0, the free
 * one ends up alone on CPU 1. */
TEST(pinned_entities_never_leave_their_cpus)
{
	start(2);
	for (int i = 0; i < 3; i++)
		sim_hog(&S, sim_group(&S, 0, 0), 1u << 0);
	sim_hog(&S, sim_group(&S, 0, 0), 0);
	sim_run(&S, 4 * SEC);
	for (unsigned i = 0; i < 3; i++) {
		CHECK_EQ(S.ents[i].cpus_run, 1);
		CHECK(near(share(i, 0, 4 * SEC), 1.0 / 3, 0.02));
	}
	CHECK(near(share(3, 0, 4 * SEC), 1.0, 0.01));
}

/* Masks on four CPUs: two entities may use CPUs 2-3 only, six may use any; a mask naming
 * no CPU the policy has means any. */
TEST(affinity_masks_on_four_cpus)
{
	start(4);
	for (int i = 0; i < 2; i++)
		sim_hog(&S, sim_group(&S, 0, 0), 0xc);
	for (int i = 0; i < 5; i++)
		sim_hog(&S, sim_group(&S, 0, 0), 0);
	sim_hog(&S, sim_group(&S, 0, 0), 1u << 6);
	sim_run(&S, 10 * SEC);
	double x[8];
	for (unsigned i = 0; i < 8; i++)
		x[i] = share(i, 0, 10 * SEC);
	CHECK_EQ(S.ents[0].cpus_run & ~0xcu, 0);
	CHECK_EQ(S.ents[1].cpus_run & ~0xcu, 0);
	CHECK(sim_jain(x, 8) >= 0.99);
	printf("    8 on 4 CPUs, 2 of them pinned to CPUs 2-3: Jain %.6f\n", sim_jain(x, 8));
}

CHECK_MAIN("sched_policy", CASE(equal_shares_on_one_cpu), CASE(equal_shares_on_two_cpus),
	   CASE(three_on_two_cpus_migrate_to_equal_shares), CASE(balanced_load_does_not_migrate),
	   CASE(weights_1_2_4_on_one_cpu), CASE(weights_1_1_2_on_two_cpus),
	   CASE(extreme_weights_and_wrapping_virtual_time), CASE(cap_alone_leaves_the_cpu_idle),
	   CASE(cap_among_cpu_bound_neighbours), CASE(cap_above_share_is_not_felt),
	   CASE(cap_is_shared_by_a_vms_vcpus), CASE(pinned_entities_never_leave_their_cpus),
	   CASE(affinity_masks_on_four_cpus))
