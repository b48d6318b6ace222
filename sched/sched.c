#include "sched/sched.h"
#include "drivers/lapic_host.h"
#include "drivers/tsc.h"
#include "kernel/console.h"
#include "kernel/console_input.h"
#include "kernel/log.h"
#include "kernel/options.h"
#include "kernel/vm.h"
#include "kernel/x86.h"
#include "vmx/vcpu.h"

#define SCHED_MAX_VCPUS 64

/* The shortest run a vCPU keeps when a woken one preempts it, and the length of a boosted
 * (woken) vCPU's run: short, as a timer interrupt waits for it, but long enough that the
 * exits it costs stay a small part of the runner's slice. */
#define SCHED_MIN_SLICE_US 100

_Static_assert(VM_WEIGHT_DEFAULT == SCHED_WEIGHT_DEFAULT, "weight= default is the policy's");
_Static_assert(VM_WEIGHT_MAX == SCHED_WEIGHT_MAX, "weight= range is the policy's");
_Static_assert(VM_PIN_CPUS == SCHED_MAX_CPUS, "pin= names the policy's CPUs");

static struct sched_policy policy;
static struct vcpu *vcpus[SCHED_MAX_VCPUS];
static unsigned nvcpus;
static struct vcpu *running; /* the vCPU in vcpu_run() on this CPU, if any */
static bool policy_ready;
static uint64_t idle_halts, idle_ticks; /* for the end-of-run statistics */

/* The CPU the vCPUs run on: only the boot CPU runs guests so far. */
#define SCHED_CPU 0

static struct vcpu *vcpu_of(struct sched_entity *e)
{
	return (struct vcpu *)((char *)e - __builtin_offsetof(struct vcpu, se));
}

/* Carries out the policy's decision: the running vCPU leaves the CPU by k.at (the idle
 * loop and the pick between slices look at the policy anyway). */
static void carry_out(struct sched_kick k)
{
	if (!k.resched || !running || k.cpu != SCHED_CPU || k.at >= running->slice_end)
		return;
	running->slice_end = k.at;
	running->timer_changed = true;
}

/* When a blocked vCPU's timers make it look for an interrupt again: its own and its VM's
 * devices' (whichever vCPU their interrupt is for, one of the VM's vCPUs must bring them
 * up to date). Only an NMI, INIT or SIPI wakes HLT with interrupts off or wait-for-SIPI. */
static uint64_t wake_time(const struct vcpu *v)
{
	if (v->state != VCPU_HALTED || v->halted_if0)
		return SCHED_NEVER;
	return vcpu_next_deadline(v);
}

/* Makes the policy's view of `v` match the vCPU's state, which exit handlers, interrupt
 * sources, INIT/SIPI and VM resets change without the scheduler. */
static void sched_sync(struct vcpu *v, uint64_t now)
{
	struct sched_entity *e = &v->se;
	if (v->state == VCPU_DEAD) {
		if (e->state != SE_OFF)
			policy_remove(&policy, e, now);
		return;
	}
	/* Halted, but with an interrupt it can take already (raised before it was blocked):
	 * it does not wait. */
	if (v->state == VCPU_HALTED && vcpu_interrupt_deliverable(v))
		v->state = VCPU_RUNNABLE;
	if (v->state == VCPU_RUNNABLE) {
		if (e->state == SE_BLOCKED) {
			carry_out(policy_wake(&policy, e, now));
		} else if (e->state == SE_RUNNING) {
			/* A woken vCPU whose short run ended before it halted again is most likely
			 * still handling its interrupt. */
			v->interrupt_waits = e->boosted;
			if (v->yielded)
				policy_yield(&policy, e, now);
			else
				policy_put(&policy, e, now);
			v->yielded = false;
		}
		return;
	}
	uint64_t wake = wake_time(v);
	if (e->state != SE_BLOCKED)
		carry_out(policy_block(&policy, e, now, wake));
	else if (e->wake_at != wake)
		carry_out(policy_set_wake_time(&policy, e, now, wake));
}

void sched_add_vm(struct vm *vm)
{
	uint64_t now = rdtsc();
	if (!policy_ready) {
		policy_init(&policy, 1, tsc_from_us(hv_options.timeslice_us),
			    tsc_from_us(SCHED_MIN_SLICE_US), 0);
		policy_ready = true;
	}
	policy_group_init(&vm->sched, vm->cfg.weight, vm->cfg.cap);
	if (vm->cfg.pin && !(vm->cfg.pin & ((1u << policy.ncpus) - 1)))
		log_warn("vm %s: pin= names no CPU that runs guests (CPU 0 only): it runs there",
			 vm->cfg.name);
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		struct vcpu *v = vm->vcpus[i];
		if (nvcpus == SCHED_MAX_VCPUS) {
			vm_stop(vm, "too many vCPUs for the scheduler");
			return;
		}
		vcpus[nvcpus++] = v;
		policy_entity_init(&v->se, &vm->sched, vm->cfg.pin);
		carry_out(policy_add(&policy, &v->se, now, v->state == VCPU_RUNNABLE));
		if (v->state != VCPU_RUNNABLE)
			sched_sync(v, now);
	}
}

void sched_vcpu_dead(struct vcpu *v)
{
	v->state = VCPU_DEAD;
	if (v->se.state != SE_OFF)
		policy_remove(&policy, &v->se, rdtsc());
}

void sched_wake(struct vcpu *v)
{
	if (v == running || v->se.state == SE_OFF)
		return;
	uint64_t now = rdtsc();
	if (v->se.state == SE_QUEUED) {
		v->interrupt_waits = true;
		carry_out(policy_notify(&policy, &v->se, now));
		return;
	}
	if (v->se.state != SE_BLOCKED)
		return;
	if (v->state == VCPU_HALTED && vcpu_interrupt_deliverable(v))
		v->state = VCPU_RUNNABLE;
	if (v->state == VCPU_RUNNABLE)
		carry_out(policy_wake(&policy, &v->se, now));
}

/* Blocked vCPUs whose timers are due look at their interrupts: those that can take one
 * become runnable, the others wait for their next timer. Bringing a VM's device timers up
 * to date may kick its other vCPUs (sched_wake). */
static void wake_due_timers(uint64_t now)
{
	for (unsigned i = 0; i < nvcpus; i++) {
		struct vcpu *v = vcpus[i];
		if (v->se.state != SE_BLOCKED || v->se.wake_at > now)
			continue;
		if (vcpu_wakeup_due(v, now))
			v->state = VCPU_RUNNABLE;
		sched_sync(v, now);
	}
}

/* The run `until` of the vCPU just picked is cut where a queued vCPU with an interrupt
 * waiting would preempt it (policy_notify): one kicked between runs, or cut short while
 * handling one, would otherwise wait for a whole slice. */
static uint64_t cut_for_waiting_interrupts(uint64_t now, uint64_t until)
{
	for (unsigned i = 0; i < nvcpus; i++) {
		struct vcpu *w = vcpus[i];
		if (!w->interrupt_waits || w->se.state != SE_QUEUED)
			continue;
		struct sched_kick k = policy_notify(&policy, &w->se, now);
		if (k.resched && k.at < until)
			until = k.at;
	}
	return until;
}

/* Whether typed input could still wake a halted vCPU: its VM's COM1 would raise an
 * interrupt for a received byte (the user may give that VM the focus first). */
static bool input_may_wake(void)
{
	if (!console_has_input())
		return false;
	for (unsigned i = 0; i < nvcpus; i++)
		if (vcpus[i]->state == VCPU_HALTED &&
		    uart_rx_can_interrupt(&vcpus[i]->vm->plat.com1))
			return true;
	return false;
}

/* Nothing can run until `until`: halt the CPU with its local APIC timer armed for then; an
 * interrupt (typed input) ends the wait early. With no timer at all and no input that could
 * wake a VM, the halted VMs can never run again and are ended. */
static void sched_idle(uint64_t until, uint64_t end)
{
	if (until > end)
		until = end;
	if (until == SCHED_NEVER && !input_may_wake()) {
		for (unsigned i = 0; i < nvcpus; i++)
			if (vcpus[i]->state == VCPU_HALTED)
				vm_stop(vcpus[i]->vm, "halted with no interrupt that could ever wake it");
		return;
	}
	if (until <= rdtsc())
		return;
	if (until != SCHED_NEVER)
		lapic_host_timer_arm(until);
	uint64_t from = rdtsc();
	/* STI's one-instruction shadow: no interrupt is taken between it and HLT, so none is
	 * missed before the CPU halts. */
	__asm__ volatile("sti; hlt; cli" ::: "memory");
	lapic_host_timer_stop();
	idle_halts++;
	idle_ticks += rdtsc() - from;
}

/* After `v` ran: the policy hears how it left the CPU, and about its VM's other vCPUs,
 * whose state its exits may have changed (INIT, SIPI, device timers reprogrammed, reset). */
static void sched_after_run(struct vcpu *v)
{
	struct vm *vm = v->vm;
	if (vm->restart_pending && !vm->ended)
		vm_restart(vm);
	uint64_t now = rdtsc();
	sched_sync(v, now);
	for (unsigned i = 0; i < vm->nvcpus; i++)
		if (vm->vcpus[i] != v)
			sched_sync(vm->vcpus[i], now);
}

static void print_statistics(uint64_t start)
{
	uint64_t total = rdtsc() - start;
	log_info("sched: CPU %u halted %llu times when idle, %llu%% of %llu ms", SCHED_CPU,
		 (unsigned long long)idle_halts,
		 (unsigned long long)(total ? idle_ticks * 100 / total : 0),
		 (unsigned long long)(total / (tsc_hz / 1000)));
}

void sched_run(void)
{
	uint64_t start = rdtsc();
	uint64_t end = hv_options.runtime_s ? start + hv_options.runtime_s * tsc_hz : SCHED_NEVER;
	bool limit_reported = false;
	for (;;) {
		uint64_t now = rdtsc();
		if (now >= end && !limit_reported) {
			limit_reported = true;
			log_info("time limit of %u s reached", hv_options.runtime_s);
			for (unsigned i = 0; i < nvcpus; i++)
				vm_time_limit(vcpus[i]->vm);
		}
		console_input_poll();
		wake_due_timers(now);
		uint64_t until;
		struct sched_entity *e = policy_pick(&policy, SCHED_CPU, now, &until);
		if (!e) {
			bool alive = false;
			for (unsigned i = 0; i < nvcpus && !alive; i++)
				alive = vcpus[i]->state != VCPU_DEAD;
			if (!alive) {
				print_statistics(start);
				return;
			}
			sched_idle(until, end);
			continue;
		}
		struct vcpu *v = vcpu_of(e);
		if (v->state != VCPU_RUNNABLE) {
			/* Halted or reset since it was queued: it waits for an interrupt instead. */
			sched_sync(v, now);
			continue;
		}
		v->interrupt_waits = false;
		v->yielded = false;
		v->slice_end = e->boosted ? until : cut_for_waiting_interrupts(now, until);
		running = v;
		vcpu_run(v, policy.min_slice);
		running = 0;
		sched_after_run(v);
	}
}
