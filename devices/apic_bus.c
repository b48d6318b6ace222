#include "devices/apic_bus.h"

#define XAPIC_BROADCAST	     0xffu
#define X2APIC_BROADCAST     0xffffffffu
#define XAPIC_ID_SHIFT	     24		 /* xAPIC ID and LDR: bits 31:24 */
#define DFR_MODEL_MASK	     0xf0000000u /* DFR bits 31:28: 1111b flat, 0000b cluster */
#define DFR_MODEL_FLAT	     0xf0000000u
#define X2APIC_CLUSTER_SHIFT 16 /* x2APIC logical ID: cluster 31:16, members 15:0 */
#define X2APIC_MEMBERS	     0xffffu

#define MSI_ADDR_DEST_SHIFT	12 /* destination ID in address bits 19:12 */
#define MSI_ADDR_DEST_MASK	0xffu
#define MSI_ADDR_LOGICAL	(1u << 2) /* destination mode */
#define MSI_DATA_VECTOR		0xffu
#define MSI_DATA_DELIVERY_SHIFT 8 /* bits 10:8 */
#define MSI_DATA_DELIVERY_MASK	0x7u
#define MSI_DATA_ASSERT		(1u << 14) /* level: assert (1) or de-assert */
#define MSI_DATA_LEVEL		(1u << 15) /* trigger mode */

void apic_bus_init(struct apic_bus *b, const struct apic_bus_ops *ops, void *ctx)
{
	*b = (struct apic_bus){.ops = ops, .ctx = ctx};
}

bool apic_bus_attach(struct apic_bus *b, struct lapic *l)
{
	if (b->ncpus >= APIC_BUS_MAX_CPUS)
		return false;
	b->lapic[b->ncpus++] = l;
	return true;
}

/* An xAPIC target sees an 8-bit destination; an x2APIC sender's 32-bit one reaches it only
 * when it fits (its broadcast stays a broadcast). */
static bool xapic_matches(const struct lapic *l, const struct apic_msg *m)
{
	uint32_t dest = m->dest & XAPIC_BROADCAST;
	if (m->x2apic_dest && m->dest == X2APIC_BROADCAST)
		dest = XAPIC_BROADCAST;
	else if (m->x2apic_dest && m->dest > XAPIC_BROADCAST)
		return false;
	if (dest == XAPIC_BROADCAST) /* logical too, as KVM does */
		return true;
	if (!m->logical)
		return lapic_reg(l, LAPIC_ID) >> XAPIC_ID_SHIFT == dest;
	uint32_t ldr = lapic_reg(l, LAPIC_LDR) >> XAPIC_ID_SHIFT;
	if ((lapic_reg(l, LAPIC_DFR) & DFR_MODEL_MASK) == DFR_MODEL_FLAT)
		return ldr & dest;
	/* Any model but flat is treated as cluster. */
	return (ldr >> 4) == (dest >> 4) && (ldr & dest & 0xf);
}

/* An x2APIC target sees a 32-bit destination; an 8-bit one (xAPIC sender, I/O APIC, MSI)
 * is taken as is, its 0xff broadcast included. */
static bool x2apic_matches(const struct lapic *l, const struct apic_msg *m)
{
	uint32_t dest = m->dest;
	if (!m->x2apic_dest && dest == XAPIC_BROADCAST)
		dest = X2APIC_BROADCAST;
	if (dest == X2APIC_BROADCAST)
		return true;
	if (!m->logical)
		return lapic_reg(l, LAPIC_ID) == dest;
	uint32_t ldr = lapic_reg(l, LAPIC_LDR);
	return (ldr >> X2APIC_CLUSTER_SHIFT) == (dest >> X2APIC_CLUSTER_SHIFT) &&
	       (ldr & dest & X2APIC_MEMBERS);
}

static bool is_target(const struct apic_bus *b, unsigned cpu, const struct apic_msg *m)
{
	const struct lapic *l = b->lapic[cpu];
	if (lapic_mode(l) == LAPIC_MODE_DISABLED)
		return false;
	switch (m->shorthand) {
	case APIC_SH_SELF:
		return cpu == m->source;
	case APIC_SH_ALL:
		return true;
	case APIC_SH_ALL_BUT_SELF:
		return cpu != m->source;
	}
	if (lapic_mode(l) == LAPIC_MODE_X2APIC)
		return x2apic_matches(l, m);
	return xapic_matches(l, m);
}

static void kick(const struct apic_bus *b, unsigned cpu)
{
	if (b->ops && b->ops->kick)
		b->ops->kick(b->ctx, cpu);
}

static unsigned deliver_fixed(struct apic_bus *b, const struct apic_msg *m)
{
	unsigned taken = 0;
	for (unsigned cpu = 0; cpu < b->ncpus; cpu++) {
		if (is_target(b, cpu, m) && lapic_accept(b->lapic[cpu], m->vector, m->level)) {
			kick(b, cpu);
			taken++;
		}
	}
	return taken;
}

/* Round-robin among the matching APICs that are software-enabled (a disabled one would
 * drop it). */
static unsigned deliver_lowest(struct apic_bus *b, const struct apic_msg *m)
{
	for (unsigned i = 0; i < b->ncpus; i++) {
		unsigned cpu = (b->lowest_next + i) % b->ncpus;
		if (!is_target(b, cpu, m) || !lapic_sw_enabled(b->lapic[cpu]))
			continue;
		b->lowest_next = (cpu + 1) % b->ncpus;
		if (!lapic_accept(b->lapic[cpu], m->vector, m->level))
			return 0;
		kick(b, cpu);
		return 1;
	}
	return 0;
}

static unsigned deliver_special(struct apic_bus *b, const struct apic_msg *m)
{
	unsigned taken = 0;
	for (unsigned cpu = 0; cpu < b->ncpus; cpu++) {
		if (!is_target(b, cpu, m))
			continue;
		if (b->ops && b->ops->special)
			b->ops->special(b->ctx, cpu, m->delivery, m->vector);
		taken++;
	}
	return taken;
}

unsigned apic_bus_deliver(struct apic_bus *b, const struct apic_msg *m)
{
	if (!m->assert) /* a level de-assert (INIT) does nothing on xAPIC-era CPUs */
		return 0;
	switch (m->delivery) {
	case APIC_DM_FIXED:
		return deliver_fixed(b, m);
	case APIC_DM_LOWEST:
		return deliver_lowest(b, m);
	case APIC_DM_SMI:
	case APIC_DM_NMI:
	case APIC_DM_INIT:
	case APIC_DM_STARTUP:
	case APIC_DM_EXTINT:
		return deliver_special(b, m);
	}
	return 0; /* delivery mode 3 is reserved */
}

bool apic_msg_from_msi(uint64_t address, uint32_t data, struct apic_msg *out)
{
	if ((address >> 32) || (address & MSI_ADDR_BASE_MASK) != MSI_ADDR_BASE)
		return false;
	bool level = data & MSI_DATA_LEVEL;
	*out = (struct apic_msg){
	    .dest = (address >> MSI_ADDR_DEST_SHIFT) & MSI_ADDR_DEST_MASK,
	    .vector = data & MSI_DATA_VECTOR,
	    .delivery = (data >> MSI_DATA_DELIVERY_SHIFT) & MSI_DATA_DELIVERY_MASK,
	    .logical = address & MSI_ADDR_LOGICAL,
	    .level = level,
	    .assert = !level || (data & MSI_DATA_ASSERT), /* edge messages always assert */
	    .shorthand = APIC_SH_NONE,
	};
	return true;
}
