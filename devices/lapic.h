/* Local APIC model, one per vCPU (SDM vol. 3A, "Advanced Programmable Interrupt Controller").
 * No VMX knowledge: the hypervisor routes MMIO, MSR and APIC-write exits here and reads the
 * model's decisions back. Host-tested.
 *
 * Register state lives in a 4 KiB page laid out exactly like the xAPIC MMIO page (32-bit
 * registers at 16-byte strides). Under VMX that same page is the vCPU's virtual-APIC page,
 * so the CPU's TPR shadow, APIC-register virtualization and virtual-interrupt delivery read
 * and update the very state the model keeps: the model never caches TPR, IRR, ISR or PPR
 * anywhere else and always recomputes what depends on them.
 *
 * Time is the guest TSC (the caller's `now`). The timer's count clock is TSC >> clock_shift
 * (the LAPIC "bus" clock advertised in CPUID 0x15), divided by the divide configuration.
 *
 * In x2APIC mode the 64-bit ICR sits at 0x300 (low half) and 0x304 (destination), where
 * the CPU's x2APIC virtualization reads MSR 0x830; the xAPIC ICR_HI at 0x310 is unused.
 *
 * Choices where the SDM leaves room (most match KVM):
 * - Fixed and lowest-priority interrupts arriving while the APIC is software-disabled are
 *   dropped, before the vector is checked; INIT, SIPI and NMI are the bus's business
 *   (devices/apic_bus.h). A software-disabled APIC still sends IPIs.
 * - The xAPIC ID register is writable in xAPIC mode, read-only in x2APIC mode. Leaving
 *   x2APIC mode (through disabled) turns the ID back into the xAPIC form of `id`.
 * - ICR delivery status always reads 0 (delivery is instantaneous). ICR delivery modes 3 and
 *   7, lowest priority to SELF or ALL, and anything but fixed to SELF are not sent. An INIT
 *   with level trigger and assert clear is sent as a de-assert (apic_msg.assert = false);
 *   every other ICR message is an assert. In x2APIC mode ICR bits 12, 13, 16, 17 and 31:20
 *   are reserved (#GP).
 * - SVR bits 9:0 are writable (vector, enable, focus checking); there is no EOI-broadcast
 *   suppression. LVT delivery status and remote IRR read 0; writing them is not a
 *   reserved-bit #GP in x2APIC mode, other bits outside an LVT's fields are.
 * - APR follows the SDM's P6 formula; RRD, LVT CMCI and unused offsets read 0 in xAPIC mode,
 *   and accesses to them do not set ESR "illegal register address".
 * - An EOI clears the TMR bit of the vector it ends.
 * - Timer: the count-down of N starts at `now` and lasts N x divide x 2^clock_shift TSC
 *   ticks (not aligned to count-clock edges); the current count rounds up. Timer mode 3
 *   (reserved) is stored and run as one-shot. Switching to or from TSC-deadline mode
 *   disarms the timer and clears the initial count; switching between one-shot and periodic
 *   lets the running count go on (the new mode acts at its end), as kvm-unit-tests'
 *   test_apic_change_mode expects. A divide change while counting keeps the current count
 *   and counts the rest at the new rate (as KVM). Periodic timer periods shorter than
 *   LAPIC_MIN_PERIOD_US are stretched to it; the current count never exceeds the initial
 *   count. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#define LAPIC_DEFAULT_BASE 0xfee00000u
#define LAPIC_PAGE_SIZE    0x1000u
#define LAPIC_MIN_PERIOD_US 200 /* periodic-mode floor, as KVM's min_timer_period_us */

/* IA32_APIC_BASE (MSR 0x1b) */
#define MSR_IA32_APIC_BASE    0x1b
#define APIC_BASE_BSP         (1ull << 8)  /* this CPU is the bootstrap processor (RO) */
#define APIC_BASE_EXTD        (1ull << 10) /* x2APIC mode */
#define APIC_BASE_EN          (1ull << 11) /* APIC globally enabled */
#define APIC_BASE_ADDR_MASK   0xfffffffffffff000ull
#define MSR_IA32_TSC_DEADLINE 0x6e0
#define MSR_X2APIC_FIRST      0x800 /* x2APIC MSR = 0x800 + (xAPIC offset >> 4) */
#define MSR_X2APIC_LAST       0x8ff

/* Register offsets in the xAPIC page */
#define LAPIC_ID       0x020 /* bits 31:24 in xAPIC mode, 32-bit ID in x2APIC mode */
#define LAPIC_VERSION  0x030 /* RO: version 0x14, max LVT entry 5, no directed EOI */
#define LAPIC_TPR      0x080 /* task priority */
#define LAPIC_APR      0x090 /* arbitration priority (RO, xAPIC only) */
#define LAPIC_PPR      0x0a0 /* processor priority (RO) */
#define LAPIC_EOI      0x0b0 /* WO */
#define LAPIC_RRD      0x0c0 /* remote read (RO, xAPIC only) */
#define LAPIC_LDR      0x0d0 /* logical destination; RO in x2APIC mode */
#define LAPIC_DFR      0x0e0 /* destination format (xAPIC only) */
#define LAPIC_SVR      0x0f0 /* spurious vector, bit 8 software enable */
#define LAPIC_ISR      0x100 /* 8 x 32 bits at 16-byte strides */
#define LAPIC_TMR      0x180
#define LAPIC_IRR      0x200
#define LAPIC_ESR      0x280 /* error status: write latches accumulated errors, then read */
#define LAPIC_LVT_CMCI 0x2f0 /* not implemented: reads 0 / #GP in x2APIC */
#define LAPIC_ICR_LO   0x300
#define LAPIC_ICR_HI   0x310 /* xAPIC only: destination in bits 31:24 */
#define LAPIC_LVT_TIMER   0x320
#define LAPIC_LVT_THERMAL 0x330
#define LAPIC_LVT_PMC     0x340
#define LAPIC_LVT_LINT0   0x350
#define LAPIC_LVT_LINT1   0x360
#define LAPIC_LVT_ERROR   0x370
#define LAPIC_TIMER_ICR   0x380 /* initial count */
#define LAPIC_TIMER_CCR   0x390 /* current count (RO, computed on read) */
#define LAPIC_TIMER_DCR   0x3e0 /* divide configuration */
#define LAPIC_SELF_IPI    0x3f0 /* x2APIC only (MSR 0x83f), WO */

#define LAPIC_VERSION_VALUE 0x00050014u

#define APIC_SVR_ENABLE    (1u << 8)
#define APIC_LVT_MASKED    (1u << 16)
#define APIC_LVT_LEVEL     (1u << 15) /* LINT0/1 trigger mode */
#define APIC_LVT_REMOTE_IRR (1u << 14)
#define APIC_LVT_TIMER_MODE_MASK (3u << 17)
#define APIC_LVT_TIMER_ONESHOT   (0u << 17)
#define APIC_LVT_TIMER_PERIODIC  (1u << 17)
#define APIC_LVT_TIMER_TSCDL     (2u << 17)

/* ESR bits */
#define APIC_ESR_SEND_ILLEGAL_VECTOR (1u << 5)
#define APIC_ESR_RECV_ILLEGAL_VECTOR (1u << 6)
#define APIC_ESR_ILLEGAL_REGISTER    (1u << 7)

/* ICR / message delivery modes (ICR bits 10:8, also IOAPIC and MSI) */
enum apic_delivery {
	APIC_DM_FIXED = 0,
	APIC_DM_LOWEST = 1,
	APIC_DM_SMI = 2,
	APIC_DM_NMI = 4,
	APIC_DM_INIT = 5,
	APIC_DM_STARTUP = 6,
	APIC_DM_EXTINT = 7,
};

/* ICR destination shorthand (bits 19:18) */
enum apic_shorthand {
	APIC_SH_NONE = 0,
	APIC_SH_SELF = 1,
	APIC_SH_ALL = 2,
	APIC_SH_ALL_BUT_SELF = 3,
};

/* An interrupt message on the (virtual) APIC bus: from an ICR write, the I/O APIC or MSI. */
struct apic_msg {
	uint32_t dest;         /* 8-bit xAPIC destination, or 32-bit when x2apic_dest */
	uint8_t vector;
	uint8_t delivery;      /* enum apic_delivery */
	bool logical;          /* destination mode: logical (true) or physical */
	bool level;            /* trigger mode: level (true) or edge */
	bool assert;           /* level: assert; false only for an INIT level de-assert */
	uint8_t shorthand;     /* enum apic_shorthand; NONE for IOAPIC and MSI */
	bool x2apic_dest;      /* sent by an APIC in x2APIC mode: 32-bit destination */
	unsigned source;       /* sending vCPU index (for SELF / ALL_BUT_SELF) */
};

enum lapic_mode {
	LAPIC_MODE_DISABLED, /* IA32_APIC_BASE.EN = 0: no MMIO, no MSRs, LINT0 is the INTR pin */
	LAPIC_MODE_XAPIC,
	LAPIC_MODE_X2APIC,
};

struct lapic;

struct lapic_ops {
	/* An ICR (or x2APIC SELF IPI) write sent this message. */
	void (*send)(void *ctx, const struct lapic *from, const struct apic_msg *m);
	/* EOI of a vector whose TMR bit was set: broadcast to the I/O APIC. */
	void (*eoi_level)(void *ctx, uint8_t vector);
	/* The APIC's mode, base address or software enable may have changed (IA32_APIC_BASE
	 * write, INIT, SVR write): the hypervisor re-selects its virtualization controls and
	 * MMIO mapping. */
	void (*mode_changed)(void *ctx, const struct lapic *l);
};

struct lapic {
	uint32_t *regs;          /* the 4 KiB register page (caller-owned, 4 KiB aligned) */
	uint32_t id;             /* initial APIC ID: the vCPU index */
	uint64_t base;           /* IA32_APIC_BASE */
	unsigned phys_bits;      /* guest MAXPHYADDR: base bits above it are reserved */
	uint32_t esr_pending;    /* errors since the last ESR write */
	uint32_t esr_visible;    /* what ESR reads (the page copy may hold a guest write) */

	/* timer */
	unsigned clock_shift;    /* count clock = TSC >> clock_shift */
	uint64_t tsc_hz;         /* guest TSC rate, for the periodic floor */
	uint32_t timer_mode;     /* APIC_LVT_TIMER_* in effect: a trapped write may already
				    have put another mode in the page */
	uint32_t timer_divide;   /* divide in effect (1-128), for the same reason */
	uint64_t timer_period;   /* TSC ticks per period (count modes), 0 = stopped */
	uint64_t timer_deadline; /* TSC of the next expiry, UINT64_MAX = none */
	uint64_t tsc_deadline;   /* IA32_TSC_DEADLINE as the guest wrote it */

	const struct lapic_ops *ops;
	void *ctx;
};

/* Power-on state: APIC_BASE = default base | EN (| BSP), SVR = 0xff (software-disabled),
 * every LVT masked, ID = id. `regs` is zeroed and owned by the model from now on. */
void lapic_init(struct lapic *l, uint32_t id, bool bsp, uint32_t *regs, unsigned phys_bits,
		unsigned clock_shift, uint64_t tsc_hz, const struct lapic_ops *ops, void *ctx);
/* What a PC BIOS leaves on the BSP (MP spec "virtual wire" mode): software-enabled,
 * SVR vector 0xff, LINT0 ExtINT unmasked, LINT1 NMI unmasked. */
void lapic_set_virtual_wire(struct lapic *l);
/* The INIT signal: every register back to power-on except the ID and IA32_APIC_BASE (in
 * x2APIC mode the LDR stays derived from the ID). Calls ops->mode_changed: the page was
 * rewritten under the hypervisor's feet. */
void lapic_init_signal(struct lapic *l);

/* The register at `offset` as the page holds it (computed registers such as PPR and the
 * current count may be stale: read them through lapic_mmio_read or lapic_msr_read). */
static inline uint32_t lapic_reg(const struct lapic *l, uint32_t offset)
{
	return l->regs[offset / 4];
}
static inline bool lapic_sw_enabled(const struct lapic *l)
{
	return lapic_reg(l, LAPIC_SVR) & APIC_SVR_ENABLE;
}
static inline enum lapic_mode lapic_base_mode(uint64_t base)
{
	if (!(base & APIC_BASE_EN))
		return LAPIC_MODE_DISABLED;
	return (base & APIC_BASE_EXTD) ? LAPIC_MODE_X2APIC : LAPIC_MODE_XAPIC;
}
static inline enum lapic_mode lapic_mode(const struct lapic *l)
{
	return lapic_base_mode(l->base);
}
static inline uint64_t lapic_base_addr(const struct lapic *l)
{
	return l->base & APIC_BASE_ADDR_MASK & ((1ull << l->phys_bits) - 1);
}

/* IA32_APIC_BASE. A write returns false for #GP: reserved bits (0-7, 9, bits at or above
 * phys_bits, changing BSP), EXTD without EN, x2APIC -> xAPIC, disabled -> x2APIC. Disabling
 * resets the APIC state (as INIT does) and keeps it disabled. */
uint64_t lapic_base_read(const struct lapic *l);
bool lapic_base_write(struct lapic *l, uint64_t value, uint64_t now);

/* xAPIC MMIO at `offset` within the page (0..0xfff), 1, 2, 4 or 8 bytes. Registers are
 * 32-bit at 16-byte strides: a read returns the bytes of the containing register; a write
 * replaces the bytes it covers among the register's 4 and then acts as a write of the
 * whole register, as the CPU's APIC-register virtualization does (the SDM leaves narrower
 * accesses model-specific); bytes 4-15 of a slot ignore writes. Outside xAPIC mode reads
 * return all-ones and writes are ignored. */
uint64_t lapic_mmio_read(struct lapic *l, uint32_t offset, unsigned size, uint64_t now);
void lapic_mmio_write(struct lapic *l, uint32_t offset, unsigned size, uint64_t value,
		      uint64_t now);
/* The CPU already stored the guest's write at `offset` in the page (VMX APIC-write exit):
 * in xAPIC mode apply the register holding `offset` as lapic_mmio_write would, restoring
 * read-only bits and ESR; in x2APIC mode (e.g. a self IPI with an illegal vector, offset
 * 0x3f0) as lapic_msr_write would, ignoring a #GP the CPU already ruled out. Offsets the CPU
 * does not trap (read-only registers) are left alone. */
void lapic_write_trapped(struct lapic *l, uint32_t offset, uint64_t now);

/* x2APIC MSRs 0x800-0x8ff. False means #GP: not in x2APIC mode, no such register, read of
 * a write-only or write of a read-only register, reserved bits set, non-zero EOI. */
bool lapic_msr_read(struct lapic *l, uint32_t msr, uint64_t *value, uint64_t now);
bool lapic_msr_write(struct lapic *l, uint32_t msr, uint64_t value, uint64_t now);

/* IA32_TSC_DEADLINE: reads 0 unless the timer is in TSC-deadline mode and armed. A write
 * in TSC-deadline mode arms (0 disarms) the timer; in other modes it is ignored. */
uint64_t lapic_tsc_deadline_read(const struct lapic *l);
void lapic_tsc_deadline_write(struct lapic *l, uint64_t value, uint64_t now);

/* CR8 (64-bit mode) is TPR[7:4], for CPUs without the TPR shadow. */
uint8_t lapic_cr8_read(const struct lapic *l);
void lapic_cr8_write(struct lapic *l, uint8_t cr8);

/* A fixed or lowest-priority interrupt from the bus: sets IRR (and TMR for level).
 * Returns false when dropped: APIC disabled or software-disabled, or an illegal vector
 * (0-15, which sets ESR "receive illegal vector" and may raise the error LVT). */
bool lapic_accept(struct lapic *l, uint8_t vector, bool level);

/* Software delivery: the vector the CPU would take next (highest IRR whose priority class
 * is above PPR's), or -1. */
int lapic_pending_vector(const struct lapic *l);
/* Interrupt acknowledge: `vector` moves IRR -> ISR and PPR is updated. */
void lapic_ack(struct lapic *l, uint8_t vector);
/* Highest set vector in IRR / ISR, or -1 (for RVI and SVI under virtual-interrupt
 * delivery). */
int lapic_highest_irr(const struct lapic *l);
int lapic_highest_isr(const struct lapic *l);
/* Virtual-interrupt delivery already performed the EOI of `vector` (cleared its ISR bit):
 * broadcast it when it was level-triggered. */
void lapic_eoi_done(struct lapic *l, uint8_t vector);
/* The 256-bit TMR as four 64-bit words (EOI-exit bitmaps follow it). */
void lapic_tmr_words(const struct lapic *l, uint64_t out[4]);

/* LINT0 passes the 8259's INTR through (ExtINT): the APIC is hardware-disabled, or
 * software-enabled with LVT LINT0 unmasked in ExtINT mode. */
bool lapic_accepts_extint(const struct lapic *l);

/* Timer: TSC of the next expiry, or UINT64_MAX. */
static inline uint64_t lapic_timer_deadline(const struct lapic *l)
{
	return l->timer_deadline;
}
/* When the timer next needs its vCPU: the expiry, unless it is in a count mode with the LVT
 * masked. Such an expiry raises nothing and the count is computed from `now` whenever it is
 * read, so nobody has to wake up for it (a masked periodic timer at the floor would
 * otherwise take an exit every LAPIC_MIN_PERIOD_US for nothing). TSC-deadline mode keeps
 * its expiry: it clears IA32_TSC_DEADLINE, which the guest can see. */
uint64_t lapic_timer_wakeup(const struct lapic *l);
/* Brings the timer to `now`: at or past the deadline it raises the LVT timer vector
 * (unless masked), re-arms periodic mode on its grid (missed periods coalesce into one
 * interrupt) and disarms one-shot and TSC-deadline mode (clearing IA32_TSC_DEADLINE).
 * Returns true when an interrupt was raised. */
bool lapic_timer_update(struct lapic *l, uint64_t now);
