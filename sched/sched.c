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
	if (running && running != v) {
		running->slice_end = 0;
		running->timer_changed = true;
	}
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

/* The next vCPU to run: one that just woke up (a halted vCPU whose interrupt is due, or
 * an AP its SIPI started) before the runnable ones in round-robin order. Also reports the
 * earliest timer of the vCPUs left halted and whether any vCPU is still alive. */
static struct vcpu *sched_pick(uint64_t now, uint64_t *earliest, bool *alive)
{
	struct vcpu *woken = 0, *runnable = 0;
	unsigned runnable_at = 0;
	*earliest = ~0ull;
	*alive = false;
	for (unsigned k = 0; k < nvcpus; k++) {
		unsigned i = (next + k) % nvcpus;
		struct vcpu *v = vcpus[i];
		if (v->state == VCPU_DEAD)
			continue;
		*alive = true;
		if (v->state == VCPU_HALTED) {
			if (!vcpu_wakeup_due(v, now)) {
				uint64_t d = vcpu_next_deadline(v);
				*earliest = d < *earliest ? d : *earliest;
				continue;
			}
			v->state = VCPU_RUNNABLE;
			woken = woken ? woken : v;
		} else if (v->state == VCPU_RUNNABLE && v->start_pending && !woken) {
			woken = v;
		} else if (v->state == VCPU_RUNNABLE && !runnable) {
			runnable = v;
			runnable_at = i;
		}
	}
	if (woken)
		return woken;
	if (runnable)
		next = (runnable_at + 1) % nvcpus;
	return runnable;
}

/* The slice ends early when a halted vCPU's timer is due before it. */
static uint64_t sched_slice_end(uint64_t now, uint64_t earliest_other)
{
	uint64_t end = now + slice_ticks;
	return earliest_other < end ? earliest_other : end;
}

void sched_run(void)
{
	slice_ticks = tsc_from_us(hv_options.timeslice_us);
	uint64_t end = hv_options.runtime_s ? rdtsc() + hv_options.runtime_s * tsc_hz : ~0ull;
	for (;;) {
		if (rdtsc() >= end) {
			log_info("time limit of %u s reached", hv_options.runtime_s);
			for (unsigned i = 0; i < nvcpus; i++)
				vm_time_limit(vcpus[i]->vm);
		}
		uint64_t now = rdtsc(), earliest;
		bool alive;
		struct vcpu *v = sched_pick(now, &earliest, &alive);
		if (!alive)
			return;
		if (!v) {
			console_input_poll();
			sched_idle(earliest, end);
			continue;
		}
		v->slice_end = sched_slice_end(now, earliest);
		running = v;
		vcpu_run(v);
		running = 0;
		if (v->vm->restart_pending)
			vm_restart(v->vm);
		console_input_poll();
	}
}
