/* Local APIC costs, each from the guest's first instruction of the operation to the one
 * that sees its effect (the lfence/rdtsc pair included, as in the exit rows):
 *   int       INT 0xe1 to the handler's first C line: the guest's own interrupt dispatch,
 *             in every row below that ends in a handler
 *   timer     WRMSR IA32_TSC_DEADLINE with a deadline already due, to the handler
 *   self-ipi  the ICR write of a fixed self-IPI (SELF shorthand), to the handler
 *   eoi       the EOI write inside that handler, to the next instruction
 *   ipi-rtt   a fixed IPI to the other vCPU, halted, whose handler IPIs back, to the
 *             handler on this (halted) vCPU: two wake-ups and two vCPU switches */
#include "guests/bench/bench.h"
#include "guests/lib/apic.h"
#include "guests/lib/div64.h"
#include "guests/lib/pic.h"
#include "guests/lib/printf.h"
#include "guests/lib/smp.h"
#include "guests/lib/trap.h"
#include "guests/lib/x86.h"

#define VEC_INT	     0xe1
#define VEC_TIMER    0xe2
#define VEC_SELF     0xe3
#define VEC_PING     0xe4 /* to the AP */
#define VEC_PONG     0xe5 /* back to the BSP */
#define RTT_ITERS    200  /* each costs two vCPU switches */
#define WAIT_LOOPS   1000000 /* a lost interrupt shows as a 0 (minimum) */

static volatile u64 entered;	/* TSC at the handler's entry; 0 = not yet */
static volatile u64 eoi_cycles; /* the last EOI write, measured in the self-IPI handler */

static void on_entry(struct trap_frame *f)
{
	(void)f;
	entered = rdtsc_ordered();
}

static void on_entry_eoi(struct trap_frame *f)
{
	(void)f;
	entered = rdtsc_ordered();
	u64 t0 = rdtsc_ordered();
	apic_eoi();
	eoi_cycles = rdtsc_ordered() - t0;
}

static void on_pong(struct trap_frame *f)
{
	(void)f;
	entered = rdtsc_ordered();
	apic_eoi();
}

static void on_ping(struct trap_frame *f)
{
	(void)f;
	apic_icr_write(APIC_DM_FIXED | VEC_PONG, 0);
	apic_eoi();
}

struct stats {
	u64 total, min;
	u32 n;
};

static void add(struct stats *s, u64 dt)
{
	s->total += dt;
	s->min = dt < s->min ? dt : s->min;
	s->n++;
}

static void print(const char *name, const struct stats *s)
{
	bench_print(name, s->n, s->n ? udiv64(s->total, s->n, NULL) : 0, s->min);
}

/* Runs `arm` with interrupts on and returns the TSC from just before it to the handler. */
static u64 to_handler(void (*arm)(u64 t0))
{
	entered = 0;
	u64 t0 = rdtsc_ordered();
	arm(t0);
	for (u32 i = 0; !entered && i < WAIT_LOOPS; i++)
		cpu_relax();
	return entered ? entered - t0 : 0;
}

static void arm_int(u64 t0)
{
	(void)t0;
	__asm__ volatile("int %0" : : "i"(VEC_INT) : "memory");
}

static void arm_timer(u64 t0)
{
	wrmsr(MSR_IA32_TSC_DEADLINE, t0);
}

/* The SELF shorthand needs no destination: one register write, as an OS sends it. */
static void arm_self_ipi(u64 t0)
{
	(void)t0;
	apic_write(APIC_ICR, APIC_DEST_SELF | APIC_DM_FIXED | VEC_SELF);
}

static void ap_halts(void *arg)
{
	(void)arg;
	for (;;)
		sti_hlt();
}

static void bench_ipi_round_trip(void)
{
	struct stats s = {0, ~0ull, 0};
	smp_init();
	if (smp_fw_cfg_cpus() < 2 || !smp_start_ap(1)) {
		printf("bench: ipi-rtt unavailable (needs cpus=2)\n");
		return;
	}
	smp_call_async(1, ap_halts, 0);
	trap_set_handler(VEC_PONG, on_pong);
	for (u32 i = 0; i < RTT_ITERS; i++) {
		entered = 0;
		u64 t0 = rdtsc_ordered();
		apic_icr_write(APIC_DM_FIXED | VEC_PING, 1);
		while (!entered)
			sti_hlt();
		add(&s, entered - t0);
	}
	print("ipi-rtt", &s);
}

void bench_apic(void)
{
	struct {
		const char *name;
		void (*arm)(u64 t0);
	} rows[] = {{"int", arm_int}, {"timer", arm_timer}, {"self-ipi", arm_self_ipi}};
	struct stats eoi = {0, ~0ull, 0};

	pic_init(PIC_MASK_ALL);
	apic_write(APIC_LVT_LINT0, APIC_LVT_MASKED);
	apic_write(APIC_LVT_TIMER, APIC_TIMER_TSC_DEADLINE | VEC_TIMER);
	trap_set_handler(VEC_INT, on_entry);
	trap_set_handler(VEC_TIMER, on_entry_eoi);
	trap_set_handler(VEC_SELF, on_entry_eoi);
	trap_set_handler(VEC_PING, on_ping);
	sti();
	for (u32 r = 0; r < sizeof rows / sizeof rows[0]; r++) {
		struct stats s = {0, ~0ull, 0};
		to_handler(rows[r].arm); /* warm up */
		for (u32 i = 0; i < ITERS; i++) {
			add(&s, to_handler(rows[r].arm));
			if (rows[r].arm == arm_self_ipi)
				add(&eoi, eoi_cycles);
		}
		print(rows[r].name, &s);
	}
	print("eoi", &eoi);
	cli();
	bench_ipi_round_trip();
}
