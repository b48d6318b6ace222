#include "sched/policy.h"

#define NO_CPU SCHED_MAX_CPUS

/* Virtual times wrap: compare them by their difference. */
static bool vt_before(uint64_t a, uint64_t b)
{
	return (int64_t)(a - b) < 0;
}

static uint64_t vt_max(uint64_t a, uint64_t b)
{
	return vt_before(a, b) ? b : a;
}

static uint64_t vt_min(uint64_t a, uint64_t b)
{
	return vt_before(a, b) ? a : b;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* Virtual time for running `t` at `weight`, t * DEFAULT / weight, without the product
 * overflowing however long `t` is. */
static uint64_t to_virtual(uint64_t t, uint32_t weight)
{
	return t / weight * SCHED_WEIGHT_DEFAULT + t % weight * SCHED_WEIGHT_DEFAULT / weight;
}

/* The run time after which an entity of `weight` has advanced `v`: v * weight / DEFAULT. */
static uint64_t to_real(uint64_t v, uint32_t weight)
{
	return v / SCHED_WEIGHT_DEFAULT * weight +
	       v % SCHED_WEIGHT_DEFAULT * weight / SCHED_WEIGHT_DEFAULT;
}

static uint32_t weight_of(const struct sched_entity *e)
{
	return e->group->weight;
}

/* How far ahead of its CPU's virtual clock a waking entity may be and still count as not
 * having used its share. The clock drops when an entity arrives with lag (up to
 * lag_bound), which must not cost a light entity its boost; being ahead by this much is no
 * claim on more than the share, as an entity further ahead is not boosted. */
static uint64_t boost_margin(const struct sched_policy *p, const struct sched_entity *e)
{
	return to_virtual(2 * p->slice + p->min_slice, weight_of(e));
}

/* How far behind a CPU's virtual clock a queued entity elsewhere must be before that CPU
 * pulls it. */
static uint64_t pull_gap(const struct sched_policy *p, const struct sched_entity *e)
{
	return to_virtual(p->slice, weight_of(e));
}

/* The most an entity may be behind its CPU's virtual clock: the burst it can get on arrival. */
static uint64_t lag_bound(const struct sched_policy *p, const struct sched_entity *e)
{
	return to_virtual(2 * p->slice, weight_of(e));
}

static void list_append(struct sched_list *l, struct sched_entity *e)
{
	e->next = 0;
	e->prev = l->tail;
	if (l->tail)
		l->tail->next = e;
	else
		l->head = e;
	l->tail = e;
	l->n++;
}

static void list_unlink(struct sched_list *l, struct sched_entity *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		l->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		l->tail = e->prev;
	e->next = e->prev = 0;
	l->n--;
}

static uint32_t cpus_allowed(const struct sched_policy *p, const struct sched_entity *e)
{
	uint32_t all = (1u << p->ncpus) - 1;
	return e->affinity & all ? e->affinity & all : all;
}

static bool allowed(const struct sched_policy *p, const struct sched_entity *e, unsigned cpu)
{
	return cpus_allowed(p, e) >> cpu & 1;
}

static bool empty(const struct sched_cpu *q)
{
	return !q->running && !q->queue.n;
}

/* Whether e's group has cap budget left now, refilling it when a new period has begun.
 * Periods are aligned to multiples of cap_period; an unused budget does not carry over,
 * an overrun does. */
static bool has_budget(struct sched_policy *p, const struct sched_entity *e, uint64_t now)
{
	struct sched_group *g = e->group;
	if (!g->cap)
		return true;
	if (now >= g->period_end) {
		g->period_end += ((now - g->period_end) / p->cap_period + 1) * p->cap_period;
		g->budget = (g->budget < 0 ? g->budget : 0) +
			    (int64_t)((uint64_t)g->cap * p->cap_period / 100);
	}
	return g->budget > 0;
}

/* The virtual time the running entity `r` will have reached at `t`. */
static uint64_t vtime_at(const struct sched_entity *r, uint64_t t)
{
	return r->vtime + to_virtual(t > r->start ? t - r->start : 0, weight_of(r));
}

/* Bounds one entity's pull on the average, so that 256 of them at the highest weight
 * cannot overflow the sum; 2^38 is more than a minute of lag at any weight. */
#define VCLOCK_SPREAD (1ll << 38)

/* The virtual clock of `q` at `t` if only its running entity runs until then: the weighted
 * average of the virtual times of what it runs and can pick (the GPS virtual time of start-
 * time fair queuing, EEVDF's V). It advances whenever the CPU runs anything, at the rate
 * a unit of weight is owed; a CPU with nothing keeps its last value. */
static uint64_t vclock_at(struct sched_policy *p, struct sched_cpu *q, uint64_t now, uint64_t t)
{
	const struct sched_entity *r = q->running;
	uint64_t base = r ? vtime_at(r, t) : 0;
	int64_t sum = 0, weights = r ? weight_of(r) : 0;
	for (const struct sched_entity *e = q->queue.head; e; e = e->next) {
		if (!has_budget(p, e, now))
			continue;
		if (!weights)
			base = e->vtime;
		int64_t d = (int64_t)(e->vtime - base);
		d = d > VCLOCK_SPREAD ? VCLOCK_SPREAD : d < -VCLOCK_SPREAD ? -VCLOCK_SPREAD : d;
		sum += d * weight_of(e);
		weights += weight_of(e);
	}
	return weights ? base + (uint64_t)(sum / weights) : q->vclock;
}

static uint64_t update_vclock(struct sched_policy *p, struct sched_cpu *q, uint64_t now)
{
	return q->vclock = vclock_at(p, q, now, now);
}

/* What an entity arriving on `cpu` is measured against. An empty CPU's clock is stale, so
 * the least advanced busy CPU's stands in for it. */
static uint64_t ref_vclock(struct sched_policy *p, unsigned cpu, uint64_t now)
{
	if (!empty(&p->cpu[cpu]))
		return update_vclock(p, &p->cpu[cpu], now);
	bool any = false;
	uint64_t m = p->cpu[cpu].vclock;
	for (unsigned c = 0; c < p->ncpus; c++) {
		if (empty(&p->cpu[c]))
			continue;
		uint64_t v = update_vclock(p, &p->cpu[c], now);
		m = any ? vt_min(m, v) : v;
		any = true;
	}
	return m;
}

static void arrive(struct sched_policy *p, unsigned cpu, struct sched_entity *e)
{
	struct sched_cpu *q = &p->cpu[cpu];
	if (empty(q))
		q->vclock = e->vtime;
	e->cpu = cpu;
	e->state = SE_QUEUED;
	list_append(&q->queue, e);
}

static uint32_t load(const struct sched_cpu *q)
{
	uint32_t w = q->running ? weight_of(q->running) : 0;
	for (const struct sched_entity *e = q->queue.head; e; e = e->next)
		w += weight_of(e);
	return w;
}

static unsigned least_loaded(const struct sched_policy *p, uint32_t mask)
{
	unsigned best = NO_CPU;
	uint32_t best_load = 0;
	for (unsigned c = 0; c < p->ncpus; c++) {
		if (!(mask >> c & 1))
			continue;
		uint32_t l = load(&p->cpu[c]);
		if (best == NO_CPU || l < best_load) {
			best = c;
			best_load = l;
		}
	}
	return best;
}

/* Boosted entities first, then the least virtual time; the earliest arrival among equals. */
static struct sched_entity *best_queued(struct sched_policy *p, struct sched_cpu *q, uint64_t now)
{
	struct sched_entity *best = 0;
	for (struct sched_entity *e = q->queue.head; e; e = e->next) {
		if (!has_budget(p, e, now))
			continue;
		if (!best || (e->boosted && !best->boosted) ||
		    (e->boosted == best->boosted && vt_before(e->vtime, best->vtime)))
			best = e;
	}
	return best;
}

static struct sched_kick no_kick(unsigned cpu)
{
	return (struct sched_kick){.cpu = cpu};
}

/* The caller will carry the kick out, so `cpu` comes back by `at` from now on. */
static struct sched_kick kick(struct sched_policy *p, unsigned cpu, uint64_t at)
{
	if (at >= p->cpu[cpu].run_until)
		return no_kick(cpu);
	p->cpu[cpu].run_until = at;
	return (struct sched_kick){.cpu = cpu, .resched = true, .at = at};
}

/* When an entity that arrives at `t` with virtual time `v` (`boosted` or not) takes the CPU
 * from the running `r`: a boosted one at once, an unboosted one once r's virtual time is
 * min_slice (at r's weight) past v, as r is then ahead of it by more than a rounding; never
 * before r has run min_slice, and never while r is boosted (its run is short anyway). */
static uint64_t preempt_at(const struct sched_policy *p, const struct sched_entity *r, bool boosted,
			   uint64_t v, uint64_t t)
{
	if (r->boosted)
		return SCHED_NEVER;
	uint64_t at = max_u64(t, r->start + p->min_slice);
	if (boosted)
		return at;
	uint64_t goal = v + to_virtual(p->min_slice, weight_of(r));
	if (!vt_before(r->vtime, goal))
		return at;
	if (goal - r->vtime > to_virtual(p->slice, weight_of(r)))
		return SCHED_NEVER;
	return max_u64(at, r->start + to_real(goal - r->vtime, weight_of(r)));
}

/* Which CPU must look at blocked `b` when its timer fires, and when: its own CPU if idle
 * then, or when b would preempt what runs there (as policy_wake will decide); otherwise an
 * idle CPU it may use. False when none has to. `skip` is a CPU about to pick, which will
 * take b's timer into account itself. */
static bool timer_target(struct sched_policy *p, const struct sched_entity *b, unsigned skip,
			 uint64_t now, unsigned *cpu, uint64_t *at)
{
	if (b->wake_at == SCHED_NEVER)
		return false;
	uint64_t t = max_u64(b->wake_at, now);
	struct sched_cpu *q = &p->cpu[b->cpu];
	if (b->cpu != skip) {
		const struct sched_entity *r = q->running;
		*cpu = b->cpu;
		*at = t;
		if (!r)
			return true;
		/* Nothing runs longer than a slice: no need to look further ahead. */
		uint64_t v = vclock_at(p, q, now, min_u64(t, now + p->slice));
		bool boosted = !vt_before(v + boost_margin(p, b), b->vtime);
		*at = preempt_at(p, r, boosted, vt_max(b->vtime, v), t);
		if (*at != SCHED_NEVER)
			return true;
	}
	uint32_t mask = cpus_allowed(p, b);
	for (unsigned c = 0; c < p->ncpus; c++) {
		if ((mask >> c & 1) && c != skip && !p->cpu[c].running) {
			*cpu = c;
			*at = t;
			return true;
		}
	}
	return false;
}

static struct sched_kick timer_kick(struct sched_policy *p, const struct sched_entity *b,
				    unsigned skip, uint64_t now)
{
	unsigned cpu;
	uint64_t at;
	if (timer_target(p, b, skip, now, &cpu, &at))
		return kick(p, cpu, at);
	return no_kick(b->cpu);
}

/* The earliest time before `until` at which `cpu` must pick again for an entity that would
 * preempt its running one (or for any, when it is idle): a blocked entity's timer, or the
 * cap refill of a queued entity. */
static uint64_t next_event(struct sched_policy *p, unsigned cpu, uint64_t now, uint64_t until)
{
	struct sched_cpu *q = &p->cpu[cpu];
	const struct sched_entity *r = q->running;
	unsigned c;
	uint64_t at;
	for (const struct sched_entity *b = p->blocked.head; b; b = b->next) {
		/* A busy CPU only takes the timers of its own entities. */
		if (b->wake_at >= until || (r && b->cpu != cpu))
			continue;
		if (timer_target(p, b, NO_CPU, now, &c, &at) && c == cpu)
			until = min_u64(until, at);
	}
	for (const struct sched_entity *e = q->queue.head; e; e = e->next) {
		uint64_t t = e->group->period_end;
		if (has_budget(p, e, now) || t >= until)
			continue;
		until = min_u64(until, r ? preempt_at(p, r, false, e->vtime, t) : t);
	}
	return until;
}

/* Charges e's run since it was picked: virtual time and cap budget. */
static void account(struct sched_policy *p, struct sched_entity *e, uint64_t now)
{
	uint64_t ran = now > e->start ? now - e->start : 0;
	e->vtime += to_virtual(ran, weight_of(e));
	e->ran += ran;
	if (e->group->cap)
		e->group->budget += (int64_t)e->held - (int64_t)ran;
	e->held = 0;
	p->cpu[e->cpu].running = 0;
}

/* The CPU a waking entity goes to: its own if idle, else any idle one it may use (it runs
 * at once), else its own, where it may preempt. */
static unsigned wake_cpu(const struct sched_policy *p, const struct sched_entity *e)
{
	uint32_t mask = cpus_allowed(p, e);
	bool home = mask >> e->cpu & 1;
	if (home && !p->cpu[e->cpu].running)
		return e->cpu;
	for (unsigned c = 0; c < p->ncpus; c++)
		if ((mask >> c & 1) && !p->cpu[c].running)
			return c;
	return home ? e->cpu : least_loaded(p, mask);
}

/* How far apart the loads of `cpu` and `from` would be if `e` moved from `from` to `cpu`. */
static uint32_t imbalance_after(const struct sched_policy *p, unsigned cpu, unsigned from,
				const struct sched_entity *e)
{
	int64_t d = (int64_t)load(&p->cpu[from]) - load(&p->cpu[cpu]) - 2 * (int64_t)weight_of(e);
	return (uint32_t)(d < 0 ? -d : d);
}

/* Moves to `cpu` a queued entity from elsewhere that may run here and is a slice behind
 * this CPU's virtual clock (any, when `cpu` is `idle`). Of those, the one that evens the loads
 * best, and none while the entity running on its CPU would even them better (it will be
 * queued soon): with weights 1, 1 and 2 on two CPUs, the 2 ends up alone instead of
 * trading places forever. Among equals, the one that has progressed least. */
static void pull(struct sched_policy *p, unsigned cpu, uint64_t now, bool idle)
{
	struct sched_cpu *q = &p->cpu[cpu];
	struct sched_entity *best = 0;
	uint32_t best_imbalance = 0;
	uint64_t v = update_vclock(p, q, now);
	for (unsigned c = 0; c < p->ncpus; c++) {
		if (c == cpu)
			continue;
		const struct sched_entity *r = p->cpu[c].running;
		uint32_t limit =
		    r && allowed(p, r, cpu) ? imbalance_after(p, cpu, c, r) : UINT32_MAX;
		for (struct sched_entity *e = p->cpu[c].queue.head; e; e = e->next) {
			if (!allowed(p, e, cpu) || !has_budget(p, e, now))
				continue;
			if (!idle && !vt_before(e->vtime + pull_gap(p, e), v))
				continue;
			uint32_t imb = imbalance_after(p, cpu, c, e);
			if (imb > limit)
				continue;
			if (!best || imb < best_imbalance ||
			    (imb == best_imbalance && vt_before(e->vtime, best->vtime))) {
				best = e;
				best_imbalance = imb;
			}
		}
	}
	if (!best)
		return;
	list_unlink(&p->cpu[best->cpu].queue, best);
	best->vtime = vt_max(best->vtime, ref_vclock(p, cpu, now) - lag_bound(p, best));
	arrive(p, cpu, best);
}

/* Queues blocked `e`; `may_boost` is false for a new entity, which has no wake-up latency
 * to keep short. */
static struct sched_kick wake(struct sched_policy *p, struct sched_entity *e, uint64_t now,
			      bool may_boost)
{
	list_unlink(&p->blocked, e);
	unsigned cpu = wake_cpu(p, e);
	struct sched_cpu *q = &p->cpu[cpu];
	uint64_t ref = ref_vclock(p, cpu, now);
	e->boosted = may_boost && !vt_before(ref + boost_margin(p, e), e->vtime);
	e->vtime = vt_max(e->vtime, ref);
	e->wake_at = SCHED_NEVER;
	arrive(p, cpu, e);
	const struct sched_entity *r = q->running;
	if (!r)
		return kick(p, cpu, now);
	if (!has_budget(p, e, now))
		return no_kick(cpu);
	return kick(p, cpu, preempt_at(p, r, e->boosted, e->vtime, now));
}

void policy_init(struct sched_policy *p, unsigned ncpus, uint64_t slice, uint64_t min_slice,
		 uint64_t cap_period)
{
	*p = (struct sched_policy){
	    .ncpus = ncpus < 1		      ? 1
		     : ncpus > SCHED_MAX_CPUS ? SCHED_MAX_CPUS
					      : ncpus,
	    .slice = slice,
	    .min_slice = min_slice < slice ? min_slice : slice,
	    .cap_period = cap_period ? cap_period : slice,
	};
	for (unsigned c = 0; c < SCHED_MAX_CPUS; c++)
		p->cpu[c].run_until = SCHED_NEVER;
}

void policy_group_init(struct sched_group *g, unsigned weight, unsigned cap)
{
	*g = (struct sched_group){
	    .weight = !weight			  ? SCHED_WEIGHT_DEFAULT
		      : weight > SCHED_WEIGHT_MAX ? SCHED_WEIGHT_MAX
						  : weight,
	    .cap = cap,
	};
}

void policy_entity_init(struct sched_entity *e, struct sched_group *g, uint32_t affinity)
{
	*e = (struct sched_entity){.group = g, .affinity = affinity, .wake_at = SCHED_NEVER};
}

struct sched_kick policy_add(struct sched_policy *p, struct sched_entity *e, uint64_t now,
			     bool runnable)
{
	e->cpu = least_loaded(p, cpus_allowed(p, e));
	e->vtime = ref_vclock(p, e->cpu, now);
	e->state = SE_BLOCKED;
	e->wake_at = SCHED_NEVER;
	list_append(&p->blocked, e);
	return runnable ? wake(p, e, now, false) : no_kick(e->cpu);
}

void policy_remove(struct sched_policy *p, struct sched_entity *e, uint64_t now)
{
	if (e->state == SE_RUNNING)
		account(p, e, now);
	else if (e->state == SE_QUEUED)
		list_unlink(&p->cpu[e->cpu].queue, e);
	else if (e->state == SE_BLOCKED)
		list_unlink(&p->blocked, e);
	e->state = SE_OFF;
}

struct sched_kick policy_block(struct sched_policy *p, struct sched_entity *e, uint64_t now,
			       uint64_t wake_at)
{
	unsigned skip = NO_CPU;
	if (e->state == SE_RUNNING) {
		account(p, e, now);
		skip = e->cpu;
	} else if (e->state == SE_QUEUED) {
		list_unlink(&p->cpu[e->cpu].queue, e);
	}
	if (e->state != SE_BLOCKED)
		list_append(&p->blocked, e);
	e->state = SE_BLOCKED;
	e->boosted = false;
	e->wake_at = wake_at;
	return timer_kick(p, e, skip, now);
}

struct sched_kick policy_set_wake_time(struct sched_policy *p, struct sched_entity *e, uint64_t now,
				       uint64_t wake_at)
{
	if (e->state != SE_BLOCKED)
		return no_kick(e->cpu);
	e->wake_at = wake_at;
	return timer_kick(p, e, NO_CPU, now);
}

struct sched_kick policy_wake(struct sched_policy *p, struct sched_entity *e, uint64_t now)
{
	return e->state == SE_BLOCKED ? wake(p, e, now, true) : no_kick(e->cpu);
}

struct sched_kick policy_notify(struct sched_policy *p, struct sched_entity *e, uint64_t now)
{
	if (e->state != SE_QUEUED)
		return no_kick(e->cpu);
	const struct sched_entity *r = p->cpu[e->cpu].running;
	if (!r)
		return kick(p, e->cpu, now);
	if (!has_budget(p, e, now))
		return no_kick(e->cpu);
	return kick(p, e->cpu, preempt_at(p, r, false, e->vtime, now));
}

struct sched_entity *policy_pick(struct sched_policy *p, unsigned cpu, uint64_t now,
				 uint64_t *run_until)
{
	struct sched_cpu *q = &p->cpu[cpu];
	struct sched_entity *e = best_queued(p, q, now);
	if (!e) {
		pull(p, cpu, now, true);
		e = best_queued(p, q, now);
	}
	uint64_t until = SCHED_NEVER;
	if (e) {
		/* A capped entity falls behind while it waits for budget: keep its lag bounded. */
		e->vtime = vt_max(e->vtime, update_vclock(p, q, now) - lag_bound(p, e));
		list_unlink(&q->queue, e);
		e->state = SE_RUNNING;
		e->start = now;
		q->running = e;
		uint64_t len = e->boosted ? p->min_slice : p->slice;
		if (e->group->cap) {
			len = min_u64(len, (uint64_t)e->group->budget);
			e->held = len;
			e->group->budget -= (int64_t)len;
		}
		until = now + len;
	}
	if (!e || !e->boosted)
		until = next_event(p, cpu, now, until);
	q->run_until = until;
	*run_until = until;
	return e;
}

void policy_put(struct sched_policy *p, struct sched_entity *e, uint64_t now)
{
	account(p, e, now);
	e->boosted = false;
	e->state = SE_QUEUED;
	list_append(&p->cpu[e->cpu].queue, e);
}

void policy_yield(struct sched_policy *p, struct sched_entity *e, uint64_t now)
{
	policy_put(p, e, now);
	for (const struct sched_entity *q = p->cpu[e->cpu].queue.head; q; q = q->next)
		e->vtime = vt_max(e->vtime, q->vtime);
}

void policy_balance(struct sched_policy *p, unsigned cpu, uint64_t now)
{
	struct sched_cpu *q = &p->cpu[cpu];
	pull(p, cpu, now, !q->running && !best_queued(p, q, now));
}
