/* A VM's interrupt message bus: delivers struct apic_msg (from ICR writes, the I/O APIC and
 * MSI) to the local APICs it addresses. No VMX knowledge; host-tested.
 *
 * Destination matching (SDM vol. 3A "Determining IPI Destination"):
 * - physical: the APIC ID equals dest; 0xff (xAPIC) or 0xffffffff (x2APIC) is broadcast;
 * - logical, flat model (DFR 0xf): (LDR[31:24] & dest) != 0;
 * - logical, cluster model (DFR 0x0): same cluster (bits 7:4) and a common member bit (3:0);
 * - logical, x2APIC: same cluster (bits 31:16) and a common member bit (15:0);
 * - shorthands SELF, ALL, ALL_BUT_SELF override the destination.
 * A target's own mode decides how it matches an 8-bit or 32-bit destination.
 * Lowest priority goes to one matching APIC only (round-robin among the matches: the
 * SDM lets the chipset choose; KVM and ACRN do the same).
 *
 * Fixed and lowest-priority messages go into the target's IRR (lapic_accept) and the
 * target is kicked; NMI, INIT, STARTUP, SMI and ExtINT are the vCPU's business and go to
 * ops->special. Disabled APICs (IA32_APIC_BASE.EN = 0) receive nothing.
 *
 * Choices where the SDM leaves room:
 * - A logical destination of 0xff (0xffffffff in x2APIC) is a broadcast too, as in KVM.
 * - DFR models other than flat are treated as cluster.
 * - Mixed modes: an 8-bit destination reaches x2APIC targets unchanged (0xff as broadcast);
 *   an x2APIC sender's 32-bit destination reaches xAPIC targets only if it fits in 8 bits
 *   (0xffffffff as broadcast).
 * - Lowest priority skips software-disabled APICs, which would drop the interrupt.
 * - A message with assert == false (INIT level de-assert, level MSI de-assert) is dropped;
 *   so is delivery mode 3 (reserved).
 * - An illegal vector (0-15) that a target refuses sets its ESR; the target is not kicked
 *   even if its error LVT raised an interrupt. */
#pragma once
#include "devices/lapic.h"
#include <stdbool.h>
#include <stdint.h>

#define APIC_BUS_MAX_CPUS 8

struct apic_bus_ops {
	/* `cpu` got an interrupt in its IRR: it may have to wake up or re-evaluate. */
	void (*kick)(void *ctx, unsigned cpu);
	/* NMI, INIT (assert only), STARTUP (vector = start page), SMI or ExtINT for `cpu`. */
	void (*special)(void *ctx, unsigned cpu, uint8_t delivery, uint8_t vector);
};

struct apic_bus {
	struct lapic *lapic[APIC_BUS_MAX_CPUS]; /* index = vCPU number */
	unsigned ncpus;
	unsigned lowest_next; /* round-robin start for lowest priority */
	const struct apic_bus_ops *ops;
	void *ctx;
};

void apic_bus_init(struct apic_bus *b, const struct apic_bus_ops *ops, void *ctx);
/* Adds the next vCPU's APIC (vCPU numbers are dense, from 0). False when full. */
bool apic_bus_attach(struct apic_bus *b, struct lapic *l);
/* Delivers a message; returns how many APICs took it. */
unsigned apic_bus_deliver(struct apic_bus *b, const struct apic_msg *m);

/* MSI (PCI local bus spec, SDM vol. 3A "Message Signalled Interrupts"): address
 * 0xfeeXXXXX with destination ID in bits 19:12, redirection hint 3, destination mode 2;
 * data with vector 7:0, delivery mode 10:8, level 14, trigger 15. False when the address
 * is not in the 0xfee00000 window (a DMA write, not an interrupt); `out` is then untouched.
 * The redirection hint is ignored (lowest priority already picks one target); an edge
 * message is always an assert. */
#define MSI_ADDR_BASE      0xfee00000u
#define MSI_ADDR_BASE_MASK 0xfff00000u
bool apic_msg_from_msi(uint64_t address, uint32_t data, struct apic_msg *out);
