/* The local APIC as a guest programs it (SDM vol. 3A ch. 11 "Advanced Programmable Interrupt
 * Controller"): xAPIC MMIO or x2APIC MSRs behind one register interface. The constants are
 * written from the SDM, not taken from mhv's model, so the tests check mhv against the book.
 *
 * The access mode is a property of the whole test guest (apic_x2apic): every CPU of a guest
 * uses the same one, and a test that switches modes switches every CPU before it accesses
 * the APIC again. */
#pragma once
#include "guests/lib/types.h"

#define MSR_IA32_APIC_BASE    0x1b
#define APIC_BASE_BSP	      (1u << 8)	  /* RO: this is the bootstrap processor */
#define APIC_BASE_EXTD	      (1u << 10)  /* x2APIC mode */
#define APIC_BASE_EN	      (1u << 11)  /* APIC globally enabled */
#define APIC_BASE_ADDR	      0xfffff000u /* base address bits 31:12 */
#define APIC_DEFAULT_BASE     0xfee00000u
#define MSR_IA32_TSC_DEADLINE 0x6e0
#define MSR_X2APIC_BASE	      0x800 /* x2APIC MSR = 0x800 + (xAPIC offset >> 4) */

/* Register offsets in the xAPIC page; 32-bit registers on 16-byte boundaries. */
#define APIC_ID	       0x020 /* xAPIC: ID in bits 31:24; x2APIC: 32-bit ID, read-only */
#define APIC_VERSION   0x030 /* bits 7:0 version, 23:16 max LVT entry */
#define APIC_TPR       0x080
#define APIC_PPR       0x0a0
#define APIC_EOI       0x0b0 /* write-only */
#define APIC_LDR       0x0d0 /* xAPIC: logical ID in bits 31:24; x2APIC: derived, read-only */
#define APIC_DFR       0x0e0 /* xAPIC only: bits 31:28 model (0xf flat, 0x0 cluster) */
#define APIC_SVR       0x0f0
#define APIC_ISR       0x100 /* 8 words, 16 bytes apart: vector v is bit v % 32 of word v / 32 */
#define APIC_TMR       0x180
#define APIC_IRR       0x200
#define APIC_ESR       0x280 /* a write latches the errors since the last write; then read */
#define APIC_ICR       0x300 /* low half; x2APIC: all 64 bits in MSR 0x830 */
#define APIC_ICR2      0x310 /* xAPIC only: destination in bits 31:24 */
#define APIC_LVT_TIMER 0x320
#define APIC_LVT_LINT0 0x350
#define APIC_LVT_LINT1 0x360
#define APIC_LVT_ERROR 0x370
#define APIC_TIMER_ICR 0x380 /* initial count */
#define APIC_TIMER_CCR 0x390 /* current count, read-only */
#define APIC_TIMER_DCR 0x3e0 /* divide configuration */

#define APIC_SVR_ENABLE		(1u << 8) /* APIC software enable */
#define APIC_LVT_MASKED		(1u << 16)
#define APIC_LVT_DM_NMI		(4u << 8)
#define APIC_LVT_DM_EXTINT	(7u << 8)
#define APIC_TIMER_ONESHOT	(0u << 17)
#define APIC_TIMER_PERIODIC	(1u << 17)
#define APIC_TIMER_TSC_DEADLINE (2u << 17)
#define APIC_DCR_DIV1		0xb /* divide codes: bits 3, 1, 0 */
#define APIC_DCR_DIV4		0x1

#define APIC_ESR_SEND_ILLEGAL_VECTOR (1u << 5)

/* ICR low half */
#define APIC_DM_FIXED	       (0u << 8)
#define APIC_DM_LOWEST	       (1u << 8)
#define APIC_DM_NMI	       (4u << 8)
#define APIC_DM_INIT	       (5u << 8)
#define APIC_DM_STARTUP	       (6u << 8)
#define APIC_DEST_LOGICAL      (1u << 11)
#define APIC_ICR_BUSY	       (1u << 12) /* delivery status: send pending */
#define APIC_INT_ASSERT	       (1u << 14)
#define APIC_INT_LEVEL	       (1u << 15)
#define APIC_DEST_SELF	       (1u << 18) /* destination shorthands, bits 19:18 */
#define APIC_DEST_ALL	       (2u << 18)
#define APIC_DEST_ALL_BUT_SELF (3u << 18)

#define APIC_XAPIC_BROADCAST  0xffu
#define APIC_VERSION_EXPECTED 0x00050014u /* integrated APIC, 6 LVT entries (timer..error) */

extern bool apic_x2apic;       /* the guest's CPUs use x2APIC MSRs */
extern volatile u8 *apic_mmio; /* the xAPIC page, at IA32_APIC_BASE's address */

u32 apic_read(u32 reg);
void apic_write(u32 reg, u32 value);
/* Sends an IPI: ICR low half `icr` to destination `dest` (an APIC ID or logical ID; 8 bits
 * in xAPIC mode, 32 in x2APIC mode). */
void apic_icr_write(u32 icr, u32 dest);
u32 apic_icr_read_low(void);
void apic_eoi(void);
/* This CPU's APIC ID, from the APIC (not from CPUID). */
u32 apic_id(void);
/* Bit `vector` of the 256-bit register at `base` (APIC_ISR, APIC_TMR or APIC_IRR). */
bool apic_vector_bit(u32 base, u8 vector);

u64 apic_base_read(void);
/* IA32_APIC_BASE; false if the write raised #GP. Keeps apic_mmio at the new address. */
bool apic_base_write(u64 value);
/* xAPIC -> x2APIC on this CPU; the caller sets apic_x2apic once every CPU has switched. */
bool apic_enter_x2apic(void);
/* x2APIC -> disabled -> xAPIC on this CPU: the APIC comes back in its INIT state. */
bool apic_leave_x2apic(void);

/* Software-enables the APIC with spurious vector `spurious` and TPR 0. */
void apic_sw_enable(u8 spurious);

/* The timer's count clock in Hz and TSC ticks per count-clock tick, from CPUID leaf 0x15
 * (crystal Hz in ECX, TSC/crystal = EBX/EAX); 0 without the leaf. */
u32 apic_timer_hz(void);
u32 apic_tsc_per_tick(void);
