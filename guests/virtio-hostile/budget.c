/* Bounded work: a full ring of 256 requests behind one notification. The device may split
 * the work, but a notification is a promise it keeps: every request completes without a
 * second one (virtio 1.2 §2.7.13: the driver need not notify again for buffers the device
 * has already been told about). */
#include "guests/lib/lapic.h"
#include "guests/lib/report.h"
#include "guests/lib/tsc.h"
#include "guests/lib/x86.h"
#include "guests/virtio-hostile/hostile.h"

#define QSIZE	256
#define BUF	16
#define WAIT_MS 2000

void abuse_budget(struct rig *rng)
{
	struct virtq *q = &rng->q[0];
	u32 done = 0, id, len;

	if (!rig_up(rng, 0, QSIZE))
		return;
	u32 irqs = lapic_irq_count[rig_queue_vector(rng, 0)];
	for (u32 i = 0; i < QSIZE; i++) {
		struct virtq_buf b = {(u32)env.scratch + i * BUF, BUF};
		virtq_add(q, &b, 0, 1);
	}
	virtq_kick(q);
	u64 end = rdtsc() + tsc_from_ms(WAIT_MS);
	sti();
	while (done < QSIZE && rdtsc() < end) {
		if (virtq_get_used(q, &id, &len))
			done++;
		else
			cpu_relax();
	}
	cli();
	irqs = lapic_irq_count[rig_queue_vector(rng, 0)] - irqs;
	report(done == QSIZE && irqs >= 1 && rig_running(rng),
	       "%s: %u requests behind one notification all complete (%u done, %u interrupts)",
	       rng->name, QSIZE, done, irqs);
	virtio_reset(&rng->dev);
}
