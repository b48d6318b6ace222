/* MSI-X messages are the guest's to aim at its own APIC (PCI 3.0 6.8.3; SDM Vol. 3 10.11.2):
 * an illegal vector is refused by the APIC with an error, SMI and the reserved delivery mode
 * deliver nothing to a guest, NMI delivers an NMI. The device sends the message when it
 * fails (DEVICE_NEEDS_RESET), through its configuration entry. */
#include "guests/lib/lapic.h"
#include "guests/lib/mmio.h"
#include "guests/lib/report.h"
#include "guests/lib/trap.h"
#include "guests/lib/tsc.h"
#include "guests/lib/x86.h"
#include "guests/virtio-hostile/hostile.h"

#define QSIZE		 8
#define LAPIC_ESR	 0x280	   /* error status: write, then read the errors since */
#define ESR_RECV_ILLEGAL (1u << 6) /* received an illegal vector (0-15) */
#define MSI_DATA_MODE(m) ((u32)(m) << 8)
#define MODE_FIXED	 0
#define MODE_SMI	 2
#define MODE_RESERVED	 3
#define MODE_NMI	 4
#define ILLEGAL_VECTOR	 5
#define VEC_NMI		 2
#define NMI_WAIT_MS	 10

static volatile u32 nmis;

static void on_nmi(struct trap_frame *f)
{
	(void)f;
	nmis++;
}

static void self_loop(struct rig *r, struct virtq *q)
{
	(void)r;
	set_desc(q, 0, (u32)env.scratch, 16, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 0);
	virtq_publish(q, 0);
}

/* Fails the device with its configuration entry sending `data`; false if it did not fail. */
static bool fail_with_message(struct rig *r, u32 data)
{
	u32 entry = r->dev.msix_table + RIG_CONFIG_ENTRY * MSIX_ENTRY_SIZE;

	if (!rig_up(r, 0, QSIZE))
		return false;
	mmio_write32(entry + MSIX_ENTRY_CONTROL, MSIX_ENTRY_MASKED);
	mmio_write32(entry + MSIX_ENTRY_DATA, data);
	mmio_write32(entry + MSIX_ENTRY_CONTROL, 0);
	self_loop(r, &r->q[0]);
	virtq_kick(&r->q[0]);
	bool failed = virtio_status(&r->dev) & VIRTIO_STATUS_NEEDS_RESET;
	virtio_reset(&r->dev);
	return failed;
}

static u32 read_esr(void)
{
	mmio_write32(LAPIC_BASE + LAPIC_ESR, 0);
	return mmio_read32(LAPIC_BASE + LAPIC_ESR);
}

static bool wait_nmis(u32 seen)
{
	u64 end = rdtsc() + tsc_from_ms(NMI_WAIT_MS);
	while (nmis == seen && rdtsc() < end)
		cpu_relax();
	return nmis != seen;
}

void abuse_messages(struct rig *rng)
{
	read_esr();
	bool failed = fail_with_message(rng, MSI_DATA_MODE(MODE_FIXED) | ILLEGAL_VECTOR);
	u32 esr = read_esr();
	report(failed && (esr & ESR_RECV_ILLEGAL),
	       "%s: a message with vector %u is refused by the APIC (ESR 0x%x)", rng->name,
	       ILLEGAL_VECTOR, esr);

	trap_set_handler(VEC_NMI, on_nmi);
	u32 seen = nmis;
	failed = fail_with_message(rng, MSI_DATA_MODE(MODE_SMI)) &&
		 fail_with_message(rng, MSI_DATA_MODE(MODE_RESERVED) | 0x40);
	bool quiet = !wait_nmis(seen);
	report(failed && quiet, "%s: SMI and reserved-mode messages deliver nothing", rng->name);

	seen = nmis;
	failed = fail_with_message(rng, MSI_DATA_MODE(MODE_NMI));
	bool nmi = wait_nmis(seen);
	report(failed && nmi && nmis == seen + 1, "%s: an NMI message delivers one NMI (%u)",
	       rng->name, nmis - seen);
}
