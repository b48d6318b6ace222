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

void sched_run(void)
{
	unsigned next = 0;
	slice_ticks = tsc_from_us(hv_options.timeslice_us);
	uint64_t end = hv_options.runtime_s ? rdtsc() + hv_options.runtime_s * tsc_hz : ~0ull;
	for (;;) {
		if (rdtsc() >= end) {
			log_info("time limit of %u s reached", hv_options.runtime_s);
			for (unsigned i = 0; i < nvcpus; i++)
				vm_time_limit(vcpus[i]->vm);
		}
		bool alive = false, ran = false;
		uint64_t earliest = ~0ull;
		for (unsigned k = 0; k < nvcpus; k++) {
			struct vcpu *v = vcpus[(next + k) % nvcpus];
			if (v->state == VCPU_DEAD)
				continue;
			alive = true;
			uint64_t now = rdtsc();
			if (v->state == VCPU_HALTED) {
				if (!vcpu_wakeup_due(v, now)) {
					uint64_t d = vcpu_next_deadline(v);
					earliest = d < earliest ? d : earliest;
					continue;
				}
				v->state = VCPU_RUNNABLE;
			}
			v->slice_end = now + slice_ticks;
			vcpu_run(v);
			ran = true;
			if (v->vm->restart_pending)
				vm_restart(v->vm);
		}
		if (!alive)
			return;
		console_input_poll();
		if (!ran)
			sched_idle(earliest, end);
		next = (next + 1) % nvcpus;
	}
}
