#include "sched/sched.h"
#include "drivers/tsc.h"
#include "kernel/console_input.h"
#include "kernel/log.h"
#include "kernel/options.h"
#include "kernel/vm.h"
#include "kernel/x86.h"
#include "vmx/vcpu.h"

static struct vcpu *vcpus[SCHED_MAX_VCPUS];
static unsigned nvcpus;
static unsigned next;            /* round-robin position */
static struct vcpu *running;     /* the vCPU in vcpu_run(), if any */
static uint64_t slice_ticks;
static uint64_t min_quantum;

/* The shortest slice a vCPU gets when another's timer or wake-up cuts it short. */
#define SCHED_MIN_QUANTUM_US 100

void sched_add(struct vcpu *v)
{
	if (nvcpus == SCHED_MAX_VCPUS) {
		vm_stop(v->vm, "too many vCPUs for the scheduler");
		return;
	}
	vcpus[nvcpus++] = v;
}

void sched_vcpu_dead(struct vcpu *v)
{
	v->state = VCPU_DEAD;
}

uint64_t sched_slice_ticks(void)
{
	return slice_ticks;
}

void sched_wake(struct vcpu *v)
{
	if (running == v)
		return;
	v->wake_pending = true;
	if (running) {
		running->preempt_pending = true;
		running->timer_changed = true;
	}
}

uint64_t sched_min_quantum(void)
{
	return min_quantum;
}

/* Nothing can run: wait for the earliest timer (or typed input that may wake a VM), or
 * end VMs that can never wake. */
static void sched_idle(uint64_t earliest, uint64_t end)
{
	if (earliest != ~0ull) {
		if (end < earliest)
			earliest = end;
		while (rdtsc() < earliest && !console_input_poll())
			cpu_relax();
		return;
	}
	/* Only typed input can still wake a VM: wait for it while some halted VM would take
	 * a received byte as an interrupt (the user may give that VM the focus first). */
	for (unsigned i = 0; i < nvcpus; i++) {
		if (vcpus[i]->state == VCPU_HALTED &&
		    uart_rx_can_interrupt(&vcpus[i]->vm->plat.com1)) {
			while (rdtsc() < end && !console_input_poll() && !vcpus[i]->vm->ended)
				cpu_relax();
			return;
		}
	}
	for (unsigned i = 0; i < nvcpus; i++)
		if (vcpus[i]->state == VCPU_HALTED)
			vm_stop(vcpus[i]->vm, "halted with no interrupt that could ever wake it");
}

/* The timer that should make `v` run: its own (LAPIC, hypercall) and, for the BSP, its
 * VM's device timers (PIT, RTC: their interrupts start there, whoever takes them). */
static uint64_t sched_deadline(const struct vcpu *v)
{
	uint64_t plat = v->vm->plat.timer_deadline;
	return v->id == 0 && plat < v->deadline ? plat : v->deadline;
}

/* The next vCPU to run: one that just woke up (a halted vCPU whose interrupt is due, an AP
 * its SIPI started, a runnable vCPU that got an interrupt while another ran, or a
 * preempted vCPU whose timer is due) before the others in round-robin order. A vCPU goes
 * ahead of its turn once per round: one whose timer is always due (a periodic timer faster
 * than its handler, a storm of IPIs) would otherwise run forever and starve every other VM.
 * Sets *alive when some vCPU is not dead. */
static struct vcpu *sched_pick(uint64_t now, bool *alive)
{
	struct vcpu *woken = 0, *runnable = 0;
	unsigned runnable_at = 0;
	*alive = false;
	for (unsigned k = 0; k < nvcpus; k++) {
		unsigned i = (next + k) % nvcpus;
		struct vcpu *v = vcpus[i];
		if (v->state == VCPU_DEAD)
			continue;
		*alive = true;
		bool due = false;
		if (v->state == VCPU_HALTED) {
			if (!vcpu_wakeup_due(v, now))
				continue;
			v->state = VCPU_RUNNABLE;
			due = true;
		} else if (v->state == VCPU_RUNNABLE) {
			due = v->start_pending || v->wake_pending || sched_deadline(v) <= now;
		} else {
			continue;
		}
		if (due && !v->jumped_queue && !woken)
			woken = v;
		else if (!runnable) {
			runnable = v;
			runnable_at = i;
		}
	}
	if (woken) {
		woken->jumped_queue = true;
		return woken;
	}
	/* Its turn: the round goes on after it, and it may go ahead once more. */
	if (runnable) {
		runnable->jumped_queue = false;
		next = (runnable_at + 1) % nvcpus;
	}
	return runnable;
}

/* The earliest timer of the vCPUs other than `self` (NULL: of all of them). The device
 * timers of self's own VM do not count: self brings them up to date itself (its preemption
 * timer includes them) and kicks the vCPU their interrupt is for. Counted, they would end
 * an AP's slice at every device tick to run the BSP, even for interrupts routed to the AP. */
static uint64_t sched_earliest_other(const struct vcpu *self)
{
	uint64_t earliest = ~0ull;
	for (unsigned i = 0; i < nvcpus; i++) {
		const struct vcpu *v = vcpus[i];
		if (v == self || (v->state != VCPU_HALTED && v->state != VCPU_RUNNABLE))
			continue;
		uint64_t d;
		if (self && v->vm == self->vm)
			d = v->deadline;
		else
			d = v->state == VCPU_HALTED ? vcpu_next_deadline(v) : sched_deadline(v);
		earliest = d < earliest ? d : earliest;
	}
	return earliest;
}

void sched_run(void)
{
	slice_ticks = tsc_from_us(hv_options.timeslice_us);
	min_quantum = tsc_from_us(SCHED_MIN_QUANTUM_US);
	uint64_t end = hv_options.runtime_s ? rdtsc() + hv_options.runtime_s * tsc_hz : ~0ull;
	for (;;) {
		if (rdtsc() >= end) {
			log_info("time limit of %u s reached", hv_options.runtime_s);
			for (unsigned i = 0; i < nvcpus; i++)
				vm_time_limit(vcpus[i]->vm);
		}
		uint64_t now = rdtsc();
		bool alive;
		struct vcpu *v = sched_pick(now, &alive);
		if (!alive)
			return;
		if (!v) {
			console_input_poll();
			sched_idle(sched_earliest_other(0), end);
			continue;
		}
		/* The slice ends early when another vCPU's timer is due before it, but never
		 * sooner than a minimum quantum: the vCPU must get to run at all. */
		uint64_t earliest = sched_earliest_other(v);
		if (earliest < now + min_quantum)
			earliest = now + min_quantum;
		v->slice_end = now + slice_ticks < earliest ? now + slice_ticks : earliest;
		running = v;
		v->wake_pending = false;
		v->preempt_pending = false;
		vcpu_run(v);
		running = 0;
		if (v->vm->restart_pending)
			vm_restart(v->vm);
		console_input_poll();
	}
}
