/* Scheduler benchmark guest (tools/bench-sched). One VM does one of:
 *   mode=spin windows=N window=MS
 *       CPU-bound: counts units of fixed work and prints at the end, for each window of MS
 *       ms of TSC time it saw whole, "sched-bench: spin window K count C", K being the window's
 *       number since TSC 0. Every VM's TSC is the host's (no offset is set), so VMs agree on
 *       the windows and tools/bench-sched compares their counts over the windows all of them
 *       saw: the CPU shares. Ends after N whole windows.
 *   mode=tick hz=H ticks=N
 *       Halts between local APIC timer interrupts (TSC-deadline mode) due every 1/H s,
 *       each armed for its own due time, and prints how late each came: "sched-bench:
 *       tick hz H ticks N lost L late-us p50 A p99 B max C". A tick is lost when the one
 *       before it came so late that its due time had passed before it could be armed.
 *       With max-p99=US and max-lost=PERMILLE it also judges: "PASS: ..." or "FAIL: ...".
 *   mode=share seconds=S expect=PCT
 *       CPU-bound for S seconds of TSC time, after a warm-up of SHARE_WARMUP_MS while the
 *       other VMs start: its CPU share is the time it saw pass in steps shorter than
 *       SHARE_GAP_US (longer ones were other VMs' turns). Prints "PASS: share X% (expected
 *       PCT%)" if within SHARE_TOLERANCE points of PCT, else "FAIL: ...". */
#include "guests/lib/apic.h"
#include "guests/lib/cmdline.h"
#include "guests/lib/div64.h"
#include "guests/lib/exit.h"
#include "guests/lib/multiboot.h"
#include "guests/lib/pic.h"
#include "guests/lib/printf.h"
#include "guests/lib/string.h"
#include "guests/lib/trap.h"
#include "guests/lib/tsc.h"
#include "guests/lib/x86.h"

#define VEC_TICK    0xe2
#define VEC_SPURIOUS 0xff
#define WORK_UNIT   256   /* loop iterations counted as one unit of work */
#define BUCKET_US   10    /* lateness histogram resolution (>= 1 TSC tick: khz >= 100) */
#define BUCKETS     1000  /* up to 10 ms; later ticks count in the last bucket */
#define MAX_WINDOWS 64
#define SHARE_WARMUP_MS 100 /* also before the first tick */
#define SHARE_GAP_US    100 /* longer than any exit of a CPU-bound guest in the run */
#define SHARE_TOLERANCE 5   /* percentage points */

static u32 khz;

static u32 number(const char *value, u32 fallback)
{
	u32 n = 0;
	if (!value || !*value)
		return fallback;
	for (; *value >= '0' && *value <= '9'; value++)
		n = n * 10 + (u32)(*value - '0');
	return n;
}

static u64 window_of(u64 tsc, u32 window_ticks)
{
	return udiv64(tsc, window_ticks, NULL);
}

static u32 window_count[MAX_WINDOWS + 1];

/* The counts are printed at the end: mhv writes a guest's line to its own UART while the
 * guest waits, which would delay the other VMs inside the measurement. */
static void spin(u32 windows, u32 window_ms)
{
	u32 window_ticks = khz * window_ms;
	u64 cur = window_of(rdtsc(), window_ticks), first = cur;
	u64 next = (cur + 1) * window_ticks;
	u32 count = 0;
	while (cur - first <= windows) {
		for (u32 i = 0; i < WORK_UNIT; i++)
			__asm__ volatile("" ::: "memory");
		count++;
		u64 t = rdtsc();
		if (t < next)
			continue;
		/* Windows the VM did not run in at all count zero. */
		window_count[cur - first] = count;
		cur = window_of(t, window_ticks);
		next = (cur + 1) * window_ticks;
		count = 0;
	}
	/* The first window was seen in part. */
	for (u32 w = 1; w <= windows; w++)
		printf("sched-bench: spin window %llu count %u\n", first + w, window_count[w]);
}

static volatile u64 fired_at;

static void on_tick(struct trap_frame *f)
{
	(void)f;
	fired_at = rdtsc();
	apic_eoi();
}

static u32 histogram[BUCKETS];

/* The lateness (us) that `permille` of the ticks stayed within. */
static u32 percentile(u32 taken, u32 permille)
{
	u32 want = (u32)udiv64((u64)taken * permille + 999, 1000, NULL), seen = 0;
	for (u32 b = 0; b < BUCKETS; b++) {
		seen += histogram[b];
		if (seen >= want)
			return (b + 1) * BUCKET_US;
	}
	return BUCKETS * BUCKET_US;
}

static bool tick(u32 hz, u32 ticks, u32 max_p99, u32 max_lost)
{
	u32 period = (u32)udiv64((u64)khz * 1000, hz, NULL);
	u32 lost = 0, taken = 0, bucket_ticks = khz * BUCKET_US / 1000;
	u64 max = 0;
	pic_init(PIC_MASK_ALL);
	apic_sw_enable(VEC_SPURIOUS);
	apic_write(APIC_LVT_LINT0, APIC_LVT_MASKED);
	apic_write(APIC_LVT_TIMER, APIC_TIMER_TSC_DEADLINE | VEC_TICK);
	trap_set_handler(VEC_TICK, on_tick);
	/* The first tick comes after the warm-up, once every VM has started. */
	u64 start = rdtsc() + (u64)khz * SHARE_WARMUP_MS;
	for (u32 k = 0; k < ticks; k++) {
		u64 due = start + (u64)k * period;
		if (rdtsc() >= due) {
			lost++;
			continue;
		}
		fired_at = 0;
		wrmsr(MSR_IA32_TSC_DEADLINE, due);
		while (!fired_at)
			sti_hlt(); /* the handler runs inside the HLT: IF is 1 until cli */
		cli();
		/* One 32-bit DIV: the guest's own work per tick stays small next to a period. */
		u64 late = fired_at - due;
		u32 bucket = late < bucket_ticks * BUCKETS ? (u32)late / bucket_ticks : BUCKETS - 1;
		histogram[bucket]++;
		max = late > max ? late : max;
		taken++;
	}
	u32 p99 = percentile(taken, 990);
	printf("sched-bench: tick hz %u ticks %u lost %u late-us p50 %u p99 %u max %u\n", hz, ticks,
	       lost, percentile(taken, 500), p99, (u32)udiv64(max * 1000, khz, NULL));
	if (!max_p99)
		return true;
	bool ok = p99 <= max_p99 && (u64)lost * 1000 <= (u64)max_lost * ticks;
	printf("sched-bench: %s: %u Hz timer: p99 %u us (at most %u), %u of %u ticks lost (at "
	       "most %u per mille)\n",
	       ok ? "PASS" : "FAIL", hz, p99, max_p99, lost, ticks, max_lost);
	return ok;
}

static bool share(u32 seconds, u32 expect)
{
	u64 gap = khz * SHARE_GAP_US / 1000;
	u64 t = rdtsc() + (u64)khz * SHARE_WARMUP_MS;
	while (rdtsc() < t)
		;
	u64 end = t + (u64)khz * 1000 * seconds, ran = 0;
	while (t < end) {
		for (u32 i = 0; i < 16; i++)
			__asm__ volatile("" ::: "memory");
		u64 now = rdtsc();
		if (now - t < gap)
			ran += now - t;
		t = now;
	}
	u32 permille = (u32)udiv64(ran * 1000, khz * 1000 * seconds, NULL);
	u32 pct = permille / 10;
	bool ok = pct + SHARE_TOLERANCE >= expect && pct <= expect + SHARE_TOLERANCE;
	printf("sched-bench: %s: share %u.%u%% (expected %u%%)\n", ok ? "PASS" : "FAIL", pct,
	       permille % 10, expect);
	return ok;
}

int main(u32 magic, const struct mb1_info *mbi)
{
	(void)magic;
	const char *cursor = cmdline_of(mbi), *v;
	char word[CMDLINE_WORD_MAX];
	enum { NONE, SPIN, TICK, SHARE } mode = NONE;
	u32 windows = 10, window_ms = 200, hz = 1000, ticks = 1000, max_p99 = 0, max_lost = 0;
	u32 seconds = 1, expect = 0;
	while (cmdline_next(&cursor, word)) {
		if ((v = cmdline_value(word, "mode")))
			mode = !strcmp(v, "spin") ? SPIN : !strcmp(v, "tick") ? TICK
			       : !strcmp(v, "share") ? SHARE : NONE;
		else if ((v = cmdline_value(word, "windows")))
			windows = number(v, windows);
		else if ((v = cmdline_value(word, "window")))
			window_ms = number(v, window_ms);
		else if ((v = cmdline_value(word, "hz")))
			hz = number(v, hz);
		else if ((v = cmdline_value(word, "ticks")))
			ticks = number(v, ticks);
		else if ((v = cmdline_value(word, "max-p99")))
			max_p99 = number(v, 0);
		else if ((v = cmdline_value(word, "max-lost")))
			max_lost = number(v, 0);
		else if ((v = cmdline_value(word, "seconds")))
			seconds = number(v, seconds);
		else if ((v = cmdline_value(word, "expect")))
			expect = number(v, 0);
	}
	khz = tsc_hypervisor_khz();
	if (khz < 100 || !hz || !window_ms || windows > MAX_WINDOWS || !seconds ||
	    (u64)khz * 1000 * seconds > 0xffffffffu) {
		printf("sched-bench: FAIL: no TSC rate from mhv, or a bad setting\n");
		return EXIT_FAIL;
	}
	bool ok = true;
	if (mode == SPIN)
		spin(windows, window_ms);
	else if (mode == TICK)
		ok = tick(hz, ticks, max_p99, max_lost);
	else if (mode == SHARE)
		ok = share(seconds, expect);
	else {
		printf("sched-bench: FAIL: mode=spin, tick or share\n");
		return EXIT_FAIL;
	}
	printf("sched-bench: done\n");
	return ok ? EXIT_PASS : EXIT_FAIL;
}
