/* The hostile-guest generator: one seed drives a reproducible sequence of hostile operations
 * (ports, MSRs, control and debug registers, MMIO, APIC, descriptor tables, paging, VMX and
 * other exiting instructions, INIT/SIPI storms). Each operation survives its own faults and puts
 * back what the guest itself needs, so the sequence goes on; the last operation may be one that
 * makes mhv stop the VM. */
#pragma once
#include "guests/lib/types.h"

#define LAPIC_BASE  0xfee00000u
#define IOAPIC_BASE 0xfec00000u
#define PAGE_SIZE   4096u
/* Low memory is free once the boot information is read. Its map: */
#define AP_PAGES 256u /* the AP loop at the start (0x40 bytes) of every page below 1 MiB */
/* 0x500: the APs' shared counter (ap_loop.S) */
#define LOW_IRET16    0x7080 /* code that must run below 64 KiB while 16-bit gates are in use */
#define LOW_INT_N     0x7090
#define LOW_WINDOW    0x70a0
#define LOW_BUF	      0x9040 /* buffer for 16-bit addressing: to the end of page 9 */
#define LOW_BUF_BYTES 0xfc0
#define RFLAGS_IF     (1u << 9)
#define RFLAGS_DF     (1u << 10)
#define RFLAGS_RF     (1u << 16)
#define HC_WAKE_VEC   0xee /* the hypercall timer that ends every HLT of ours */
#define SPURIOUS_VEC  0xff

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

struct chaos_env {
	u32 seed;
	u32 ops;       /* how many random operations before the final one */
	u32 cpus;      /* vCPUs in the VM (fw_cfg) */
	u32 ram_bytes; /* guest RAM (fw_cfg) */
	u32 lapic_hz;  /* local APIC timer clock (CPUID 0x15 ECX), 0 if not given */
	bool trace;    /* print every operation (cmdline "trace") */
	u32 op_index;  /* the operation running now */
};
extern struct chaos_env env;

struct chaos_stats {
	u32 faults;	/* exceptions that a TRAP_TRY recovered from */
	u32 interrupts; /* maskable interrupts taken */
	u32 nmis;
	u32 debug_traps;  /* #DB outside a TRAP_TRY (breakpoints we armed) */
	u32 event_faults; /* #GP/#NP/#TS while delivering an event (EXT set) */
	u32 storms;	  /* interrupt storms we had to block (handlers.c) */
};
extern struct chaos_stats stats;

/* Random numbers: a pure function of the seed and of how many were drawn, so a seed's
 * sequence of operations never depends on timing. */
void rng_seed(u32 seed);
u32 rnd(void);
u64 rnd64(void);
u32 rnd_below(u32 n); /* 0..n-1; n > 0 */
bool rnd_chance(u32 percent);
u32 rnd_pick(const u32 *list, u32 n);
/* A value that tends to hit edge cases: 0, all-ones, one bit, small, or random. */
u32 rnd_value(void);

/* After an asm block with TRAP_TRY: true when the instruction faulted (and counts it). */
bool faulted(void);
/* Prints "chaos: op N: ..." when tracing. */
void trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Interrupt and exception handling for every vector (trap.c). */
void traps_init(void);
void storm_reset(void);			  /* a new operation: its interrupts are counted afresh */
extern volatile bool apic_in_x2apic_mode; /* where the EOI of an interrupt goes */

/* The guest's own sane state, put back by the operations that disturb it. */
void apic_restore(void); /* xAPIC at the default base, software-enabled */
void timer_tame(void);	 /* stops a periodic LAPIC timer that is too fast (state.c) */
void desc_restore(void); /* our GDT, flat segments, our IDT */
void desc_setup(void);	 /* builds our GDT and records the IDT (once, at start) */
#define CHAOS_GDT_ENTRIES 16
/* Entries 1 and 2 are the flat segments we run on; the GDT operation fills the others. */
extern u64 chaos_gdt[CHAOS_GDT_ENTRIES];
extern u32 chaos_idt_base; /* the library's IDT, which desc_restore() loads again */
extern u16 chaos_idt_limit;
void lapic_write(u32 offset, u32 value);
u32 lapic_read(u32 offset);
/* An ICR value that may be sent from the BSP without resetting the VM: an INIT is turned
 * into an all-but-self INIT (INIT of the BSP is a reset request). */
u32 icr_tame(u32 icr_low);
/* Starts the APs into their loop (INIT, SIPI, SIPI) and writes the loop into every page a
 * SIPI can point at. */
void ap_setup(void);
void ap_start_all(u8 vector);

/* The test device's two scratch registers (offsets 0 and 0xff8) as we know them: every
 * write to the device goes through here. */
void testdev_model_write(u32 offset, u32 size, u32 value);
u32 testdev_model_read(u32 offset, u32 size);
/* Fails the run when `got`, read at `offset`, is not what the model holds. */
void testdev_check(u32 offset, u32 size, u32 got, const char *form);

/* The operation groups: each call does one random operation of its kind. */
void op_port(void);
void op_port_string(void);
void op_msr(void);
void op_cr(void);
void op_dr(void);
void op_fpu(void);
void op_mmio(void);
void op_mmio_string(void);
void op_lapic(void);
void op_lapic_timer(void);
void op_ioapic(void);
void op_self_ipi(void);
void op_ipi_storm(void);
void op_x2apic(void);
void op_apic_base(void);
void op_gdt(void);
void op_idt(void);
void op_paging(void);
void op_vmx(void);
void op_vmcall(void);
void op_insn(void);
void op_cpuid(void);
void op_hlt(void);
void op_pe_toggle(void);
void op_pci(void);
void op_virtio(void);
void op_mmio_rmw(void);
void op_mmio_straddle(void);

/* Finds the PCI functions and opens the virtio devices; pci_restore() puts every BAR and
 * command register back as virtio_setup() found them. */
void virtio_setup(void);
void pci_restore(void);

/* The final operation: one that ends the VM, or none (exit 0). Never returns. */
void final_op(void) __attribute__((noreturn));
