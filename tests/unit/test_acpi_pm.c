/* ACPI PM block: sleep control/status, reset register and the PM timer, driven through its
 * ports with a simulated TSC. Timer expectations are exact products computed here with
 * 128-bit host arithmetic. */
#include "devices/acpi_pm.h"
#include "tests/unit/check.h"

#define BASE 0x600

static uint64_t tsc;
static int power_offs, resets;
static int ctx_marker;

static uint64_t fake_tsc(void *ctx)
{
	CHECK(ctx == &ctx_marker);
	return tsc;
}

static void count_power_off(void *ctx)
{
	CHECK(ctx == &ctx_marker);
	power_offs++;
}

static void count_reset(void *ctx)
{
	CHECK(ctx == &ctx_marker);
	resets++;
}

static const struct acpi_pm_ops ops = {count_power_off, count_reset, fake_tsc};

static void setup(struct acpi_pm *pm, uint16_t base, uint64_t tsc_hz, uint64_t tsc0)
{
	tsc = tsc0;
	power_offs = resets = 0;
	acpi_pm_init(pm, base, tsc_hz, &ops, &ctx_marker);
}

static void out(struct acpi_pm *pm, uint16_t port, uint8_t size, uint32_t v)
{
	struct io_access a = {.port = port, .size = size, .write = true, .value = v};
	acpi_pm_io(pm, &a);
}

static uint32_t in(struct acpi_pm *pm, uint16_t port, uint8_t size)
{
	struct io_access a = {.port = port, .size = size, .value = 0x5a5a5a5a};
	acpi_pm_io(pm, &a);
	if (size < 4)
		CHECK_EQ(a.value >> (8 * size), 0);
	return a.value;
}

TEST(linux_s5_sequence_powers_off)
{
	struct acpi_pm pm;
	setup(&pm, BASE, 2000000000, 0);
	/* acpi_hw_extended_sleep: clear WAK_STS, then (SLP_TYP << 2 & 0x1c) | SLP_EN. */
	out(&pm, BASE + 1, 1, 0x80);
	CHECK_EQ(power_offs, 0);
	out(&pm, BASE, 1, (5 << 2 & 0x1c) | 0x20);
	CHECK_EQ(power_offs, 1);
	CHECK_EQ(resets, 0);
	CHECK_EQ(in(&pm, BASE + 1, 1), 0); /* not awake again: the guest keeps waiting */
	CHECK_EQ(in(&pm, BASE, 1), 0);
}

TEST(s5_decode_ignores_reserved_bits)
{
	struct acpi_pm pm;
	setup(&pm, 0xb000, 2000000000, 0);
	out(&pm, 0xb000, 1, 0xf7); /* reserved bits 7:6 and 1:0 set, SLP_TYP 5, SLP_EN */
	CHECK_EQ(power_offs, 1);
	out(&pm, 0xb000, 2, 0x0034); /* a word write: its low byte reaches sleep control */
	CHECK_EQ(power_offs, 2);
}

TEST(other_sleep_types_wake_at_once)
{
	struct acpi_pm pm;
	setup(&pm, BASE, 2000000000, 0);
	for (unsigned typ = 0; typ < 8; typ++) {
		if (typ == 5)
			continue;
		out(&pm, BASE, 1, typ << 2 | 0x20);
		CHECK_EQ(power_offs, 0);
		CHECK_EQ(in(&pm, BASE + 1, 1), 0x80); /* WAK_STS: the "sleep" is over */
		out(&pm, BASE + 1, 1, 0x7f);	      /* writing 0 to bit 7 keeps it */
		CHECK_EQ(in(&pm, BASE + 1, 1), 0x80);
		out(&pm, BASE + 1, 1, 0x80); /* write 1 to clear */
		CHECK_EQ(in(&pm, BASE + 1, 1), 0x00);
	}
	CHECK_EQ(resets, 0);
}

TEST(sleep_type_without_slp_en_does_nothing)
{
	struct acpi_pm pm;
	setup(&pm, BASE, 2000000000, 0);
	for (unsigned v = 0; v < 0x100; v++)
		if (!(v & 0x20))
			out(&pm, BASE, 1, v);
	CHECK_EQ(power_offs, 0);
	CHECK_EQ(resets, 0);
	CHECK_EQ(in(&pm, BASE + 1, 1), 0);
}

TEST(reset_register_takes_only_reset_value)
{
	struct acpi_pm pm;
	setup(&pm, BASE, 2000000000, 0);
	static const uint8_t others[] = {0x00, 0x02, 0x06, 0x0e, 0x81, 0xff};
	for (size_t i = 0; i < sizeof others; i++)
		out(&pm, BASE + 4, 1, others[i]);
	CHECK_EQ(resets, 0);
	out(&pm, BASE + 4, 1, 0x01);
	CHECK_EQ(resets, 1);
	CHECK_EQ(power_offs, 0);
	out(&pm, BASE + 3, 2, 0x0100); /* a word write whose high byte lands on RESET_REG */
	CHECK_EQ(resets, 2);
}

TEST(unassigned_ports_read_ones_and_ignore_writes)
{
	struct acpi_pm pm;
	setup(&pm, BASE, 2000000000, 0);
	static const uint16_t holes[] = {BASE + 2, BASE + 3, BASE + 5, BASE + 6, BASE + 7};
	for (size_t i = 0; i < sizeof holes / sizeof holes[0]; i++) {
		out(&pm, holes[i], 1, 0x01); /* the reset value */
		out(&pm, holes[i], 1, 0x34); /* the S5 request */
		CHECK_EQ(in(&pm, holes[i], 1), 0xff);
	}
	CHECK_EQ(resets, 0);
	CHECK_EQ(power_offs, 0);
	CHECK_EQ(in(&pm, BASE + 2, 2), 0xffff);
	CHECK_EQ(in(&pm, BASE + 4, 1), 0xff); /* RESET_REG is write-only */
}

/* floor(delta * 3579545 / hz), exactly. */
static uint64_t exact_ticks(uint64_t delta, uint64_t hz)
{
	return (uint64_t)((unsigned __int128)delta * 3579545u / hz);
}

static void check_rate(uint64_t hz)
{
	struct acpi_pm pm;
	uint64_t t0 = 0x0123456789abcdefull;
	setup(&pm, BASE, hz, t0);
	CHECK_EQ(in(&pm, BASE + 8, 4), 0);
	tsc = t0 + hz; /* one second */
	CHECK_EQ(in(&pm, BASE + 8, 4), 3579545);
	tsc = t0 + 7 * hz;
	CHECK_EQ(in(&pm, BASE + 8, 4), 7 * 3579545u);
	tsc = t0 + hz / 2;
	CHECK_EQ(in(&pm, BASE + 8, 4), exact_ticks(hz / 2, hz));
	/* Anywhere else: the exact floor, or one more when the exact value is within
	 * delta / 2^64 of the next tick. */
	uint64_t x = 0x9e3779b97f4a7c15ull;
	for (int i = 0; i < 1000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		uint64_t delta = x % (100 * hz);
		tsc = t0 + delta;
		uint32_t want = (uint32_t)exact_ticks(delta, hz);
		uint32_t got = in(&pm, BASE + 8, 4);
		CHECK(got == want || got == want + 1);
		CHECK_EQ(got, acpi_pm_timer(&pm));
	}
}

TEST(timer_runs_at_3579545_hz_for_any_tsc_rate)
{
	check_rate(2500000000u); /* a 2.5 GHz TSC */
	check_rate(1000000007u); /* a rate sharing no factor with the timer's */
	check_rate(1000000u);	 /* slower than the timer: several ticks per TSC tick */
}

TEST(timer_reads_by_byte_and_word)
{
	struct acpi_pm pm;
	setup(&pm, BASE, 3000000000u, 0);
	tsc = 5ull * 3000000000u + 12345; /* > 2^24 ticks: the counter is TMR_VAL_EXT */
	uint32_t v = in(&pm, BASE + 8, 4);
	CHECK_EQ(v, exact_ticks(tsc, 3000000000u));
	CHECK(v > 0xffffff);
	uint32_t bytes = 0;
	for (unsigned i = 0; i < 4; i++)
		bytes |= in(&pm, (uint16_t)(BASE + 8 + i), 1) << (8 * i);
	CHECK_EQ(bytes, v);
	CHECK_EQ(in(&pm, BASE + 8, 2), v & 0xffff);
	CHECK_EQ(in(&pm, BASE + 10, 2), v >> 16);
	CHECK_EQ(in(&pm, BASE + 10, 4), 0xffff0000u | v >> 16); /* past the block: 0xff */
	CHECK_EQ(in(&pm, BASE + 7, 4), (v & 0xffffff) << 8 | 0xff);
	out(&pm, BASE + 8, 4, 0); /* read-only */
	CHECK_EQ(in(&pm, BASE + 8, 4), v);
}

TEST(timer_is_32_bits_and_wraps_modulo_2_32)
{
	struct acpi_pm pm;
	const uint64_t hz = 3000000000u;
	setup(&pm, BASE, hz, 1000);
	tsc = 1000 + 4 * hz + hz / 2; /* 16107952.5 ticks: past 2^24, not wrapped there */
	CHECK_EQ(in(&pm, BASE + 8, 4), 16107952);
	tsc = 1000 + 1199 * hz;
	uint32_t before = in(&pm, BASE + 8, 4);
	CHECK_EQ(before, 1199ull * 3579545);
	tsc = 1000 + 1200 * hz; /* 4295454000 ticks */
	uint32_t after = in(&pm, BASE + 8, 4);
	CHECK_EQ(after, 4295454000ull - (1ull << 32));
	CHECK_EQ((uint32_t)(after - before), 3579545); /* what a guest computes across the wrap */
}

TEST(timer_survives_years_and_tsc_wrap)
{
	struct acpi_pm pm;
	const uint64_t hz = 3000000000u;
	uint64_t ten_years = 10ull * 365 * 86400 * hz; /* 9.46e17 TSC ticks */
	setup(&pm, BASE, hz, 0);
	tsc = ten_years;
	uint32_t want = (uint32_t)exact_ticks(ten_years, hz);
	uint32_t got = in(&pm, BASE + 8, 4);
	CHECK_EQ(got, want);			   /* whole seconds: exact */
	setup(&pm, BASE, hz, UINT64_MAX - hz / 2); /* the TSC wraps half a second in */
	tsc = hz / 2;
	CHECK_EQ(in(&pm, BASE + 8, 4), 3579545);
}

CHECK_MAIN("acpi_pm", CASE(linux_s5_sequence_powers_off), CASE(s5_decode_ignores_reserved_bits),
	   CASE(other_sleep_types_wake_at_once), CASE(sleep_type_without_slp_en_does_nothing),
	   CASE(reset_register_takes_only_reset_value),
	   CASE(unassigned_ports_read_ones_and_ignore_writes),
	   CASE(timer_runs_at_3579545_hz_for_any_tsc_rate), CASE(timer_reads_by_byte_and_word),
	   CASE(timer_is_32_bits_and_wraps_modulo_2_32), CASE(timer_survives_years_and_tsc_wrap))
