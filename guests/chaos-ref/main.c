/* cmdline: "ms=N": how long (guest TSC milliseconds) to keep checking; default 3000. Each
 * round runs a prime sieve whose answer is known, checks a slice of the RAM pattern and all the
 * other state, and halts until the next timer interrupt. Prints one line at the end. */
#include "guests/chaos-ref/ref.h"
#include "guests/lib/exit.h"
#include "guests/lib/multiboot.h"
#include "guests/lib/pic.h"
#include "guests/lib/pit.h"
#include "guests/lib/printf.h"
#include "guests/lib/string.h"
#include "guests/lib/trap.h"
#include "guests/lib/tsc.h"
#include "guests/lib/vmcall.h"
#include "guests/lib/x86.h"
#include <stdarg.h>

#define MB1_INFO_CMDLINE (1u << 2)
#define DEFAULT_MS	 3000
#define SIEVE_LIMIT	 30000
#define SIEVE_PRIMES	 3245	      /* primes below 30000 */
#define CHECK_BYTES	 (256 * 1024) /* of the RAM pattern per round */
#define TIMER_HZ	 100
#define STALL_ROUNDS	 200 /* rounds without a local-APIC tick: the timer is gone */
#define WATCHDOG_US	 20000

#define LAPIC_EOI	0xb0
#define LAPIC_SVR	0xf0
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_TIMER_ICR 0x380
#define LAPIC_TIMER_DCR 0x3e0
#define LVT_PERIODIC	(1u << 17)
#define DCR_DIVIDE_1	0xb
#define FW_CFG_SELECTOR 0x510
#define FW_CFG_DATA	0x511
#define FW_CFG_RAM_SIZE 0x03

static volatile u32 lapic_ticks, pit_ticks, watchdog_ticks;
static u8 composite[SIEVE_LIMIT];

void ref_fail(const char *fmt, ...)
{
	char msg[PRINTF_MAX - 16];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	printf("ref: FAIL: %s\n", msg);
	guest_exit(EXIT_FAIL);
}

static void on_lapic_timer(struct trap_frame *f)
{
	(void)f;
	lapic_ticks++;
	*(volatile u32 *)(LAPIC_BASE + LAPIC_EOI) = 0;
}

static void on_pit(struct trap_frame *f)
{
	(void)f;
	pit_ticks++;
	pic_eoi(0);
}

static void on_watchdog(struct trap_frame *f)
{
	(void)f;
	watchdog_ticks++;
}

static u32 sieve(void)
{
	u32 primes = 0;
	memset(composite, 0, sizeof composite);
	for (u32 i = 2; i < SIEVE_LIMIT; i++) {
		if (composite[i])
			continue;
		primes++;
		for (u32 j = i * 2; j < SIEVE_LIMIT; j += i)
			composite[j] = 1;
	}
	return primes;
}

static u32 cmdline_ms(const struct mb1_info *mbi)
{
	if (!(mbi->flags & MB1_INFO_CMDLINE) || !mbi->cmdline)
		return DEFAULT_MS;
	const char *c = (const char *)(uintptr_t)mbi->cmdline;
	if (memcmp(c, "ms=", 3) != 0)
		return DEFAULT_MS;
	u32 ms = 0;
	for (c += 3; *c >= '0' && *c <= '9'; c++)
		ms = ms * 10 + (u32)(*c - '0');
	return ms;
}

static u32 ram_size(void)
{
	u32 v = 0;
	outw(FW_CFG_SELECTOR, FW_CFG_RAM_SIZE);
	for (u32 i = 0; i < 4; i++)
		v |= (u32)inb(FW_CFG_DATA) << (8 * i);
	return v;
}

/* Both timers of our own: the local APIC's and the PIT's (through the 8259 in virtual-wire
 * mode), at TIMER_HZ each. */
static void timers_start(void)
{
	u32 a, lapic_hz, c, d;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(c), "=c"(lapic_hz), "=d"(d) : "a"(0x15), "c"(0));
	trap_set_handler(VEC_LAPIC, on_lapic_timer);
	trap_set_handler(VEC_PIT, on_pit);
	trap_set_handler(VEC_WATCHDOG, on_watchdog);
	*(volatile u32 *)(LAPIC_BASE + LAPIC_SVR) = 0x1ff;
	*(volatile u32 *)(LAPIC_BASE + LAPIC_TIMER_DCR) = DCR_DIVIDE_1;
	*(volatile u32 *)(LAPIC_BASE + LAPIC_LVT_TIMER) = LVT_PERIODIC | VEC_LAPIC;
	*(volatile u32 *)(LAPIC_BASE + LAPIC_TIMER_ICR) = lapic_hz ? lapic_hz / TIMER_HZ : 100000;
	pic_init(0xfffe);
	pit_start(PIT_MODE2, pit_count_for_us(1000000 / TIMER_HZ));
}

int main(u32 magic, const struct mb1_info *mbi)
{
	(void)magic;
	u32 ms = cmdline_ms(mbi), ram = ram_size();
	u64 tsc_per_ms = tsc_hypervisor_khz();
	if (!tsc_per_ms)
		ref_fail("no TSC rate from CPUID 0x%x", MHV_CPUID_LEAF_TIMING);
	pattern_fill(ram);
	state_set();
	timers_start();
	printf("ref: %u KiB of RAM filled, checking for %u ms\n", ram >> 10, ms);

	u64 end = rdtsc() + tsc_per_ms * ms;
	u32 rounds = 0, passes = 0, halts = 0, last_lapic = 0, stalled = 0, sum = 0;
	while (rdtsc() < end || passes == 0) {
		u32 primes = sieve();
		if (primes != SIEVE_PRIMES)
			ref_fail("round %u: %u primes below %u, expected %u", rounds, primes,
				 SIEVE_LIMIT, SIEVE_PRIMES);
		if (pattern_check_some(CHECK_BYTES, &sum)) {
			if (sum != pattern_expected_sum())
				ref_fail("RAM checksum 0x%08x, expected 0x%08x", sum,
					 pattern_expected_sum());
			passes++;
		}
		state_check();
		hc_timer_oneshot(WATCHDOG_US, VEC_WATCHDOG);
		sti_hlt();
		cli();
		halts++;
		rounds++;
		stalled = lapic_ticks == last_lapic ? stalled + 1 : 0;
		last_lapic = lapic_ticks;
		if (stalled > STALL_ROUNDS)
			ref_fail("no local-APIC timer interrupt for %u rounds", stalled);
	}
	if (!pit_ticks)
		ref_fail("no PIT interrupt in %u rounds", rounds);
	printf("ref: checksum OK 0x%08x, %u checks of all RAM, %u rounds, %u HLTs, %u local-APIC "
	       "ticks, %u PIT ticks, %u watchdog wakeups\n",
	       sum, passes, rounds, halts, lapic_ticks, pit_ticks, watchdog_ticks);
	return EXIT_PASS;
}
