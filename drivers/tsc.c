/* Calibration: CALIBRATION_WINDOWS windows of WINDOW_US each against the best reference the
 * machine has. Every wait is bounded by a count of reference reads, never by the TSC whose
 * rate is unknown, so a gated or absent timer costs well under a second. */
#include "drivers/tsc.h"
#include "drivers/tsc_freq.h"
#include "kernel/log.h"
#include "kernel/mem.h"
#include "kernel/trap.h"
#include "kernel/x86.h"

#define PIT_HZ		  1193182
#define PIT_CH2_DATA	  0x42
#define PIT_MODE_CMD	  0x43
#define PIT_CH2_MODE0	  0xb0 /* channel 2, lobyte/hibyte, mode 0 (interrupt on terminal count) */
#define PORT_B		  0x61
#define PORT_B_GATE2	  0x01 /* channel 2 gate */
#define PORT_B_SPEAKER	  0x02 /* speaker data enable: keep off */
#define PORT_B_OUT2	  0x20 /* channel 2 output, read-only */
#define PM_TIMER_HZ	  3579545
#define HPET_CAP	  0x000 /* general capabilities; bits 63:32 period in femtoseconds */
#define HPET_CONF	  0x010 /* general configuration */
#define HPET_CONF_ENABLE  0x1ull /* the main counter runs */
#define HPET_COUNTER	  0x0f0
#define HPET_MAX_PERIOD	  100000000ull /* fs: the spec's upper bound (10 MHz minimum) */
#define FS_PER_S	  1000000000000000ull
#define WINDOW_US	  10000
#define CALIBRATION_WINDOWS 5
#define MAX_POLLS	  2000000 /* reads of the reference per window: >> 10 ms of them */
#define MSR_PLATFORM_INFO 0xce

uint64_t tsc_hz;

struct reference {
	const char *name;
	uint64_t hz;
	uint64_t mask; /* the counter's width */
	uint64_t (*read)(const struct reference *r);
	uint16_t port;
	volatile uint64_t *hpet;
};

static uint64_t read_pm_timer(const struct reference *r)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(r->port));
	return v & r->mask;
}

static uint64_t read_hpet(const struct reference *r)
{
	return r->hpet[HPET_COUNTER / 8] & r->mask;
}

/* One window against a free-running counter: TSC reads bracket each reference read. */
static bool counter_window(const struct reference *r, struct tsc_window *w)
{
	uint64_t want = r->hz * WINDOW_US / 1000000;
	uint64_t a0 = rdtsc(), c0 = r->read(r), b0 = rdtsc(), c1 = c0;
	unsigned polls = 0;
	while (((c1 - c0) & r->mask) < want && ++polls < MAX_POLLS)
		c1 = r->read(r);
	uint64_t a1 = rdtsc();
	c1 = r->read(r);
	uint64_t b1 = rdtsc();
	uint64_t ticks = (c1 - c0) & r->mask;
	if (polls >= MAX_POLLS || ticks == 0)
		return false;
	uint64_t tsc = (a1 + b1) / 2 - (a0 + b0) / 2;
	w->hz = muldiv64(tsc, r->hz, ticks);
	w->bracket = (b0 - a0) + (b1 - a1);
	return true;
}

/* One window on PIT channel 2 in mode 0: OUT2 rises at terminal count. An SMI can only
 * lengthen a window, and the median of several drops it. */
static bool pit_window(struct tsc_window *w)
{
	uint16_t count = PIT_HZ * (WINDOW_US / 1000) / 1000;
	uint8_t b = inb(PORT_B);
	outb(PORT_B, (uint8_t)((b & ~PORT_B_SPEAKER) & ~PORT_B_GATE2));
	outb(PIT_MODE_CMD, PIT_CH2_MODE0);
	outb(PIT_CH2_DATA, (uint8_t)count);
	outb(PIT_CH2_DATA, (uint8_t)(count >> 8));
	outb(PORT_B, (uint8_t)((b & ~PORT_B_SPEAKER) | PORT_B_GATE2));
	uint64_t start = rdtsc();
	unsigned polls = 0;
	while (!(inb(PORT_B) & PORT_B_OUT2) && ++polls < MAX_POLLS)
		cpu_relax();
	uint64_t delta = rdtsc() - start;
	outb(PORT_B, b);
	if (polls >= MAX_POLLS || delta == 0)
		return false;
	w->hz = muldiv64(delta, PIT_HZ, count);
	w->bracket = 0;
	return true;
}

static uint64_t calibrate_with(const struct reference *r, const char **used)
{
	struct tsc_window w[CALIBRATION_WINDOWS];
	unsigned n = 0;
	for (unsigned i = 0; i < CALIBRATION_WINDOWS; i++) {
		if (!(r ? counter_window(r, &w[n]) : pit_window(&w[n])))
			return 0; /* a reference that stalls once is not trusted at all */
		n++;
	}
	uint64_t hz = tsc_measured_hz(w, n);
	if (hz)
		*used = r ? r->name : "PIT channel 2";
	return hz;
}

/* The HPET (finest and memory-mapped), then the PM timer, then the PIT. */
static uint64_t calibrate(const struct acpi_platform *acpi, const char **used)
{
	uint64_t hz = 0;
	if (acpi->hpet_base) {
		mem_map_uncached(acpi->hpet_base, 0x400);
		volatile uint64_t *h = phys_to_virt(acpi->hpet_base);
		uint64_t period = h[HPET_CAP / 8] >> 32;
		if (period && period <= HPET_MAX_PERIOD) {
			if (!(h[HPET_CONF / 8] & HPET_CONF_ENABLE))
				h[HPET_CONF / 8] |= HPET_CONF_ENABLE;
			struct reference r = {"the HPET", FS_PER_S / period, ~0ull, read_hpet, 0, h};
			hz = calibrate_with(&r, used);
		}
	}
	if (!hz && acpi->pm_timer.addr && acpi->pm_timer.space == ACPI_SPACE_IO &&
	    acpi->pm_timer.addr <= 0xfffc) {
		struct reference r = {"the ACPI PM timer", PM_TIMER_HZ,
				      acpi->pm_timer_32bit ? 0xffffffffull : 0xffffffull,
				      read_pm_timer, (uint16_t)acpi->pm_timer.addr, 0};
		hz = calibrate_with(&r, used);
	}
	if (!hz)
		hz = calibrate_with(0, used);
	return hz;
}

static void cpu_statements(struct tsc_cpu_info *ci)
{
	uint32_t a, b, c, d;
	*ci = (struct tsc_cpu_info){0};
	cpuid(0, 0, &ci->max_leaf, &b, &c, &d);
	ci->intel = b == 0x756e6547 && d == 0x49656e69 && c == 0x6c65746e; /* GenuineIntel */
	cpuid(1, 0, &a, &b, &c, &d);
	ci->family = (a >> 8) & 0xf;
	ci->model = (a >> 4) & 0xf;
	if (ci->family == 6 || ci->family == 0xf)
		ci->model |= ((a >> 16) & 0xf) << 4;
	if (ci->family == 0xf)
		ci->family += (a >> 20) & 0xff;
	if (ci->max_leaf >= 0x15)
		cpuid(0x15, 0, &ci->c15_eax, &ci->c15_ebx, &ci->c15_ecx, &d);
	if (ci->max_leaf >= 0x16)
		cpuid(0x16, 0, &ci->c16_eax, &b, &c, &d);
	/* Intel's from Nehalem on; elsewhere (or under a hypervisor) it may #GP. */
	if (ci->intel && ci->family == 6 && ci->model >= 0x1a)
		ci->have_platform_info = rdmsr_safe(MSR_PLATFORM_INFO, &ci->platform_info);
}

void tsc_calibrate(const struct acpi_platform *acpi)
{
	struct tsc_cpu_info ci;
	const char *used = 0;
	cpu_statements(&ci);
	uint64_t measured = calibrate(acpi, &used);
	struct tsc_choice c = tsc_choose(&ci, measured);
	enum tsc_source stated_src = TSC_SRC_GUESS;
	uint64_t stated = tsc_stated_hz(&ci, &stated_src);
	tsc_hz = c.hz;
	if (c.src == TSC_SRC_GUESS)
		log_warn("tsc: the CPU states no frequency and no timer could measure it: "
			 "GUESSING %llu MHz; every guest clock will be off",
			 (unsigned long long)(c.hz / 1000000));
	else if (c.warn)
		log_warn("tsc: %s says %llu.%03llu MHz but %s measures %llu.%03llu MHz: using "
			 "the measurement",
			 tsc_source_name(stated_src), (unsigned long long)(stated / 1000000),
			 (unsigned long long)(stated / 1000 % 1000), used,
			 (unsigned long long)(measured / 1000000),
			 (unsigned long long)(measured / 1000 % 1000));
	else
		log_info("tsc: %llu.%03llu MHz from %s%s%s", (unsigned long long)(c.hz / 1000000),
			 (unsigned long long)(c.hz / 1000 % 1000), tsc_source_name(c.src),
			 used ? (c.src == TSC_SRC_CALIBRATED ? " against " : ", checked against ")
			      : " (no timer to check it against)",
			 used ? used : "");
}
