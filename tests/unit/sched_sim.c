#include "tests/unit/sched_sim.h"
#include "tests/unit/check.h"
#include <stddef.h>

static struct sim_ent *ent_of(struct sched_entity *e)
{
	return (struct sim_ent *)((char *)e - offsetof(struct sim_ent, se));
}

static uint32_t allowed_mask(const struct sim *s, const struct sched_entity *e)
{
	uint32_t all = (1u << s->ncpus) - 1;
	return e->affinity & all ? e->affinity & all : all;
}

void sim_init(struct sim *s, unsigned ncpus, uint64_t slice, uint64_t min_slice,
	      uint64_t cap_period)
{
	memset(s, 0, sizeof *s);
	s->ncpus = ncpus;
	policy_init(&s->pol, ncpus, slice, min_slice, cap_period);
	/* Every CPU starts by asking for work. */
	for (unsigned c = 0; c < SCHED_MAX_CPUS; c++)
		s->cpu[c].until = c < ncpus ? 0 : SIM_FOREVER;
}

unsigned sim_group(struct sim *s, unsigned weight, unsigned cap)
{
	CHECK(s->ngroups < SIM_MAX_ENTS);
	policy_group_init(&s->groups[s->ngroups], weight, cap);
	return s->ngroups++;
}

static void apply(struct sim *s, struct sched_kick k)
{
	if (!k.resched)
		return;
	CHECK(k.cpu < s->ncpus);
	CHECK(k.at >= s->now);
	if (k.at < s->cpu[k.cpu].until)
		s->cpu[k.cpu].until = k.at;
}

static unsigned add(struct sim *s, unsigned group, uint32_t affinity, uint64_t first,
		    uint64_t period, uint64_t work, bool irq)
{
	CHECK(s->nents < SIM_MAX_ENTS);
	unsigned i = s->nents++;
	struct sim_ent *e = &s->ents[i];
	memset(e, 0, sizeof *e);
	policy_entity_init(&e->se, &s->groups[group], affinity);
	e->present = true;
	e->irq = irq;
	e->period = period;
	e->work = work;
	e->left = work;
	e->due = first;
	e->last_cpu = -1;
	bool runnable = first <= s->now;
	apply(s, policy_add(&s->pol, &e->se, s->now, runnable));
	if (!runnable && !irq)
		apply(s, policy_set_wake_time(&s->pol, &e->se, s->now, first));
	return i;
}

unsigned sim_hog(struct sim *s, unsigned group, uint32_t affinity)
{
	return add(s, group, affinity, s->now, 0, SIM_FOREVER, false);
}

unsigned sim_periodic(struct sim *s, unsigned group, uint32_t affinity, uint64_t first,
		      uint64_t period, uint64_t work, bool irq)
{
	return add(s, group, affinity, first, period, work, irq);
}

void sim_remove(struct sim *s, unsigned i)
{
	struct sim_ent *e = &s->ents[i];
	for (unsigned c = 0; c < s->ncpus; c++) {
		if (s->cpu[c].cur == e) {
			s->cpu[c].cur = 0;
			s->cpu[c].until = s->now;
		}
	}
	policy_remove(&s->pol, &e->se, s->now);
	e->present = false;
}

/* Time passes: what runs gets it. */
static void advance(struct sim *s, uint64_t t)
{
	for (unsigned c = 0; c < s->ncpus; c++) {
		struct sim_ent *e = s->cpu[c].cur;
		if (!e)
			continue;
		uint64_t d = t - s->now;
		e->service += d;
		if (e->work != SIM_FOREVER)
			e->left -= d;
		unsigned g = (unsigned)(e->se.group - s->groups);
		if (g >= SIM_TRACKED_GROUPS)
			continue;
		for (uint64_t a = s->now; a < t;) {
			uint64_t b = (a / SIM_BUCKET + 1) * SIM_BUCKET;
			b = b < t ? b : t;
			if (a / SIM_BUCKET < SIM_BUCKETS)
				s->usage[g][a / SIM_BUCKET] += b - a;
			a = b;
		}
	}
	s->now = t;
}

static void wake(struct sim *s, struct sim_ent *e)
{
	e->waiting = true;
	e->left = e->work;
	apply(s, policy_wake(&s->pol, &e->se, s->now));
}

/* The activation of a periodic entity ended: wait for its next tick, or go on at once when
 * that is already due (ticks due while it still worked merge into one, and are lost). */
static void finished(struct sim *s, struct sim_ent *e)
{
	uint64_t next = e->due + e->period;
	for (; next + e->period <= s->now; next += e->period)
		e->lost++;
	e->due = next;
	if (next > s->now) {
		apply(s, policy_block(&s->pol, &e->se, s->now, e->irq ? SCHED_NEVER : next));
		return;
	}
	policy_put(&s->pol, &e->se, s->now);
	e->waiting = true;
	e->left = e->work;
}

static void started(struct sim *s, unsigned c, struct sim_ent *e)
{
	struct sim_cpu *sc = &s->cpu[c];
	CHECK(allowed_mask(s, &e->se) >> c & 1);
	e->cpus_run |= 1u << c;
	if (e->last_cpu >= 0 && (unsigned)e->last_cpu != c)
		e->migrations++;
	e->last_cpu = (int)c;
	if (sc->last != e || sc->last_end != s->now)
		e->burst_start = s->now;
	if (e->waiting) {
		uint64_t lat = s->now - e->due;
		e->waiting = false;
		e->ticks++;
		/* Ticks that came due meanwhile merge into this one. */
		for (; e->period && e->due + e->period <= s->now; e->due += e->period)
			e->lost++;
		e->lat_max = lat > e->lat_max ? lat : e->lat_max;
		e->lat_hist[lat / 1000 < SIM_LAT_BINS ? lat / 1000 : SIM_LAT_BINS - 1]++;
	}
}

/* A CPU comes back to the scheduler: what it ran stops, due timers are looked at, and it
 * picks again. */
static void cpu_event(struct sim *s, unsigned c)
{
	struct sim_cpu *sc = &s->cpu[c];
	struct sim_ent *e = sc->cur;
	if (e) {
		sc->cur = 0;
		sc->last = e;
		sc->last_end = s->now;
		uint64_t burst = s->now - e->burst_start;
		e->longest_burst = burst > e->longest_burst ? burst : e->longest_burst;
		if (e->work != SIM_FOREVER && e->left == 0)
			finished(s, e);
		else
			policy_put(&s->pol, &e->se, s->now);
	}
	for (unsigned i = 0; i < s->nents; i++) {
		struct sim_ent *w = &s->ents[i];
		if (w->present && !w->irq && w->se.state == SE_BLOCKED && w->due <= s->now)
			wake(s, w);
	}
	policy_balance(&s->pol, c, s->now);
	uint64_t until;
	struct sched_entity *n = policy_pick(&s->pol, c, s->now, &until);
	CHECK(until > s->now);
	CHECK_EQ(until, s->pol.cpu[c].run_until);
	sc->until = until;
	sc->cur = n ? ent_of(n) : 0;
	if (n)
		started(s, c, sc->cur);
	else
		sc->idle_picks++;
}

/* Records a broken invariant once per event, with what broke. */
#define INV(cond)                                                                                  \
	do {                                                                                       \
		if (!(cond) && *ok) {                                                              \
			check_fail(__FILE__, __LINE__, #cond);                                     \
			*ok = false;                                                               \
		}                                                                                  \
	} while (0)

static void check_list(struct sim *s, const struct sched_list *l, enum sched_state state, int cpu,
		       bool *seen, bool *ok)
{
	unsigned n = 0;
	const struct sched_entity *prev = 0;
	for (struct sched_entity *e = l->head; e && *ok; prev = e, e = e->next, n++) {
		unsigned i = (unsigned)(ent_of(e) - s->ents);
		INV(i < s->nents && !seen[i]);
		if (i < s->nents)
			seen[i] = true;
		INV(e->prev == prev);
		INV(e->state == state);
		INV(cpu < 0 || e->cpu == (unsigned)cpu);
		INV(cpu < 0 || allowed_mask(s, e) >> cpu & 1);
	}
	INV(l->tail == prev);
	INV(n == l->n);
}

/* Every present entity is in exactly one place: running on one CPU, on one run queue or
 * on the blocked list, and only where its affinity allows; what the simulated CPUs run is
 * what the policy thinks they run. */
static bool check_invariants(struct sim *s, bool *ok)
{
	bool seen[SIM_MAX_ENTS] = {0};
	for (unsigned c = 0; c < SCHED_MAX_CPUS; c++) {
		const struct sched_cpu *q = &s->pol.cpu[c];
		if (c >= s->ncpus) {
			INV(!q->running && !q->queue.n);
			continue;
		}
		struct sched_entity *r = q->running;
		INV(r == (s->cpu[c].cur ? &s->cpu[c].cur->se : 0));
		if (r) {
			unsigned i = (unsigned)(ent_of(r) - s->ents);
			INV(i < s->nents && !seen[i]);
			INV(r->state == SE_RUNNING && r->cpu == c);
			if (i < s->nents)
				seen[i] = true;
		}
		check_list(s, &q->queue, SE_QUEUED, (int)c, seen, ok);
	}
	check_list(s, &s->pol.blocked, SE_BLOCKED, -1, seen, ok);
	for (unsigned i = 0; i < s->nents; i++) {
		INV(seen[i] == s->ents[i].present);
		INV(s->ents[i].present || s->ents[i].se.state == SE_OFF);
	}
	return *ok;
}

void sim_run(struct sim *s, uint64_t end)
{
	while (!s->broken) {
		uint64_t t = end;
		int cpu = -1;
		struct sim_ent *irq = 0;
		for (unsigned i = 0; i < s->nents; i++) {
			struct sim_ent *e = &s->ents[i];
			if (e->present && e->irq && e->se.state == SE_BLOCKED && e->due <= t) {
				t = e->due;
				irq = e;
			}
		}
		for (unsigned c = 0; c < s->ncpus; c++) {
			const struct sim_cpu *sc = &s->cpu[c];
			uint64_t at = sc->until > s->now ? sc->until : s->now;
			if (sc->cur && sc->cur->work != SIM_FOREVER && s->now + sc->cur->left < at)
				at = s->now + sc->cur->left;
			if (at < t) {
				t = at;
				cpu = (int)c;
				irq = 0;
			}
		}
		if (t >= end && !irq) {
			advance(s, end);
			return;
		}
		advance(s, t);
		s->events++;
		if (irq)
			wake(s, irq);
		else
			cpu_event(s, (unsigned)cpu);
		bool ok = true;
		s->broken = !check_invariants(s, &ok);
	}
}

uint64_t sim_window_max(const struct sim *s, unsigned g, uint64_t len, uint64_t from, uint64_t to)
{
	uint64_t n = len / SIM_BUCKET, best = 0;
	for (uint64_t b = from / SIM_BUCKET; b + n <= to / SIM_BUCKET && b + n <= SIM_BUCKETS;
	     b++) {
		uint64_t sum = 0;
		for (uint64_t k = b; k < b + n; k++)
			sum += s->usage[g][k];
		best = sum > best ? sum : best;
	}
	return best;
}

uint64_t sim_latency_quantile(const struct sim *s, unsigned i, unsigned q)
{
	const struct sim_ent *e = &s->ents[i];
	uint64_t total = 0, seen = 0;
	for (unsigned b = 0; b < SIM_LAT_BINS; b++)
		total += e->lat_hist[b];
	for (unsigned b = 0; b < SIM_LAT_BINS; b++) {
		seen += e->lat_hist[b];
		if (seen * 100 >= total * q)
			return (uint64_t)(b + 1) * 1000;
	}
	return SIM_FOREVER;
}

double sim_jain(const double *x, unsigned n)
{
	double sum = 0, sq = 0;
	for (unsigned i = 0; i < n; i++) {
		sum += x[i];
		sq += x[i] * x[i];
	}
	return sq ? sum * sum / (n * sq) : 1;
}
